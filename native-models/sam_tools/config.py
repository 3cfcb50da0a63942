"""SAM hyper-parameters: Meta's presets, JSON configs, and small test configs.

The JSON form is the one of `/work/shared/conformance/sam_tiny_official.json`: a `config` block with Meta's
`_build_sam` arguments (plus the decoder's, which Meta hard-codes) and top-level `pixel_mean` / `pixel_std`.
Meta hard-codes a 1024-pixel input, a 256-channel prompt/decoder width and a 64×64 embedding grid; here the
image size S (a multiple of the patch size), the widths and the depths are parameters, so a test model can be
S = 256 with 32 channels.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .errors import SamToolsError

# Meta's normalization (ImageNet mean/std on the 0–255 scale), `build_sam.py`.
META_PIXEL_MEAN = (123.675, 116.28, 103.53)
META_PIXEL_STD = (58.395, 57.12, 57.375)


@dataclasses.dataclass(frozen=True)
class SamConfig:
    """Every hyper-parameter that shapes the state_dict or the computation.

    Frames: the encoder sees an S×S image (`img_size`), cut into `patch_size` patches, giving a g×g embedding
    grid (g = S / patch_size) with `out_chans` channels. Prompt points are pixels of the S×S model frame.
    """

    encoder_embed_dim: int
    encoder_depth: int
    encoder_num_heads: int
    encoder_global_attn_indexes: Tuple[int, ...]
    img_size: int = 1024
    patch_size: int = 16
    window_size: int = 14
    mlp_ratio: float = 4.0
    use_rel_pos: bool = True
    qkv_bias: bool = True
    layer_norm_eps: float = 1e-6
    out_chans: int = 256
    prompt_embed_dim: int = 256
    mask_in_chans: int = 16
    decoder_depth: int = 2
    decoder_mlp_dim: int = 2048
    decoder_num_heads: int = 8
    attention_downsample_rate: int = 2
    num_multimask_outputs: int = 3
    iou_head_depth: int = 3
    iou_head_hidden_dim: int = 256
    pixel_mean: Tuple[float, float, float] = META_PIXEL_MEAN
    pixel_std: Tuple[float, float, float] = META_PIXEL_STD
    # "vit": Meta's ViT (encoder_embed_dim/depth/heads/global_attn/window apply); "conv": conv_encoder.py
    # (encoder_embed_dim = width of the last stage, encoder_depth = its residual blocks, patch_size = 8).
    encoder_type: str = "vit"

    @property
    def grid(self) -> int:
        """Side g of the image embedding (64 for Meta's models)."""
        return self.img_size // self.patch_size

    @property
    def low_res_size(self) -> int:
        """Side of the decoder's low-res logits and of `mask_input`: 4·g (256 for Meta's models)."""
        return 4 * self.grid

    def validate(self) -> "SamConfig":
        problems = []
        if self.img_size <= 0 or self.img_size % self.patch_size:
            problems.append(f"img_size {self.img_size} must be a positive multiple of patch_size {self.patch_size}")
        if self.encoder_type not in ("vit", "conv"):
            problems.append(f"encoder_type must be 'vit' or 'conv', got {self.encoder_type!r}")
        if self.encoder_type == "conv" and (self.patch_size != 8 or self.encoder_embed_dim % 4):
            problems.append("a conv encoder has patch_size 8 (its output stride) and encoder_embed_dim divisible by 4")
        if self.encoder_embed_dim % self.encoder_num_heads:
            problems.append("encoder_embed_dim must be divisible by encoder_num_heads")
        if any(not 0 <= i < self.encoder_depth for i in self.encoder_global_attn_indexes):
            problems.append("encoder_global_attn_indexes must lie in [0, encoder_depth)")
        if self.out_chans != self.prompt_embed_dim:
            # The decoder adds the prompt embeddings to the image embedding channel-wise.
            problems.append("out_chans must equal prompt_embed_dim")
        if self.prompt_embed_dim % 8:
            problems.append("prompt_embed_dim must be divisible by 8 (upscaling to C/4 then C/8 channels)")
        internal = self.prompt_embed_dim // self.attention_downsample_rate
        if self.prompt_embed_dim % self.decoder_num_heads or internal % self.decoder_num_heads:
            problems.append("decoder_num_heads must divide prompt_embed_dim and prompt_embed_dim/downsample_rate")
        if self.mask_in_chans % 4:
            problems.append("mask_in_chans must be divisible by 4")
        if problems:
            raise SamToolsError("invalid SAM config: " + "; ".join(problems))
        return self

    # --- JSON (conformance format) ---------------------------------------------------------------------

    def to_json_dict(self) -> Dict[str, Any]:
        """The `{config: {...}, pixel_mean, pixel_std}` form of `sam_tiny_official.json`."""
        config = {
            "encoder_embed_dim": self.encoder_embed_dim,
            "encoder_depth": self.encoder_depth,
            "encoder_num_heads": self.encoder_num_heads,
            "encoder_global_attn_indexes": list(self.encoder_global_attn_indexes),
            "img_size": self.img_size,
            "patch_size": self.patch_size,
            "window_size": self.window_size,
            "mlp_ratio": self.mlp_ratio,
            "use_rel_pos": self.use_rel_pos,
            "qkv_bias": self.qkv_bias,
            "layer_norm_eps": self.layer_norm_eps,
            "out_chans": self.out_chans,
            "prompt_embed_dim": self.prompt_embed_dim,
            "image_embedding_size": [self.grid, self.grid],
            "mask_in_chans": self.mask_in_chans,
            "decoder_transformer": {
                "depth": self.decoder_depth,
                "embedding_dim": self.prompt_embed_dim,
                "mlp_dim": self.decoder_mlp_dim,
                "num_heads": self.decoder_num_heads,
                "attention_downsample_rate": self.attention_downsample_rate,
            },
            "num_multimask_outputs": self.num_multimask_outputs,
            "iou_head_depth": self.iou_head_depth,
            "iou_head_hidden_dim": self.iou_head_hidden_dim,
        }
        if self.encoder_type != "vit":  # Meta's configs have no such key; keep theirs byte-identical
            config["encoder_type"] = self.encoder_type
        return {"config": config, "pixel_mean": list(self.pixel_mean), "pixel_std": list(self.pixel_std)}

    @classmethod
    def from_json_dict(cls, data: Dict[str, Any], source: str = "config") -> "SamConfig":
        if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
            raise SamToolsError(f"{source}: expected an object with a 'config' block (see sam_tiny_official.json)")
        c = dict(data["config"])
        try:
            dec = c.pop("decoder_transformer", {})
            if "embedding_dim" in dec and dec["embedding_dim"] != c.get("prompt_embed_dim", 256):
                raise SamToolsError(f"{source}: decoder_transformer.embedding_dim must equal prompt_embed_dim")
            grid = c.pop("image_embedding_size", None)
            cfg = cls(
                encoder_embed_dim=int(c["encoder_embed_dim"]),
                encoder_depth=int(c["encoder_depth"]),
                encoder_num_heads=int(c["encoder_num_heads"]),
                encoder_global_attn_indexes=tuple(int(i) for i in c["encoder_global_attn_indexes"]),
                img_size=int(c.get("img_size", 1024)),
                patch_size=int(c.get("patch_size", 16)),
                window_size=int(c.get("window_size", 14)),
                mlp_ratio=float(c.get("mlp_ratio", 4.0)),
                use_rel_pos=bool(c.get("use_rel_pos", True)),
                qkv_bias=bool(c.get("qkv_bias", True)),
                layer_norm_eps=float(c.get("layer_norm_eps", 1e-6)),
                out_chans=int(c.get("out_chans", 256)),
                prompt_embed_dim=int(c.get("prompt_embed_dim", 256)),
                mask_in_chans=int(c.get("mask_in_chans", 16)),
                decoder_depth=int(dec.get("depth", 2)),
                decoder_mlp_dim=int(dec.get("mlp_dim", 2048)),
                decoder_num_heads=int(dec.get("num_heads", 8)),
                attention_downsample_rate=int(dec.get("attention_downsample_rate", 2)),
                num_multimask_outputs=int(c.get("num_multimask_outputs", 3)),
                iou_head_depth=int(c.get("iou_head_depth", 3)),
                iou_head_hidden_dim=int(c.get("iou_head_hidden_dim", 256)),
                pixel_mean=_triple(data.get("pixel_mean", META_PIXEL_MEAN), f"{source}: pixel_mean"),
                pixel_std=_triple(data.get("pixel_std", META_PIXEL_STD), f"{source}: pixel_std"),
                encoder_type=str(c.get("encoder_type", "vit")),
            )
        except KeyError as missing:
            raise SamToolsError(f"{source}: config is missing {missing}") from None
        except (TypeError, ValueError) as bad:
            raise SamToolsError(f"{source}: bad config value ({bad})") from None
        if grid is not None and list(grid) != [cfg.grid, cfg.grid]:
            raise SamToolsError(f"{source}: image_embedding_size {grid} != img_size/patch_size = {cfg.grid}")
        return cfg.validate()


def _triple(value: Any, what: str) -> Tuple[float, float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        raise SamToolsError(f"{what} must be a list of 3 numbers")
    return (float(value[0]), float(value[1]), float(value[2]))


def _meta(embed_dim: int, depth: int, heads: int, global_attn: List[int]) -> SamConfig:
    return SamConfig(embed_dim, depth, heads, tuple(global_attn)).validate()


# Meta's registry (`segment_anything/build_sam.py`): the encoder differs, everything else is shared.
PRESETS: Dict[str, SamConfig] = {
    "vit_b": _meta(768, 12, 12, [2, 5, 8, 11]),
    "vit_l": _meta(1024, 24, 16, [5, 11, 17, 23]),
    "vit_h": _meta(1280, 32, 16, [7, 15, 23, 31]),
    # Small enough to commit as a test fixture (a few hundred KB of ONNX): S = 256, g = 16, low-res 64,
    # 32 channels. Window 6 does not divide the 16×16 grid, so the window padding path is exercised.
    "tiny_test": SamConfig(
        encoder_embed_dim=32,
        encoder_depth=2,
        encoder_num_heads=2,
        encoder_global_attn_indexes=(1,),
        img_size=256,
        window_size=6,
        out_chans=32,
        prompt_embed_dim=32,
        mask_in_chans=8,
        decoder_mlp_dim=64,
        decoder_num_heads=2,
        iou_head_hidden_dim=32,
    ).validate(),
}


def load_config(path: Path) -> SamConfig:
    """Read a JSON config (conformance format); errors name the file."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SamToolsError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SamToolsError(f"{path}: not a readable JSON config ({error})") from None
    return SamConfig.from_json_dict(data, source=str(path))


def resolve_config(model_type: Optional[str], config_path: Optional[Path]) -> Tuple[SamConfig, str]:
    """`--type` or `--config` → (config, variant name for the manifest)."""
    if config_path is not None:
        return load_config(config_path), "custom"
    if model_type in PRESETS:
        return PRESETS[model_type], model_type
    raise SamToolsError(f"unknown model type {model_type!r}; expected one of {', '.join(PRESETS)} or --config FILE")
