"""The fast CPU SAM variants in the ONNX layouts other tools publish (issue 15), and their PyTorch references.

Layouts (each contract as its exporter writes it; the exporters were read, not copied):
  mobile-sam-preprocess   samexporter `export_encoder.py --use-preprocess` (X-AnyLabeling's `mobile_sam.encoder.onnx`):
                          input_image float32 [h, w, 3] (dynamic h, w), RGB 0–255 ALREADY resized by the caller so
                          its long side is S; the graph normalises (0–255 scale), moves channels first and zero-pads
                          to S×S → image_embeddings. Decoder: Meta's export, unchanged.
  efficientvit-xanylabeling  X-AnyLabeling's EfficientViT-SAM re-export: input_image uint8 [H, W, 3] (dynamic), the
                          raw image; the graph resizes the long side to Se (bilinear), normalises, pads → embeddings.
                          Decoder: Meta's 6-in/3-out contract with `--return-single-mask` (iou_predictions [1, 1],
                          as X-AnyLabeling's `efficientvit_sam_l0_vit_h.decoder.onnx`), frame 2 · Se (= 16 × grid).
  efficientvit-official   mit-han-lab's `deployment/onnx/export_{encoder,decoder}.py`: input_image float32
                          [1, 3, Se, Se] pre-normalised and padded; decoder image_embeddings, point_coords [B, N, 2],
                          point_labels [B, N] (frame 2 · Se) → masks [B, 4, 4g, 4g] low-res logits, iou_predictions
                          [B, 4]; no mask input, no size input.
"""

from __future__ import annotations

from typing import List

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .config import PRESETS, SamConfig
from .efficientvit import EfficientViTSamEncoder
from .exporter import GraphSpec
from .onnx_models import BatchDecoderGraph, ImageEncoderGraph, MetaDecoderGraph
from .predictor import Prediction, Predictor, preprocess_shape, resize_image
from .sam import Sam, build_sam, randomize_
from .tinyvit import TinyViTEncoder

FAST_LAYOUTS = ("mobile-sam-preprocess", "efficientvit-xanylabeling", "efficientvit-official")


def tiny_mobile_sam(seed: int) -> Sam:
    """SAM tiny_test (S = 256, 32 channels) with a tiny TinyViT encoder instead of the ViT."""
    cfg: SamConfig = PRESETS["tiny_test"]
    model = build_sam(cfg)
    model.image_encoder = TinyViTEncoder(
        cfg.img_size, cfg.out_chans, dims=(16, 24, 32, 48), depths=(1, 1, 2, 1), heads=(1, 2, 2, 3),
        windows=(4, 5, 6, 5), mlp_ratio=2.0,  # windows that do not divide the 32/16/16 grids: the padding path
    )
    return _tame_batch_norms(randomize_(model.eval(), seed), seed)


def tiny_efficientvit_sam(seed: int) -> Sam:
    """SAM tiny_test decoder (frame 256, 16×16 grid, 32 channels) with a tiny EfficientViT-SAM encoder (Se = 128)."""
    cfg: SamConfig = PRESETS["tiny_test"]
    model = build_sam(cfg)
    model.image_encoder = EfficientViTSamEncoder(
        cfg.img_size // 2, cfg.out_chans, widths=(8, 16, 24, 32, 48), depths=(1, 1, 1, 1, 1), head_dim=8,
        neck_width=32, neck_depth=1, expand=2.0,
    )
    return _tame_batch_norms(randomize_(model.eval(), seed), seed)


def _tame_batch_norms(model: Sam, seed: int) -> Sam:
    """Batch-norm gains ~ 0.5 + N(0, 0.05²), so activations stay O(1) (`randomize_`'s He scale for a 1-D
    weight is √2, which over a conv stack without other normalisation grows activations to ~1e8)."""
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for module in model.image_encoder.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.copy_(0.5 + 0.05 * torch.randn(module.weight.shape, generator=generator))
    return model


class HwcPreprocessEncoderGraph(nn.Module):
    """samexporter --use-preprocess: resized RGB float32 [h, w, 3] (long side S, 0–255) → [1, C, g, g]."""

    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.image_encoder = model.image_encoder
        self.register_buffer("mean", torch.tensor(model.config.pixel_mean), persistent=False)
        self.register_buffer("std", torch.tensor(model.config.pixel_std), persistent=False)

    def forward(self, input_image: torch.Tensor) -> torch.Tensor:
        x = ((input_image - self.mean) / self.std).permute(2, 0, 1)
        s = self.image_encoder.img_size
        return self.image_encoder(F.pad(x, (0, s - x.shape[2], 0, s - x.shape[1]))[None])


