"""SAM 2 / 2.1 image mode as one module: encoder (Hiera + FPN + conv_s0/conv_s1 + `no_mem_embed`), prompt
encoder and mask decoder; building, seeded random weights and loading Meta's `{"model": state_dict}` files.

`Sam2Image.state_dict()` holds exactly the image-mode tensors of Meta's `sam2*_hiera_*.pt` (names and shapes);
the video modules' tensors (memory attention, memory encoder, object pointers, …) are skipped by the loader.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import torch
from torch import nn

from ..checkpoint_io import load_checkpoint
from ..config import SamConfig
from ..errors import SamToolsError
from ..prompt_encoder import PromptEncoder
from ..sam import _MetaDeviceFactories, _preview, randomize_
from .config import Sam2Config
from .decoder import Sam2MaskDecoder, select_tokens
from .hiera import ImageEncoder

IMAGE_MODE_PREFIXES = ("image_encoder.", "sam_prompt_encoder.", "sam_mask_decoder.", "no_mem_embed")


class Sam2Image(nn.Module):
    mask_threshold = 0.0

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        self.config = cfg
        self.image_encoder = ImageEncoder(cfg)
        # SAM 2's prompt encoder is SAM 1's (same names, same −1/0/1/2/3 label codes); only its frame differs.
        self.sam_prompt_encoder = PromptEncoder(_prompt_config(cfg))
        self.sam_mask_decoder = Sam2MaskDecoder(cfg)
        self.no_mem_embed = nn.Parameter(torch.zeros(1, 1, cfg.d_model))

    def encode(self, image: torch.Tensor, pos: Optional[torch.Tensor] = None):
        """Normalized image [B, 3, S, S] → (image_embed [B, C, g, g] with `no_mem_embed` added,
        high_res_feats_0 [B, C/8, 4g, 4g], high_res_feats_1 [B, C/4, 2g, 2g]): the predictor's `_features`.
        `pos`: see `Hiera.forward`."""
        s4, s8, s16 = self.image_encoder(image, pos)
        decoder = self.sam_mask_decoder
        embed = s16 + self.no_mem_embed.reshape(1, -1, 1, 1) if self.config.directly_add_no_mem_embed else s16
        return embed, decoder.conv_s0(s4), decoder.conv_s1(s8)

    def embed_prompts(
        self, coords: torch.Tensor, labels: torch.Tensor, mask_input: Optional[torch.Tensor], pad: bool = True
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """coords [N, P, 2] model-frame pixels, labels [N, P] (box corners 2, 3 first, then 1/0 clicks) →
        (sparse [N, P(+1), C], dense [N or 1, C, g, g]). `pad` appends Meta's (0, 0) label −1 padding point,
        which SAM 2's predictor always gets (it passes boxes as points, so `boxes is None`)."""
        if pad:
            coords = torch.cat([coords, torch.zeros_like(coords[:, :1])], dim=1)
            labels = torch.cat([labels, -torch.ones_like(labels[:, :1])], dim=1)
        encoder = self.sam_prompt_encoder
        sparse = encoder.embed_labeled_points(coords, labels)
        dense = encoder.embed_mask(mask_input) if mask_input is not None else encoder.no_mask_dense(1)
        return sparse, dense

    def decode_all(self, features, coords, labels, mask_input=None, pad: bool = True):
        """features = encode()'s triple → (low-res logits [N, 4, 4g, 4g], IoU [N, 4], object score [N, 1])."""
        embed, s0, s1 = features
        sparse, dense = self.embed_prompts(coords, labels, mask_input, pad)
        pe = self.sam_prompt_encoder.get_dense_pe()
        return self.sam_mask_decoder.predict_masks(embed, pe, sparse, dense, s0, s1)

    def select(self, masks: torch.Tensor, iou: torch.Tensor, multimask_output: bool):
        cfg = self.config
        return select_tokens(masks, iou, multimask_output, cfg.dynamic_multimask_stability_delta,
                             cfg.dynamic_multimask_stability_thresh)


def _prompt_config(cfg: Sam2Config) -> SamConfig:
    """The fields of SAM 1's config that its prompt encoder reads (frame S, grid S/16, width, mask channels)."""
    return SamConfig(encoder_embed_dim=cfg.embed_dim, encoder_depth=1, encoder_num_heads=1,
                     encoder_global_attn_indexes=(), img_size=cfg.image_size, patch_size=16,
                     prompt_embed_dim=cfg.d_model, mask_in_chans=cfg.mask_in_chans)


def build_sam2(cfg: Sam2Config, on_meta_device: bool = False) -> Sam2Image:
    """An eval-mode model; `on_meta_device` allocates nothing (shapes only, e.g. to check Hiera-L's names)."""
    cfg.validate()
    with _MetaDeviceFactories() if on_meta_device else contextlib.nullcontext():
        model = Sam2Image(cfg)
    return model.eval()


def randomize_sam2_(model: Sam2Image, seed: int) -> Sam2Image:
    """Seeded random values for every tensor (SAM 1's `randomize_` scales; see sam.py)."""
    return randomize_(model, seed)


def read_checkpoint(path: Path) -> Dict[str, torch.Tensor]:
    """Meta's `sam2*.pt` (`{"model": state_dict}`) → the state_dict, read as data only
    (`checkpoint_io.load_checkpoint`: a file that would run code is refused, as for SAM 1)."""
    data = load_checkpoint(path)
    if isinstance(data, Mapping) and isinstance(data.get("model"), Mapping):
        data = data["model"]
    if not isinstance(data, Mapping) or not data or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise SamToolsError(f"{path}: not a SAM 2 checkpoint (expected {{'model': state_dict of tensors}})")
    return dict(data)


def check_shapes(model: Sam2Image, shapes: Mapping[str, Tuple[int, ...]], source: str) -> List[str]:
    """Strict name-and-shape check of a checkpoint's image-mode tensors against `model`; → the skipped
    (video-only) names. Raises naming `source` and the first mismatches."""
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    image_mode = {k: tuple(v) for k, v in shapes.items() if k.startswith(IMAGE_MODE_PREFIXES)}
    skipped = sorted(k for k in shapes if not k.startswith(IMAGE_MODE_PREFIXES))
    missing = [k for k in expected if k not in image_mode]
    unexpected = [k for k in image_mode if k not in expected]
    wrong = [f"{k} {image_mode[k]}≠{v}" for k, v in expected.items() if k in image_mode and image_mode[k] != v]
    if missing or unexpected or wrong:
        parts = [f"{len(keys)} {label} ({_preview(keys)})"
                 for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong)) if keys]
        raise SamToolsError(f"{source}: weights do not fit this SAM 2 architecture (check --type/--config): "
                            + "; ".join(parts))
    return skipped


def load_sam2_weights(model: Sam2Image, state_dict: Mapping[str, torch.Tensor], source: str) -> List[str]:
    """Load the image-mode tensors strictly by name and shape; → the skipped video-only names."""
    skipped = check_shapes(model, {k: tuple(v.shape) for k, v in state_dict.items()}, source)
    model.load_state_dict({k: v for k, v in state_dict.items() if k.startswith(IMAGE_MODE_PREFIXES)}, strict=True)
    return skipped
