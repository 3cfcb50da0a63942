"""The SAM container (Meta's `modeling/sam.py`), building from a config, and loading weights.

`Sam.state_dict()` has exactly the keys and shapes of Meta's `sam_vit_{b,l,h}_*.pth` files: `pixel_mean` and
`pixel_std` are non-persistent buffers, as in Meta's code, so they are not in the checkpoints.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Dict, Iterator, Mapping, Tuple

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from .checkpoint_io import load_checkpoint
from .common import LayerNorm2d
from .config import SamConfig
from .errors import SamToolsError
from .conv_encoder import ImageEncoderConv
from .image_encoder import ImageEncoderViT
from .mask_decoder import MaskDecoder
from .prompt_encoder import PromptEncoder


class Sam(nn.Module):
    mask_threshold: float = 0.0  # logits > 0 are foreground
    image_format: str = "RGB"

    def __init__(self, cfg: SamConfig) -> None:
        super().__init__()
        self.config = cfg
        self.image_encoder = ImageEncoderConv(cfg) if cfg.encoder_type == "conv" else ImageEncoderViT(cfg)
        self.prompt_encoder = PromptEncoder(cfg)
        self.mask_decoder = MaskDecoder(cfg)
        self.register_buffer("pixel_mean", torch.tensor(cfg.pixel_mean).view(-1, 1, 1), persistent=False)
        self.register_buffer("pixel_std", torch.tensor(cfg.pixel_std).view(-1, 1, 1), persistent=False)

    def preprocess(self, x: torch.Tensor) -> torch.Tensor:
        """Resized RGB [B, 3, h, w], 0–255 scale → normalized, zero-padded bottom/right to [B, 3, S, S]."""
        x = (x - self.pixel_mean) / self.pixel_std
        h, w = x.shape[-2:]
        return F.pad(x, (0, self.image_encoder.img_size - w, 0, self.image_encoder.img_size - h))

    def postprocess_masks(
        self, masks: torch.Tensor, input_size: Tuple[int, int], original_size: Tuple[int, int]
    ) -> torch.Tensor:
        """Low-res logits [B, T, 4g, 4g] → logits at the original image size [B, T, H, W].

        Bilinear (align_corners=False) to S×S, crop the padding away (input_size = resized h, w), bilinear to
        original_size (H, W). This is Meta's `Sam.postprocess_masks`.
        """
        s = self.image_encoder.img_size
        masks = F.interpolate(masks, (s, s), mode="bilinear", align_corners=False)
        masks = masks[..., : input_size[0], : input_size[1]]
        return F.interpolate(masks, original_size, mode="bilinear", align_corners=False)


# --- building -------------------------------------------------------------------------------------------

_FACTORIES = {torch.empty, torch.zeros, torch.ones, torch.randn, torch.rand, torch.full, torch.tensor, torch.arange}


class _MetaDeviceFactories(TorchFunctionMode):
    """Routes tensor factories to the `meta` device (torch 1.13 has no `with torch.device('meta')`)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func in _FACTORIES:
            kwargs["device"] = "meta"
        return func(*args, **kwargs)


def build_sam(cfg: SamConfig, on_meta_device: bool = False) -> Sam:
    """An eval-mode model. `on_meta_device` allocates nothing (shapes only), e.g. to list ViT-H's state_dict."""
    cfg.validate()
    with _MetaDeviceFactories() if on_meta_device else contextlib.nullcontext():
        model = Sam(cfg)
    return model.eval()


def randomize_(model: Sam, seed: int) -> Sam:
    """Overwrite every parameter and persistent buffer with seeded random values, in state_dict order.

    Meta's init leaves position embeddings and relative positions at zero and norms at identity; drawing all
    of them makes every term of the computation matter, as in the conformance model. Scales keep activations
    O(1): layer weights ~ N(0, 2/fan_in) (He init), norm gains ~ 1 + N(0, 0.1²), biases ~ N(0, 0.02²), learned
    embeddings and the Fourier matrix ~ N(0, 1), position tables ~ N(0, 0.1²).
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith("num_batches_tracked"):  # batch norm's counter (conv encoder): not a value of the model
                continue
            noise = torch.randn(tensor.shape, generator=generator, dtype=torch.float32)
            if name.endswith("running_var"):  # a variance must stay positive
                tensor.copy_(0.5 + noise.abs() * 0.5)
                continue
            tensor.copy_(noise * _random_scale(model, name, tensor) + (1.0 if _is_norm_gain(model, name) else 0.0))
    return model


def _random_scale(model: nn.Module, name: str, tensor: torch.Tensor) -> float:
    owner = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
    leaf = name.rsplit(".", 1)[-1]
    if leaf in ("pos_embed", "rel_pos_h", "rel_pos_w"):
        return 0.1
    if isinstance(owner, nn.Embedding) or leaf == "positional_encoding_gaussian_matrix":
        return 1.0
    if leaf == "bias":
        return 0.02
    if _is_norm_gain(model, name):
        return 0.1
    if isinstance(owner, nn.ConvTranspose2d):
        return (2 / tensor.shape[0]) ** 0.5  # weight [in, out, k, k]; stride = kernel, so fan-in = in channels
    return (2 / tensor[0].numel()) ** 0.5  # Linear [out, in], Conv2d [out, in, kh, kw]


def _is_norm_gain(model: nn.Module, name: str) -> bool:
    owner = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
    return name.endswith(".weight") and isinstance(owner, (nn.LayerNorm, LayerNorm2d))


# --- checkpoints ----------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_state_dict(path: Path) -> Dict[str, torch.Tensor]:
    """A Meta checkpoint's state_dict (plain, or wrapped under `model` / `state_dict`), loaded as data only
    (`checkpoint_io.load_checkpoint`: a file that would run code is refused)."""
    path = Path(path)
    data = load_checkpoint(path)
    for wrapper in ("model", "state_dict"):
        if isinstance(data, Mapping) and isinstance(data.get(wrapper), Mapping):
            data = data[wrapper]
    if not isinstance(data, Mapping) or not data or not all(isinstance(v, torch.Tensor) for v in data.values()):
        got = type(data).__name__
        raise SamToolsError(f"{path}: not a SAM checkpoint (expected a state_dict of tensors, got {got})")
    return dict(data)


def load_weights(model: Sam, state_dict: Mapping[str, torch.Tensor], source: str) -> Sam:
    """`load_state_dict(strict=True)` with a one-line summary of what does not match, naming `source`."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    wrong_shape = [
        f"{k} {tuple(state_dict[k].shape)}≠{tuple(v.shape)}"
        for k, v in expected.items()
        if k in state_dict and tuple(state_dict[k].shape) != tuple(v.shape)
    ]
    if missing or unexpected or wrong_shape:
        parts = []
        for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong_shape)):
            if keys:
                parts.append(f"{len(keys)} {label} ({_preview(keys)})")
        raise SamToolsError(
            f"{source}: weights do not fit this SAM architecture (check --type/--config): " + "; ".join(parts)
        )
    model.load_state_dict(state_dict, strict=True)
    return model


def _preview(keys, limit: int = 3) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f", … +{len(keys) - limit} more" if len(keys) > limit else "")


def iter_state_dict_shapes(model: Sam) -> Iterator[Tuple[str, Tuple[int, ...]]]:
    for name, tensor in model.state_dict().items():
        yield name, tuple(tensor.shape)
