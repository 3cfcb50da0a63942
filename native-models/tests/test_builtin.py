"""The shipped built-in demo model (native-models/builtin/sam-annotate-demo): its folder matches its manifest,
it is small enough to commit, and it segments held-out synthetic objects from one click (a fast subset of
train/evaluate.py, run on the ONNX files themselves through onnxruntime-node)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import onnx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))

from sam_tools.exporter import signature  # noqa: E402
from sam_tools.sam import sha256_file  # noqa: E402

from evaluate import OnnxBackend, evaluate  # noqa: E402

BUILTIN = Path(__file__).resolve().parents[1] / "builtin" / "sam-annotate-demo"


@pytest.fixture(scope="module")
def manifest():
    return json.loads((BUILTIN / "manifest.json").read_text())


def test_folder_matches_its_manifest(manifest):
    assert manifest["format"] == "sam-annotate-model" and manifest["layout"] == "sam-annotate"
    assert manifest["demo"] is True and "synthetic" in manifest["description"]
    assert manifest["input_size"] == 256 and manifest["low_res_mask_size"] == 64
    total = 0
    for role in ("encoder", "decoder"):
        entry = manifest["files"][role]
        path = BUILTIN / entry["path"]
        assert path.stat().st_size == entry["bytes"]
        assert sha256_file(path) == entry["sha256"]
        graph = onnx.load(str(path), load_external_data=False).graph
        assert [signature(v) for v in graph.input] == entry["inputs"]
        assert [signature(v) for v in graph.output] == entry["outputs"]
        total += entry["bytes"]
    assert total <= 20_000_000
    assert (BUILTIN / "TRAINING.md").is_file()


# The issue aims at 0.85 over all objects; the shipped model reaches 0.543 over 1120 held-out objects and 0.589 on
# these 20 (TRAINING.md, "Status"). This floor catches a broken export or pipeline, not the aim.
ONE_CLICK_FLOOR = 0.53


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js with onnxruntime-node")
def test_one_click_segments_held_out_objects():
    episodes = evaluate(OnnxBackend(BUILTIN), num_scenes=10, clicks=0, box=False, max_objects=20, log=lambda _m: None)
    assert len(episodes) == 20
    mean = sum(e.ious[0] for e in episodes) / len(episodes)
    print(f"1-click mean IoU on 20 held-out objects: {mean:.3f}")
    assert mean >= ONE_CLICK_FLOOR, [round(e.ious[0], 3) for e in episodes]
