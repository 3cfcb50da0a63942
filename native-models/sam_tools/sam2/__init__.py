"""SAM 2 / 2.1 image mode in PyTorch (own implementation of Meta's semantics), its ONNX layouts and tools."""

from .config import PRESETS, Sam2Config, load_config, resolve_config
from .model import Sam2Image, build_sam2, check_shapes, load_sam2_weights, randomize_sam2_, read_checkpoint

__all__ = ["PRESETS", "Sam2Config", "Sam2Image", "build_sam2", "check_shapes", "load_config",
           "load_sam2_weights", "randomize_sam2_", "read_checkpoint", "resolve_config"]
