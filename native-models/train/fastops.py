"""Faster CPU training for SAM's non-overlapping convolutions, same parameters and same function.

SAM's patch embedding (k = s = 16) and the mask-input downscaling (k = s = 2) are convolutions whose windows
do not overlap, i.e. one matrix product per patch. PyTorch's CPU convolution backward is slow for them;
`accelerate_` replaces the modules' forward by the equivalent reshape + matmul. The state_dict and the
exported graphs are unchanged (export builds fresh modules); `tests/test_training.py` checks that outputs
and gradients agree. The decoder's transposed convolutions (k = s = 2) become a 1×1 convolution to 4× the channels
and a pixel shuffle: their CPU backward (`slow_conv_transpose2d`) was ~40 ms a call. (A reshape + matmul rewrite
of them gave wrong gradients on torch 1.13 inside the decoder, though it passed in isolation; this one agrees.)
The decoder's hypernetwork product (mask tokens × upscaled features) becomes an einsum with a fast backward.
"""

from __future__ import annotations

import types

import torch
import torch.nn.functional as F
from torch import nn

from sam_tools.mask_decoder import MaskDecoder


def _patch_conv(self: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """[B, Cin, H, W] → [B, Cout, H/k, W/k] for kernel = stride = k, no padding."""
    k = self.kernel_size[0]
    b, c, h, w = x.shape
    patches = x.reshape(b, c, h // k, k, w // k, k).permute(0, 2, 4, 1, 3, 5).reshape(b * (h // k) * (w // k), -1)
    y = F.linear(patches, self.weight.reshape(self.out_channels, -1), self.bias)
    return y.reshape(b, h // k, w // k, -1).permute(0, 3, 1, 2)


def _upscale_conv_transpose(self: nn.ConvTranspose2d, x: torch.Tensor, output_size=None) -> torch.Tensor:
    """[B, Cin, H, W] → [B, Cout, kH, kW] for kernel = stride = k, no padding: every input pixel writes its own
    k×k block, i.e. a 1×1 convolution to Cout·k² channels ordered (Cout, ky, kx), then a pixel shuffle."""
    k = self.kernel_size[0]
    c, out = self.in_channels, self.out_channels
    weight = self.weight.reshape(c, out * k * k).t().reshape(out * k * k, c, 1, 1)
    y = F.pixel_shuffle(F.conv2d(x, weight), k)
    return y if self.bias is None else y + self.bias[None, :, None, None]


def _weigh_features_einsum(self, hyper_in: torch.Tensor, upscaled: torch.Tensor) -> torch.Tensor:
    """The mask decoder's hypernetwork product as an einsum: the same sums, but its backward avoids the batched
    matmul that reduces over the h·w axis into a tiny [T, c] result (~250 ms → ~40 ms at 16 × 128² on 1 core)."""
    b, c, h, w = upscaled.shape
    return torch.einsum("btc,bcp->btp", hyper_in, upscaled.reshape(b, c, h * w)).reshape(b, -1, h, w)


def accelerate_(model: nn.Module) -> nn.Module:
    for module in model.modules():
        if isinstance(module, MaskDecoder):
            module.weigh_features = types.MethodType(_weigh_features_einsum, module)
        plain = (
            module.kernel_size[0] == module.kernel_size[1] == module.stride[0] == module.stride[1]
            and module.padding in ((0, 0), 0)
            and module.dilation in ((1, 1), 1)
            and module.groups == 1
        ) if isinstance(module, nn.Conv2d) else False
        transposed = isinstance(module, nn.ConvTranspose2d) and (
            module.kernel_size[0] == module.kernel_size[1] == module.stride[0] == module.stride[1]
            and module.padding == (0, 0) and module.output_padding == (0, 0) and module.dilation == (1, 1)
            and module.groups == 1
        )
        if transposed:
            module.forward = types.MethodType(_upscale_conv_transpose, module)
        elif plain and module.kernel_size[0] > 1:
            module.forward = types.MethodType(_patch_conv, module)
    return model