class RawUint8EncoderGraph(nn.Module):
    """X-AnyLabeling's EfficientViT-SAM encoder: raw RGB uint8 [H, W, 3] → [1, C, g, g]; the graph resizes the
    long side to Se (bilinear, no antialias, sides rounded half up as Meta's `get_preprocess_shape`), normalises
    and zero-pads to Se×Se."""

    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.image_encoder = model.image_encoder
        self.register_buffer("mean", torch.tensor(model.config.pixel_mean).view(3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(model.config.pixel_std).view(3, 1, 1), persistent=False)

    def forward(self, input_image: torch.Tensor) -> torch.Tensor:
        se = self.image_encoder.input_size
        hw = torch._shape_as_tensor(input_image)[:2].to(torch.float32)  # a Shape node: stays dynamic when traced
        new_hw = torch.floor(hw * (se / hw.max()) + 0.5).to(torch.int64)
        x = input_image.permute(2, 0, 1)[None].to(torch.float32)
        x = F.interpolate(x, size=(new_hw[0], new_hw[1]), mode="bilinear", align_corners=False)
        x = (x - self.mean) / self.std
        return self.image_encoder(F.pad(x, (0, se - x.shape[3], 0, se - x.shape[2])))


class EfficientVitDecoderGraph(nn.Module):
    """The official EfficientViT-SAM decoder contract: no mask input (no_mask_embed), low-res outputs of all four
    tokens, `masks` first (the batch graph's computation with the official names and output order)."""

    def __init__(self, model: Sam) -> None:
        super().__init__()
        self.batch = BatchDecoderGraph(model)

    def forward(self, image_embeddings, point_coords, point_labels):
        iou, low_res = self.batch(image_embeddings, point_coords, point_labels)
        return low_res, iou


class MetaSingleMaskDecoderGraph(MetaDecoderGraph):
    """Meta's `SamOnnxModel(return_single_mask=True)`: of the four tokens keep one, token 0 when the prompt has more
    than 2.5 points (padding and box corners included), else the best of tokens 1..3 by predicted IoU
    (`select_masks`: argmax of iou + (N − 2.5) · [1000, 0, 0, 0])."""

    @torch.no_grad()
    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size):
        prompt_encoder = self.model.prompt_encoder
        sparse = prompt_encoder.embed_labeled_points(point_coords, point_labels)
        dense = self.embed_masks(mask_input, has_mask_input)
        low_res, iou = self.model.mask_decoder.predict_masks(
            image_embeddings, prompt_encoder.get_dense_pe(), sparse, dense
        )
        reweight = torch.tensor([[1000.0] + [0.0] * (iou.shape[1] - 1)])
        best = torch.argmax(iou + (point_coords.shape[1] - 2.5) * reweight, dim=1)
        # One prompt per run (point_coords [1, N, 2]): pick the token with index_select, not advanced indexing,
        # whose exported Reshape/Concat chain onnxruntime's graph optimiser fails to load.
        low_res, iou = low_res.index_select(1, best), iou.index_select(1, best)
        return self.mask_postprocessing(low_res, orig_im_size), iou, low_res


def meta_decoder_spec(model: Sam, file: str, single_mask: bool = False) -> GraphSpec:
    cfg = model.config
    gen = torch.Generator().manual_seed(0)
    args = (
        torch.randn(1, cfg.prompt_embed_dim, cfg.grid, cfg.grid, generator=gen),
        torch.randint(0, cfg.img_size, (1, 5, 2), generator=gen).float(),
        torch.randint(-1, 4, (1, 5), generator=gen).float(),
        torch.randn(1, 1, cfg.low_res_size, cfg.low_res_size, generator=gen),
        torch.tensor([1.0]),
        torch.tensor([1500.0, 2250.0]),
    )
    graph = MetaSingleMaskDecoderGraph(model) if single_mask else MetaDecoderGraph(model)
    return GraphSpec(
        "decoder", file, graph, args,
        ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"],
        ["masks", "iou_predictions", "low_res_masks"],
        {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"},
         "masks": {2: "orig_im_height", 3: "orig_im_width"}},
    )


