"""tools/count_macs.py (issue 15) counts exactly the multiply-accumulates of a tiny module worked out by hand,
on the meta device as on real tensors, and its SAM counts agree with published figures."""

from __future__ import annotations

import torch
from torch import nn

from count_macs import ARCHITECTURES, count_macs


class Tiny(nn.Module):
    """conv 3→4 3×3 on 8×8 (pad 1), conv-transpose 4→2 2×2 stride 2, linear 16→5, attention-style matmul and
    einsum on [2, 3, 6] — every counted kind once."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.depthwise = nn.Conv2d(4, 4, 3, padding=1, groups=4)
        self.up = nn.ConvTranspose2d(4, 2, 2, stride=2)
        self.linear = nn.Linear(16, 5)

    def forward(self, x: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        y = self.up(self.depthwise(self.conv(x)))  # [1, 2, 16, 16]
        z = self.linear(y)  # [1, 2, 16, 5]
        attn = q @ q.transpose(-1, -2)  # [2, 3, 3]
        out = torch.einsum("bij,bjd->bid", attn, q)  # [2, 3, 6]
        return z.sum() + out.sum()


# By hand: conv 8·8·4 outputs × 3·3·3 = 6912; depthwise 8·8·4 × 1·3·3 = 2304; transpose 8·8·4 inputs × 2·2·2
# = 2048; linear 1·2·16·5 outputs × 16 = 2560; q @ qᵀ 2·3·6·3 = 108; einsum b·i·j·d = 2·3·3·6 = 108.
EXPECTED = {"conv": 6912 + 2304, "conv_transpose": 2048, "linear": 2560, "matmul": 108, "einsum": 108}


def test_counts_a_tiny_module_exactly() -> None:
    model = Tiny().eval()
    counter = count_macs(model, lambda: model(torch.randn(1, 3, 8, 8), torch.randn(2, 3, 6)))
    assert counter.by_kind == EXPECTED
    assert counter.macs == sum(EXPECTED.values())


def test_meta_device_gives_the_same_count() -> None:
    model = Tiny().eval().to("meta")
    counter = count_macs(model, lambda: model(torch.empty(1, 3, 8, 8, device="meta"),
                                              torch.empty(2, 3, 6, device="meta")))
    assert counter.by_kind == EXPECTED


def test_sam_counts_match_published_figures() -> None:
    # SAM ViT-H ~2.98 TMACs per 1024² encode (EdgeSAM's README lists 2734.8 G for SAM without the neck's
    # share of some ops; MobileSAM's paper: ~3 T); MobileSAM's encoder 38.2 G (EdgeSAM README table).
    vit_h, click = ARCHITECTURES["sam-vit-h"]()
    assert 2.7e12 < vit_h < 3.1e12
    assert 1.5e9 < click < 2.2e9
    mobile, _ = ARCHITECTURES["mobile-sam"]()
    assert abs(mobile / 38.2e9 - 1) < 0.05
