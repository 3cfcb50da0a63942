"""Checkpoints are data, not code (issue 18): a `.pth` whose pickle would call a function (os.system, a file
write) is refused by name before anything runs; Meta's SAM 1 and SAM 2.1 checkpoints and the training
checkpoints still load."""

from __future__ import annotations

import os
import re
import pickle

import pytest
import torch

from sam_tools import read_state_dict
from sam_tools.checkpoint_io import load_checkpoint
from sam_tools.errors import SamToolsError


class _WritesMarker:
    """What a malicious checkpoint does: unpickling it calls a function of the attacker's choice."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _WritesMarkerViaOpen:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


REFUSAL = "not a plain checkpoint (it contains code objects); refusing to load it"


@pytest.mark.parametrize("payload", [_WritesMarker, _WritesMarkerViaOpen])
@pytest.mark.parametrize("save", ["torch", "pickle"])
def test_a_checkpoint_that_would_run_code_is_refused_and_nothing_runs(tmp_path, payload, save):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pth"
    data = {"model": {"w": torch.zeros(2)}, "x": payload(marker)}
    if save == "torch":
        torch.save(data, evil)
    else:
        evil.write_bytes(pickle.dumps(data))
    with pytest.raises(SamToolsError) as refused:
        load_checkpoint(evil)
    assert str(refused.value) == f"{evil}: {REFUSAL}"
    with pytest.raises(SamToolsError, match="contains code objects"):
        read_state_dict(evil)
    assert not marker.exists()


def test_a_file_that_is_no_checkpoint_says_so(tmp_path):
    notes = tmp_path / "notes.pth"
    notes.write_text("not a checkpoint\n" * 10)
    with pytest.raises(SamToolsError, match=r"notes\.pth: not a PyTorch checkpoint"):
        load_checkpoint(notes)
    with pytest.raises(SamToolsError, match=r"missing\.pth: no such checkpoint file"):
        load_checkpoint(tmp_path / "missing.pth")


def test_plain_checkpoints_load(tmp_path):
    """A state_dict, and a training checkpoint's shape: nested dicts, lists, numbers, strings, None."""
    state = {"model": {"a.weight": torch.randn(3, 2), "a.bias": torch.zeros(3, dtype=torch.float16)},
             "optimizer": {"state": {0: {"step": torch.tensor(3.0)}}, "param_groups": [{"lr": 1e-3, "params": [0]}]},
             "step": 7, "elapsed": 1.5, "args": {"out": "/tmp/x", "seed": None, "amp": False}}
    for zipped in (True, False):  # torch's format since 1.6, and the older one
        file = tmp_path / f"checkpoint-{zipped}.pth"
        torch.save(state, file, _use_new_zipfile_serialization=zipped)
        loaded = load_checkpoint(file)
        assert loaded["step"] == 7 and loaded["args"] == state["args"]
        assert torch.equal(loaded["model"]["a.weight"], state["model"]["a.weight"])
        assert loaded["model"]["a.bias"].dtype == torch.float16
        assert read_state_dict(file).keys() == state["model"].keys()


def test_a_torchscript_archive_is_refused(tmp_path):
    """`torch.load` would hand it to `torch.jit.load`: a program, not a checkpoint."""
    file = tmp_path / "scripted.pth"
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), str(file))
    with pytest.raises(SamToolsError, match=re.escape(f"scripted.pth: {REFUSAL}")):
        load_checkpoint(file)


def test_meta_sam1_checkpoint_loads(conformance):
    state_dict = read_state_dict(conformance / "sam_tiny_official.pth")
    assert "image_encoder.patch_embed.proj.weight" in state_dict


def test_meta_sam2_1_checkpoint_loads(conformance):
    file = conformance / "sam2" / "sam2.1_test.pt"
    if not file.is_file():
        pytest.skip(f"{file} not found")
    data = load_checkpoint(file)
    assert isinstance(data["model"], dict) and data["model"]
    assert all(isinstance(v, torch.Tensor) for v in data["model"].values())
    assert read_state_dict(file).keys() == data["model"].keys()
