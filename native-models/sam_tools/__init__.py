"""PyTorch SAM (Meta's architecture, generalized in image size and widths), ONNX export and reference tools.

Import with `native-models/` on `sys.path`: `from sam_tools import build_sam, PRESETS`.
"""

from .checkpoint_io import load_checkpoint
from .config import PRESETS, SamConfig, load_config, resolve_config
from .errors import SamToolsError
from .sam import Sam, build_sam, load_weights, randomize_, read_state_dict

__all__ = [
    "PRESETS",
    "Sam",
    "SamConfig",
    "SamToolsError",
    "build_sam",
    "load_checkpoint",
    "load_config",
    "load_weights",
    "randomize_",
    "read_state_dict",
    "resolve_config",
]