def fast_graph_specs(model: Sam, layout: str) -> List[GraphSpec]:
    """Encoder and decoder of `layout` (FAST_LAYOUTS), with the file names those tools publish."""
    cfg = model.config
    s = cfg.img_size
    if layout == "mobile-sam-preprocess":
        return [
            GraphSpec("encoder", "mobile_sam.encoder.onnx", HwcPreprocessEncoderGraph(model),
                      (torch.rand(s, s * 3 // 4, 3) * 255,), ["input_image"], ["image_embeddings"],
                      {"input_image": {0: "image_height", 1: "image_width"}}),
            meta_decoder_spec(model, "sam_vit_tiny.decoder.onnx"),
        ]
    se = model.image_encoder.input_size
    if layout == "efficientvit-xanylabeling":
        return [
            GraphSpec("encoder", "efficientvit_sam_tiny.encoder.onnx", RawUint8EncoderGraph(model),
                      (torch.randint(0, 256, (150, 200, 3), dtype=torch.uint8),), ["input_image"],
                      ["image_embeddings"], {"input_image": {0: "image_height", 1: "image_width"}}),
            meta_decoder_spec(model, "efficientvit_sam_tiny.decoder.onnx", single_mask=True),
        ]
    if layout == "efficientvit-official":
        gen = torch.Generator().manual_seed(0)
        return [
            GraphSpec("encoder", "encoder.onnx", ImageEncoderGraph(model), (torch.randn(1, 3, se, se, generator=gen),),
                      ["input_image"], ["image_embeddings"], {"input_image": {0: "batch_size"}}),
            GraphSpec("decoder", "decoder.onnx", EfficientVitDecoderGraph(model),
                      (torch.randn(1, cfg.prompt_embed_dim, cfg.grid, cfg.grid, generator=gen),
                       torch.randint(0, s, (16, 2, 2), generator=gen).float(),
                       torch.randint(0, 4, (16, 2), generator=gen).float()),
                      ["image_embeddings", "point_coords", "point_labels"], ["masks", "iou_predictions"],
                      {"point_coords": {0: "batch_size", 1: "num_points"},
                       "point_labels": {0: "batch_size", 1: "num_points"},
                       "masks": {0: "batch_size"}, "iou_predictions": {0: "batch_size"}}),
        ]
    raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(FAST_LAYOUTS)}")


class EncoderFramePredictor(Predictor):
    """Meta's `SamPredictor` semantics with prompts and masks in the decoder frame S = `image_encoder.img_size`,
    while the encoder sees what `encoder_input` makes of the image (EfficientViT-SAM: a Se-side input)."""

    def __init__(self, model: Sam, layout: str) -> None:
        super().__init__(model)
        self.layout = layout

    @torch.no_grad()
    def set_image(self, image: np.ndarray) -> None:
        if self.layout == "mobile-sam-preprocess":
            return super().set_image(image)
        self.original_size = image.shape[:2]
        self.input_size = preprocess_shape(*self.original_size, self.long_side)  # decoder frame, for postprocess
        if self.layout == "efficientvit-xanylabeling":
            self.input_resized = None
            self.features = RawUint8EncoderGraph(self.model)(torch.from_numpy(np.array(image)))
            return None
        se = self.model.image_encoder.input_size
        self.input_resized = resize_image(image, se)  # PIL bilinear (antialiased), as the app's encoder input
        pixels = torch.from_numpy(np.array(self.input_resized, dtype=np.float32)).permute(2, 0, 1)[None]
        x = (pixels - self.model.pixel_mean) / self.model.pixel_std
        self.model_input = F.pad(x, (0, se - x.shape[3], 0, se - x.shape[2]))
        self.features = self.model.image_encoder(self.model_input)
        return None

    def predict_single_mask(self, point_coords=None, point_labels=None, box=None, mask_input=None) -> Prediction:
        """What a `--return-single-mask` Meta decoder returns (`MetaSingleMaskDecoderGraph`): token 0 for more than
        2.5 fed points, else the best multimask token by predicted IoU; one candidate."""
        single = self.predict(point_coords, point_labels, box, mask_input, False)
        if len(single.point_labels) > 2.5:
            return single
        multi = self.predict(point_coords, point_labels, box, mask_input, True)
        k = int(np.argmax(multi.iou_predictions))
        pick = slice(k, k + 1)
        return Prediction(
            masks=multi.masks[pick], logits=multi.logits[pick], iou_predictions=multi.iou_predictions[pick],
            low_res_logits=multi.low_res_logits[pick], stability_scores=multi.stability_scores[pick],
            point_coords=multi.point_coords, point_labels=multi.point_labels, output_index=[multi.output_index[k]],
        )
