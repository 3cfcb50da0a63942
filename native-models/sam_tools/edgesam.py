"""EdgeSAM (issue 15): a RepViT image encoder with SAM's prompt encoder and mask decoder, and the graphs of
EdgeSAM's own ONNX export (`scripts/export_onnx_model.py` in chongzhou96/EdgeSAM). See LAYOUTS.md "EdgeSAM".

Encoder (`RepViTEncoder`): image [1, 3, S, S] normalised and zero-padded exactly as Meta's SAM → embedding
[1, C, S/16, S/16]. RepViT's shape: a stem of two stride-2 convolutions (1/4), four stages at 1/4, 1/8, 1/16,
1/32 (each opened by a stride-2 block after the first), blocks that mix tokens with a depthwise 3×3 (+1×1 +
identity, "RepVGG-DW") and an optional squeeze-excite, and channels with a residual 1×1 MLP. EdgeSAM fuses the
1/16 and the 1/32 stage (1×1 projections, the latter upsampled ×2 bilinearly as its ONNX export does) and
ends with SAM's neck.

Decoder (`EdgeSamDecoderGraph`): image_embeddings [1, C, g, g], point_coords [1, N, 2] (model frame, the graph
adds 0.5), point_labels [1, N] float (1/0 points, 2/3 box corners, −1 padding) → scores [1, 4] (IoU head),
masks [1, 4, 4g, 4g] low-res logits of all four tokens. No mask input, no image size, and the graph adds no
padding point: a caller that wants Meta's `SamPredictor` result appends (0, 0, −1) to a prompt without a box.
EdgeSAM's IoU head was not distilled, so its authors pick the candidate by stability score (README; their demo
takes the argmax over all four tokens): `select_by_stability`.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .common import sam_neck
from .config import PRESETS, SamConfig
from .predictor import Predictor, stability_score
from .sam import Sam


def conv_bn(cin: int, cout: int, kernel: int = 1, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)
    )


class SqueezeExcite(nn.Module):
    """Channel gate: x · sigmoid(expand(ReLU(reduce(mean over the plane)))), reduced to a quarter (≥ 8)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        hidden = max(8, channels // 4)
        self.reduce = nn.Conv2d(channels, hidden, 1)
        self.expand = nn.Conv2d(hidden, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = self.expand(F.relu(self.reduce(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(gate)


class RepVggDw(nn.Module):
    """Depthwise 3×3 + depthwise 1×1 + identity (re-parameterisable into one 3×3 at deployment)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv3 = conv_bn(channels, channels, 3, groups=channels)
        self.conv1 = conv_bn(channels, channels, 1, groups=channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv3(x) + self.conv1(x) + x


class RepViTBlock(nn.Module):
    """Token mixer then residual channel mixer (1×1 → GELU → 1×1, hidden 2×). A stride-2 block changes width
    in its token mixer (depthwise 3×3 stride 2, optional SE, 1×1 to the new width)."""

    def __init__(self, cin: int, cout: int, stride: int, squeeze_excite: bool) -> None:
        super().__init__()
        se = SqueezeExcite(cin) if squeeze_excite else nn.Identity()
        if stride == 2:
            self.token_mixer = nn.Sequential(conv_bn(cin, cin, 3, 2, groups=cin), se, conv_bn(cin, cout))
        else:
            assert cin == cout, "a stride-1 RepViT block keeps its width"
            self.token_mixer = nn.Sequential(RepVggDw(cin), se)
        self.channel_mixer = nn.Sequential(conv_bn(cout, 2 * cout), nn.GELU(), conv_bn(2 * cout, cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.token_mixer(x)
        return x + self.channel_mixer(x)


class RepViTEncoder(nn.Module):
    """image [B, 3, S, S] → [B, out_chans, S/16, S/16]; `widths` of the four stages, `depths` blocks each
    (the first block of stages 2..4 is the stride-2 one); SE on every other block, as RepViT alternates."""

    def __init__(self, img_size: int, out_chans: int, widths: Sequence[int], depths: Sequence[int]) -> None:
        super().__init__()
        self.img_size = img_size
        self.stem = nn.Sequential(conv_bn(3, widths[0] // 2, 3, 2), nn.GELU(), conv_bn(widths[0] // 2, widths[0], 3, 2))
        stages, cin, count = [], widths[0], 0
        for stage, (width, depth) in enumerate(zip(widths, depths)):
            blocks = []
            for i in range(depth):
                stride = 2 if stage > 0 and i == 0 else 1
                blocks.append(RepViTBlock(cin, width, stride, squeeze_excite=count % 2 == 0))
                cin, count = width, count + 1
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.ModuleList(stages)
        self.fuse_16 = nn.Conv2d(widths[2], out_chans, 1, bias=False)
        self.fuse_32 = nn.Conv2d(widths[3], out_chans, 1, bias=False)
        self.neck = sam_neck(out_chans, out_chans)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        coarse = F.interpolate(self.fuse_32(features[3]), scale_factor=2.0, mode="bilinear", align_corners=False)
        return self.neck(self.fuse_16(features[2]) + coarse)


TINY_EDGESAM_WIDTHS = (16, 24, 32, 48)
TINY_EDGESAM_DEPTHS = (1, 2, 2, 1)


def build_edgesam(cfg: SamConfig = PRESETS["tiny_test"], widths=TINY_EDGESAM_WIDTHS, depths=TINY_EDGESAM_DEPTHS) -> Sam:
    """SAM's prompt encoder and mask decoder at `cfg`, with a RepViT encoder in place of the ViT (eval mode)."""
    model = Sam(cfg)
    model.image_encoder = RepViTEncoder(cfg.img_size, cfg.out_chans, widths, depths)
    return model.eval()


class EdgeSamDecoderGraph(nn.Module):
    """EdgeSAM's decoder contract (module doc): → (scores [1, 4], masks [1, 4, 4g, 4g])."""

    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.model = model

    @torch.no_grad()
    def forward(self, image_embeddings, point_coords, point_labels):
        prompt_encoder = self.model.prompt_encoder
        sparse = prompt_encoder.embed_labeled_points(point_coords, point_labels)
        dense = prompt_encoder.no_mask_embed.weight.reshape(1, -1, 1, 1)
        masks, scores = self.model.mask_decoder.predict_masks(
            image_embeddings, prompt_encoder.get_dense_pe(), sparse, dense
        )
        return scores, masks


def select_by_stability(low_res: torch.Tensor, threshold: float = 0.0) -> int:
    """The token EdgeSAM's authors keep for a single mask: the highest stability score (offset 1.0) of the
    four tokens' low-res logits [4, L, L] (their `--use-stability-score` export, argmax as in their demo);
    the first on a tie. A token with no logit above threshold − 1 (0/0) scores 0, so an empty mask is never
    preferred (NumPy's argmax in their demo would pick the NaN)."""
    scores = torch.nan_to_num(stability_score(low_res, threshold, 1.0), nan=0.0)
    return int(torch.argmax(scores).item())


class EdgeSamPredictor(Predictor):
    """Meta's `SamPredictor` on an EdgeSAM model, with EdgeSAM's single-mask rule: multimask returns tokens
    1..3 in decoder order; otherwise the one token of the four with the highest low-res stability score. No
    mask input (EdgeSAM's export has none)."""

    @torch.no_grad()
    def predict(self, point_coords=None, point_labels=None, box=None, mask_input=None, multimask_output=True):
        if mask_input is not None:
            raise ValueError("EdgeSAM's decoder export takes no mask input")
        meta = super().predict(point_coords, point_labels, box, None, True)  # points, coords, padding as Meta
        if multimask_output:
            return meta
        coords = torch.as_tensor(meta.point_coords)[None]
        labels = torch.as_tensor(meta.point_labels)[None]
        graph = EdgeSamDecoderGraph(self.model)
        scores, low_res = graph(self.features, coords, labels)
        token = select_by_stability(low_res[0], self.model.mask_threshold)
        chosen = low_res[:, token : token + 1]
        logits = self.model.postprocess_masks(chosen, self.input_size, self.original_size)
        return dataclasses.replace(
            meta,
            masks=(logits > self.model.mask_threshold)[0].numpy(),
            logits=logits[0].numpy(),
            iou_predictions=scores[0, token : token + 1].numpy(),
            low_res_logits=chosen[0].numpy(),
            stability_scores=stability_score(logits, self.model.mask_threshold, 1.0)[0].numpy(),
            output_index=[token],
        )
