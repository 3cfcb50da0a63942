"""SAM 2 / 2.1 image-mode hyper-parameters: Meta's eight presets and the JSON form of `sam2.1_test.json`.

Meta hard-codes a 1024-pixel input, a 256-channel neck/prompt/decoder width, an 8-head decoder with a 2048-wide
MLP and a 256-wide IoU head; here they are parameters so a fixture model can be S = 256 with 32 channels.
Frames: the encoder sees an S×S image (a stretch of the original, no padding); the image embedding is g×g with
g = S/16, the high-res features are 4g×4g (`high_res_feats_0`) and 2g×2g (`high_res_feats_1`); low-res masks
are 4g×4g (256 for Meta's models).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from ..errors import SamToolsError

IMAGENET_MEAN = (0.485, 0.456, 0.406)  # on the 0..1 scale (SAM2Transforms)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclasses.dataclass(frozen=True)
class Sam2Config:
    """Every hyper-parameter of the image path (names as in Meta's YAML where one exists)."""

    # Hiera trunk (`model.image_encoder.trunk`)
    embed_dim: int = 96
    num_heads: int = 1
    stages: Tuple[int, ...] = (2, 3, 16, 3)
    global_att_blocks: Tuple[int, ...] = (12, 16, 20)
    window_pos_embed_bkg_spatial_size: Tuple[int, int] = (14, 14)
    window_spec: Tuple[int, ...] = (8, 4, 14, 7)
    q_pool: int = 3
    dim_mul: float = 2.0
    head_mul: float = 2.0
    # FPN neck (`model.image_encoder.neck`) and the image encoder's scalp
    d_model: int = 256
    fpn_top_down_levels: Tuple[int, ...] = (2, 3)
    fpn_interp_model: str = "nearest"
    scalp: int = 1
    # SAM heads (`SAM2Base._build_sam_heads`, hard-coded there except the flags)
    image_size: int = 1024
    mask_in_chans: int = 16
    decoder_depth: int = 2
    decoder_mlp_dim: int = 2048
    decoder_num_heads: int = 8
    iou_head_hidden_dim: int = 256
    use_high_res_features_in_sam: bool = True
    iou_prediction_use_sigmoid: bool = True
    pred_obj_scores: bool = True
    pred_obj_scores_mlp: bool = True
    directly_add_no_mem_embed: bool = True
    # build_sam2(apply_postprocessing=True) turns the dynamic single-mask rule on with these values
    dynamic_multimask_stability_delta: float = 0.05
    dynamic_multimask_stability_thresh: float = 0.98

    @property
    def grid(self) -> int:
        """Side g of the image embedding (backbone stride 16; 64 for Meta's models)."""
        return self.image_size // 16

    @property
    def low_res_size(self) -> int:
        return 4 * self.grid

    @property
    def backbone_channel_list(self) -> Tuple[int, ...]:
        """Trunk output widths, lowest resolution first (what the neck's `convs` take, in order)."""
        widths = [int(self.embed_dim * self.dim_mul**i) for i in range(len(self.stages))]
        return tuple(reversed(widths))

    def validate(self) -> "Sam2Config":
        problems = []
        if len(self.stages) != 4 or len(self.window_spec) != 4:
            problems.append("stages and window_spec need 4 entries (Hiera's 4 stages)")
        if self.image_size % 32:
            problems.append(f"image_size {self.image_size} is not a multiple of 32")
        if self.scalp != 1 or self.use_high_res_features_in_sam is not True:
            problems.append("image mode here needs scalp 1 and use_high_res_features_in_sam (every SAM 2 config)")
        elif (self.image_size // 4) % self.window_spec[0]:
            problems.append(f"image_size/4 = {self.image_size // 4} is not a multiple of window_spec[0] "
                            f"{self.window_spec[0]} (the tiled window position embedding)")
        if self.d_model % 8 or self.d_model % self.decoder_num_heads:
            problems.append(f"d_model {self.d_model} must divide by 8 and by decoder_num_heads")
        ends = [sum(self.stages[: i + 1]) for i in range(len(self.stages) - 1)][: self.q_pool]
        odd = [b for i, b in enumerate(ends) if b not in self.global_att_blocks and self.window_spec[i] % 2]
        if odd:
            problems.append(f"q-pooling blocks {odd} need an even window (window_spec {list(self.window_spec)})")
        if self.fpn_interp_model not in ("nearest", "bilinear"):
            problems.append(f"fpn_interp_model {self.fpn_interp_model!r} is not nearest/bilinear")
        if problems:
            raise SamToolsError("SAM 2 config: " + "; ".join(problems))
        return self

    def to_json_dict(self) -> Dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}


def _hiera(embed_dim, num_heads, stages, global_att, bkg=(7, 7), window_spec=(8, 4, 14, 7)) -> Sam2Config:
    return Sam2Config(embed_dim=embed_dim, num_heads=num_heads, stages=stages, global_att_blocks=global_att,
                      window_pos_embed_bkg_spatial_size=bkg, window_spec=window_spec)


# SAM 2 and SAM 2.1 share the image path; 2.1 only changes video modules (checked against Meta's YAML files).
_SIZES = {
    "hiera_t": _hiera(96, 1, (1, 2, 7, 2), (5, 7, 9)),
    "hiera_s": _hiera(96, 1, (1, 2, 11, 2), (7, 10, 13)),
    "hiera_b+": _hiera(112, 2, (2, 3, 16, 3), (12, 16, 20), bkg=(14, 14)),
    "hiera_l": _hiera(144, 2, (2, 6, 36, 4), (23, 33, 43), window_spec=(8, 4, 16, 8)),
}
PRESETS: Dict[str, Sam2Config] = {
    f"{family}_{size}": cfg for family in ("sam2.1", "sam2") for size, cfg in _SIZES.items()
}


def from_meta_json(data: Dict[str, Any], source: str) -> Sam2Config:
    """The resolved Meta config of `sam2.1_test.json` (`model.image_encoder.{trunk,neck,scalp}` + flags), or this
    dataclass's own `to_json_dict` form (what a manifest records)."""
    if "model" not in data:
        fields = {f.name for f in dataclasses.fields(Sam2Config)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise SamToolsError(f"{source}: unknown SAM 2 config fields {unknown}")
        return Sam2Config(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}).validate()
    try:
        model = data["model"]
        encoder = model["image_encoder"]
        trunk, neck = encoder["trunk"], encoder["neck"]
        base = Sam2Config()
        values = dict(
            embed_dim=trunk.get("embed_dim", base.embed_dim),
            num_heads=trunk.get("num_heads", base.num_heads),
            stages=tuple(trunk.get("stages", base.stages)),
            global_att_blocks=tuple(trunk.get("global_att_blocks", base.global_att_blocks)),
            window_pos_embed_bkg_spatial_size=tuple(
                trunk.get("window_pos_embed_bkg_spatial_size", base.window_pos_embed_bkg_spatial_size)),
            window_spec=tuple(trunk.get("window_spec", base.window_spec)),
            q_pool=trunk.get("q_pool", base.q_pool),
            dim_mul=trunk.get("dim_mul", base.dim_mul),
            head_mul=trunk.get("head_mul", base.head_mul),
            d_model=neck["d_model"],
            fpn_top_down_levels=tuple(neck.get("fpn_top_down_levels", (0, 1, 2, 3))),
            fpn_interp_model=neck.get("fpn_interp_model", "bilinear"),
            scalp=encoder.get("scalp", 0),
            image_size=model.get("image_size", 512),
        )
        for flag in ("use_high_res_features_in_sam", "iou_prediction_use_sigmoid", "pred_obj_scores",
                     "pred_obj_scores_mlp", "directly_add_no_mem_embed"):
            values[flag] = bool(model.get(flag, False))
        cfg = Sam2Config(**values)
        declared = neck.get("backbone_channel_list")
    except (KeyError, TypeError, AttributeError) as error:
        raise SamToolsError(f"{source}: not a SAM 2 config (missing or malformed {error})") from None
    if declared is not None and tuple(declared) != cfg.backbone_channel_list:
        raise SamToolsError(f"{source}: neck.backbone_channel_list {declared} does not match the trunk's widths "
                            f"{list(cfg.backbone_channel_list)}")
    return cfg.validate()


def load_config(path: Path) -> Sam2Config:
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SamToolsError(f"{path}: cannot read the SAM 2 config ({error})") from None
    return from_meta_json(data, str(path))


def resolve_config(model_type: Optional[str], config_path: Optional[Path]) -> Tuple[Sam2Config, str]:
    """(--type or --config) → (config, variant name for the manifest)."""
    if config_path is not None:
        return load_config(config_path), "custom"
    if model_type in PRESETS:
        return PRESETS[model_type], model_type
    raise SamToolsError(f"unknown SAM 2 type {model_type!r}; expected one of {', '.join(PRESETS)} or --config FILE")
