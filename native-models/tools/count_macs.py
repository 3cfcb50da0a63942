"""Count the multiply-accumulates of one encode and one click of every catalog architecture (issue 15).

The catalog's `gmacs` fields (electron/models/catalog.ts) come from this table; the speed estimate scales this
machine's measured throughput by them. Counted on the project's PyTorch references (sam_tools) at the real
sizes, on the `meta` device (shapes only: nothing is allocated or computed, so ViT-H takes a second):

- forward hooks on nn.Linear (output elements × in_features), nn.Conv2d (output elements × in/groups × kh × kw)
  and nn.ConvTranspose2d (input elements × out/groups × kh × kw);
- a TorchFunctionMode for the products that are not modules: matmul / @ / bmm / einsum in attention
  (batch × n × k × m; einsum: the product of every index size).
Element-wise work (norms, activations, softmax, interpolation) is not counted: it is a few percent of these.

One click = the prompt encoder and mask decoder on one point plus Meta's padding point, all four tokens at low
resolution (what the app's decoder graphs compute before the chosen mask is upsampled).

Usage: /usr/bin/python3 native-models/tools/count_macs.py [--json]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from math import prod
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sam_tools.sam import _MetaDeviceFactories  # noqa: E402


def _matmul_macs(a: torch.Size, b: torch.Size) -> int:
    if len(a) == 1 and len(b) == 1:
        return a[0]
    if len(a) == 1:
        a = torch.Size([1, a[0]])
    if len(b) == 1:
        b = torch.Size([b[0], 1])
    batch = torch.broadcast_shapes(a[:-2], b[:-2])
    return prod(batch) * a[-2] * a[-1] * b[-1]


def _einsum_macs(equation: str, operands) -> int:
    inputs = equation.replace(" ", "").split("->")[0].split(",")
    sizes: Dict[str, int] = {}
    for spec, tensor in zip(inputs, operands):
        if "..." in spec:
            raise ValueError(f"einsum with an ellipsis is not counted: {equation}")
        for letter, size in zip(spec, tensor.shape):
            sizes[letter] = size
    return prod(sizes.values())


_MATMULS = {"matmul", "__matmul__", "__rmatmul__", "bmm", "mm"}


class MacCounter(TorchFunctionMode):
    """Counts matmul-family products while active; module hooks add Linear / Conv / ConvTranspose."""

    def __init__(self) -> None:
        super().__init__()
        self.macs = 0
        self.by_kind: Dict[str, int] = {}

    def add(self, kind: str, macs: int) -> None:
        self.macs += macs
        self.by_kind[kind] = self.by_kind.get(kind, 0) + macs

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if name in _MATMULS:
            a, b = (args[1], args[0]) if name == "__rmatmul__" else (args[0], args[1])
            self.add("matmul", _matmul_macs(a.shape, b.shape))
        elif name == "einsum":
            equation, *rest = args
            operands = rest[0] if len(rest) == 1 and isinstance(rest[0], (list, tuple)) else rest
            self.add("einsum", _einsum_macs(equation, operands))
        return func(*args, **kwargs)


def _hook(counter: MacCounter):
    def hook(module: nn.Module, inputs, output) -> None:
        if isinstance(module, nn.Linear):
            counter.add("linear", output.numel() * module.in_features)
        elif isinstance(module, nn.ConvTranspose2d):
            kh, kw = module.kernel_size
            counter.add("conv_transpose", inputs[0].numel() * module.out_channels // module.groups * kh * kw)
        elif isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            counter.add("conv", output.numel() * module.in_channels // module.groups * kh * kw)

    return hook


def count_macs(module: nn.Module, run: Callable[[], object]) -> MacCounter:
    """MACs of `run()` (which calls `module`, or parts of it) with hooks on every layer of `module`."""
    counter = MacCounter()
    handles = [m.register_forward_hook(_hook(counter)) for m in module.modules()
               if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d))]
    try:
        with torch.no_grad(), counter:
            run()
    finally:
        for h in handles:
            h.remove()
    return counter


# --- the catalog's architectures -------------------------------------------------------------------------

def _meta(shape: Tuple[int, ...]) -> torch.Tensor:
    return torch.empty(shape, device="meta")


def _sam1(encoder: str):
    from sam_tools.config import PRESETS
    from sam_tools.sam import build_sam

    cfg = PRESETS[encoder]
    return build_sam(cfg, on_meta_device=True), cfg


def _with_encoder(make_encoder):
    """SAM 1's prompt encoder and decoder (Meta's sizes) with another image encoder, on the meta device."""
    from sam_tools.config import PRESETS
    from sam_tools.sam import build_sam

    cfg = PRESETS["vit_b"]
    model = build_sam(cfg, on_meta_device=True)
    with _MetaDeviceFactories():
        model.image_encoder = make_encoder(cfg)
    return model, cfg


def _mobile_sam():
    from sam_tools.tinyvit import TinyViTEncoder

    return _with_encoder(lambda cfg: TinyViTEncoder(cfg.img_size, cfg.out_chans).eval())


def _efficientvit(depths, neck_depth):
    from sam_tools.efficientvit import EfficientViTSamEncoder

    # L0 / L1 (mit-han-lab efficientvit `efficientvit_sam_l0/l1`): widths 32…512, the encoder sees 512 px.
    return _with_encoder(
        lambda cfg: EfficientViTSamEncoder(512, cfg.out_chans, depths=depths, neck_depth=neck_depth).eval())


def _edgesam():
    from sam_tools.edgesam import RepViTEncoder

    # RepViT-M1 as EdgeSAM builds it (edge_sam/modeling/rep_vit.py m1_cfgs): widths 48/96/192/384, 3/4/16/3 blocks.
    return _with_encoder(lambda cfg: RepViTEncoder(cfg.img_size, cfg.out_chans, (48, 96, 192, 384), (3, 4, 16, 3)))


def _sam1_counts(model, cfg) -> Tuple[int, int]:
    s, g, c = cfg.img_size, cfg.grid, cfg.out_chans
    encoder = count_macs(model.image_encoder, lambda: model.image_encoder(_meta((1, 3, s, s)))).macs

    def click():
        coords, labels = _meta((1, 2, 2)), _meta((1, 2))
        sparse, dense = model.prompt_encoder(points=(coords, labels), boxes=None, masks=None)
        model.mask_decoder(_meta((1, c, g, g)), model.prompt_encoder.get_dense_pe(), sparse, dense, True)

    return encoder, count_macs(model, click).macs


def _sam2_counts(size: str) -> Tuple[int, int]:
    from sam_tools.sam2.config import PRESETS
    from sam_tools.sam2.model import build_sam2

    cfg = PRESETS[f"sam2.1_hiera_{size}"]
    model = build_sam2(cfg, on_meta_device=True)
    s = cfg.image_size
    features: List[torch.Tensor] = []
    encoder = count_macs(model, lambda: features.extend(model.encode(_meta((1, 3, s, s))))).macs
    decoder = count_macs(model, lambda: model.decode_all(tuple(features), _meta((1, 1, 2)), _meta((1, 1)))).macs
    return encoder, decoder


ARCHITECTURES: Dict[str, Callable[[], Tuple[int, int]]] = {
    "sam-vit-b": lambda: _sam1_counts(*_sam1("vit_b")),
    "sam-vit-l": lambda: _sam1_counts(*_sam1("vit_l")),
    "sam-vit-h": lambda: _sam1_counts(*_sam1("vit_h")),
    "mobile-sam": lambda: _sam1_counts(*_mobile_sam()),
    "efficientvit-sam-l0": lambda: _sam1_counts(*_efficientvit((1, 1, 1, 4, 4), 4)),
    "efficientvit-sam-l1": lambda: _sam1_counts(*_efficientvit((1, 1, 1, 6, 6), 8)),
    "edgesam": lambda: _sam1_counts(*_edgesam()),
    "sam2.1-hiera-tiny": lambda: _sam2_counts("t"),
    "sam2.1-hiera-small": lambda: _sam2_counts("s"),
    "sam2.1-hiera-base-plus": lambda: _sam2_counts("b+"),
    "sam2.1-hiera-large": lambda: _sam2_counts("l"),
}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print {name: {encoder, decoder}} in GMACs")
    parser.add_argument("names", nargs="*", help=f"architectures (default all: {', '.join(ARCHITECTURES)})")
    args = parser.parse_args(argv)
    rows = {}
    for name in args.names or ARCHITECTURES:
        encoder, decoder = ARCHITECTURES[name]()
        rows[name] = {"encoder": round(encoder / 1e9, 2), "decoder": round(decoder / 1e9, 3)}
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(f"{'architecture':<24} {'encode GMACs':>13} {'click GMACs':>12}")
        for name, row in rows.items():
            print(f"{name:<24} {row['encoder']:>13.2f} {row['decoder']:>12.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
