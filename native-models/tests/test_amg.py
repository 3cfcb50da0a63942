"""sam_tools/amg.py, the reference automatic mask generator: torchvision's NMS arithmetic, OpenCV's component
order (which the TypeScript port relies on), the batched prompt path against the one-prompt predictor, the batch
decoder export, and the committed tests/fixtures/amg being what make_amg_fixtures.py writes now."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

import make_amg_fixtures
from fixture_diff import file_differences
from sam_tools.amg import AutomaticMaskGenerator, batched_nms, build_point_grid, nms, remove_small_regions
from sam_tools.exporter import ExportOptions, ExportSource, export_model
from sam_tools.predictor import Predictor
from sam_tools.smoke import run_smoke, synthetic_image


def test_nms_hand_cases():
    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], dtype=torch.float32)
    assert nms(boxes, torch.tensor([0.9, 0.95, 0.5]), 0.5).tolist() == [1, 2]
    assert nms(boxes, torch.tensor([0.9, 0.95, 0.5]), 0.7).tolist() == [1, 0, 2]
    ties = torch.tensor([[0, 0, 10, 10], [50, 50, 60, 60], [0, 0, 10, 10], [100, 0, 110, 10]], dtype=torch.float32)
    assert nms(ties, torch.tensor([0.5, 0.5, 0.5, 0.9]), 0.5).tolist() == [3, 0, 1]
    a = [0, 0, 10, 10]
    assert nms(torch.tensor([a, [0, 0, 10, 5]], dtype=torch.float32), torch.tensor([1.0, 0.5]), 0.5).tolist() == [0, 1]
    # float32 IoU 0.800000011920929 against the double 0.8: suppressed, as torchvision's kernel does
    assert nms(torch.tensor([a, [0, 0, 10, 8]], dtype=torch.float32), torch.tensor([1.0, 0.5]), 0.8).tolist() == [0]
    # categories never suppress each other
    two = torch.tensor([a, a], dtype=torch.float32)
    assert batched_nms(two, torch.tensor([1.0, 0.5]), torch.tensor([0, 1]), 0.5).tolist() == [0, 1]


def test_opencv_numbers_components_by_first_2x2_block():
    """What electron/common/amg/regions.ts assumes to break ties between equally large islands."""
    cv2 = pytest.importorskip("cv2")
    rng = np.random.default_rng(0)
    for _ in range(100):
        h, w = rng.integers(1, 60, size=2)
        mask = (rng.random((h, w)) < rng.uniform(0.1, 0.6)).astype(np.uint8)
        n, labels, _, _ = cv2.connectedComponentsWithStats(mask, 8)
        ys, xs = np.nonzero(labels)
        keys = (ys // 2) * ((w + 1) // 2) + xs // 2
        first = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(first, labels[ys, xs], keys)
        assert np.all(np.diff(first[1:]) > 0)
    tie = np.zeros((6, 8), bool)
    tie[1, 0] = tie[0, 4] = True  # (0, 1) is block 0, (4, 0) block 2: OpenCV labels (0, 1) first
    kept, changed = remove_small_regions(tie, 5, "islands")
    assert changed and kept[1, 0] and not kept[0, 4]


def test_batched_prompts_match_the_one_prompt_predictor(tiny_model):
    generator = AutomaticMaskGenerator(tiny_model, points_per_side=4)
    image = synthetic_image(90, 140)
    generator.predictor.set_image(image)
    points = build_point_grid(4) * np.array([140, 90])
    with torch.no_grad():
        logits, iou = generator._predict_torch(points, image.shape[:2])
    single = Predictor(tiny_model)
    single.set_image(image)
    for i, point in enumerate(points):
        out = single.predict([point], [1], multimask_output=True)
        assert np.abs(out.iou_predictions - iou[i].numpy()).max() < 1e-5
        assert np.abs(out.logits - logits[i].numpy()).max() < 1e-4


@pytest.mark.skipif(shutil.which("node") is None, reason="the smoke run needs Node.js")
def test_batch_decoder_export(tmp_path, tiny_model):
    manifest = export_model(tiny_model, tmp_path, ExportSource(seed=11), ExportOptions(batch_decoder=True))
    entry = manifest["files"]["decoder_batch"]
    assert entry["path"] == "decoder_batch.onnx" and (tmp_path / entry["path"]).is_file()
    assert [i["name"] for i in entry["inputs"]] == ["image_embeddings", "point_coords", "point_labels"]
    assert entry["inputs"][1]["shape"] == ["batch_size", "num_points", 2]
    assert entry["outputs"][1]["shape"] == ["batch_size", 4, 64, 64]
    report = run_smoke(tiny_model, tmp_path, "sam-annotate")
    assert max(report["max_abs_diff"]["batch"].values()) < 1e-3
    assert report["semantic_checks"]["batch decoder prompt 2 vs decoder.onnx graph"] < 1e-4


def test_committed_amg_fixtures_are_current(tmp_path):
    pytest.importorskip("cv2")
    make_amg_fixtures.main(["--out", str(tmp_path)])
    committed = Path(make_amg_fixtures.REPO) / "tests" / "fixtures" / "amg"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in committed.glob("*.json"))
    stale = {n: why for n in names if (why := file_differences(tmp_path / n, committed / n))}
    assert not stale, f"rerun {make_amg_fixtures.COMMAND}: {stale}"
    for name in names:
        doc = json.loads((committed / name).read_text())
        assert len(doc["annotations"]) >= 10 and doc["image"]["file_name"] == "wide.png"
