"""tools/bench_reference.py: the PyTorch side of `npm run bench -- meta` runs on the weights of the ONNX folder it
is compared with, and a folder it cannot rebuild is refused with a message naming its manifest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import bench_reference
from sam_tools import SamToolsError

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "fixtures" / "models" / "tiny-random"
SCRIPT = REPO / "native-models" / "tools" / "bench_reference.py"


def test_rebuilds_the_weights_of_the_exported_folder():
    model = bench_reference.model_of_folder(TINY)
    graph = onnx.load(str(TINY / "encoder.onnx")).graph
    weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    ours = model.image_encoder.patch_embed.proj.weight.detach().numpy()
    assert np.array_equal(weights["image_encoder.patch_embed.proj.weight"], ours)


def test_a_folder_without_an_export_source_is_refused(tmp_path):
    manifest = json.loads((TINY / "manifest.json").read_text())
    del manifest["source"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SamToolsError, match=r"manifest\.json: no export source"):
        bench_reference.model_of_folder(tmp_path)
    manifest["source"] = {"config": json.loads((TINY / "manifest.json").read_text())["source"]["config"]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SamToolsError, match="neither a checkpoint nor a random seed"):
        bench_reference.model_of_folder(tmp_path)


def test_prints_the_timings_it_was_asked_for():
    image = REPO / "tests" / "fixtures" / "reference" / "wide.png"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--model-dir", str(TINY), "--click-image", str(image), "--clicks", "2"],
        capture_output=True, text=True, check=True,
    )
    out = json.loads(run.stdout)
    assert "segment_anything package cannot be installed" in out["reference"]
    assert len(out["click_ms"]) == 2 and "set_image_s" not in out and "amg_s" not in out
