"""Issue 15: the fast variants' ONNX graphs (our exporter, each tool's layout) compute what their PyTorch
reference computes: the encoders on an image of another size than the traced one (the in-graph preprocessing
stays dynamic), the decoders on the reference predictor's prompts."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from sam_tools.exporter import export_graph
from sam_tools.fast_variants import (
    FAST_LAYOUTS,
    EncoderFramePredictor,
    fast_graph_specs,
    tiny_efficientvit_sam,
    tiny_mobile_sam,
)
from sam_tools.smoke import OnnxRuns, synthetic_image

NEEDS_NODE = pytest.mark.skipif(shutil.which("node") is None, reason="the ONNX runs need Node.js")
BUILD = {"mobile-sam-preprocess": tiny_mobile_sam, "efficientvit-xanylabeling": tiny_efficientvit_sam,
         "efficientvit-official": tiny_efficientvit_sam}


def encoder_input(layout: str, predictor: EncoderFramePredictor, image: np.ndarray) -> torch.Tensor:
    """What the app feeds the encoder for `image` in this layout."""
    if layout == "mobile-sam-preprocess":
        return torch.from_numpy(np.array(predictor.input_resized, dtype=np.float32))  # resized HWC, 0–255
    if layout == "efficientvit-xanylabeling":
        return torch.from_numpy(np.array(image))  # raw uint8 HWC
    return predictor.model_input  # normalised, padded [1, 3, Se, Se]


@NEEDS_NODE
@pytest.mark.parametrize("layout", FAST_LAYOUTS)
def test_onnx_graphs_match_pytorch(layout, tmp_path):
    model = BUILD[layout](3)
    specs = {spec.role: spec for spec in fast_graph_specs(model, layout)}
    for spec in specs.values():
        export_graph(spec, tmp_path, 17, external_data=False)
    predictor = EncoderFramePredictor(model, layout)
    runs = OnnxRuns(tmp_path, tmp_path)
    prompts = [([[50, 70]], [1], None, True), ([[50, 70], [120, 30]], [1, 0], [20, 10, 150, 90], False)]
    for i, (h, w) in enumerate([(97, 161), (190, 120)]):  # neither is the traced example size
        image = synthetic_image(h, w, seed=i)
        predictor.set_image(image)
        runs.add(f"enc{i}", specs["encoder"].file, {"input_image": encoder_input(layout, predictor, image)},
                 {"image_embeddings": predictor.features})
        for j, (coords, labels, box, multimask) in enumerate(prompts):
            out = (predictor.predict_single_mask(coords, labels, box) if layout == "efficientvit-xanylabeling"
                   else predictor.predict(coords, labels, box, None, multimask))
            inputs = {
                "image_embeddings": predictor.features,
                "point_coords": torch.from_numpy(out.point_coords)[None],
                "point_labels": torch.from_numpy(out.point_labels)[None],
            }
            expected_low = torch.from_numpy(out.low_res_logits)
            tokens = out.output_index
            if layout == "efficientvit-official":
                runs.add(f"dec{i}{j}", specs["decoder"].file, inputs, {"masks": None, "iou_predictions": None})
            else:
                inputs.update(mask_input=torch.zeros(1, 1, 64, 64), has_mask_input=torch.zeros(1),
                              orig_im_size=torch.tensor([float(h), float(w)]))
                runs.add(f"dec{i}{j}", specs["decoder"].file, inputs, {"low_res_masks": None, "iou_predictions": None})
            runs.expected[f"dec{i}{j}"]["_tokens"] = tokens
            runs.expected[f"dec{i}{j}"]["_low"] = expected_low.numpy()
            runs.expected[f"dec{i}{j}"]["_iou"] = out.iou_predictions
    results = runs.run()
    for i in range(2):
        diff = np.abs(results[f"enc{i}"]["image_embeddings"] - runs.expected[f"enc{i}"]["image_embeddings"]).max()
        assert diff < 1e-3, f"{layout} encoder, image {i}: max |ONNX − PyTorch| = {diff}"
        for j in range(len(prompts)):
            got = results[f"dec{i}{j}"]
            want = runs.expected[f"dec{i}{j}"]
            # A single-mask graph returns its one chosen token; the others return all four.
            tokens = [0] if got["iou_predictions"].shape[1] == 1 else want["_tokens"]
            low = got["masks" if layout == "efficientvit-official" else "low_res_masks"][0, tokens]
            assert np.abs(low - want["_low"]).max() < 1e-3, f"{layout} decoder logits, image {i} prompt {j}"
            assert np.abs(got["iou_predictions"][0, tokens] - want["_iou"]).max() < 1e-4
