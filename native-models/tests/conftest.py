"""Shared pytest setup: `sam_tools` on the path, the conformance data, a tiny seeded model."""

from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path

import pytest

NATIVE_MODELS = Path(__file__).resolve().parents[1]
REPO = NATIVE_MODELS.parent
sys.path.insert(0, str(NATIVE_MODELS))
sys.path.insert(0, str(NATIVE_MODELS / "tools"))

# One BLAS thread: Debian's torch does its matrix products in OpenBLAS, whose thread count (not
# torch.set_num_threads) changes the last bits of the float sums. The fixture generators and the committed
# fixtures agree to the bit only on one thread (a SAM-HQ refinement logit moved by 1.4e-3 on two). pytest.ini's
# filterwarnings imports torch (and OpenBLAS) before this file runs, so the variables only reach child processes:
# set the loaded library's count directly.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
try:
    ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(1)
except (OSError, AttributeError):  # another BLAS: nothing to pin
    pass

from sam_tools import PRESETS, build_sam, randomize_  # noqa: E402


def conformance_dir() -> Path | None:
    """$SAM_CONFORMANCE_DIR, else shared/ beside the checkout, else /work/shared/conformance."""
    candidates = [os.environ.get("SAM_CONFORMANCE_DIR"), REPO.parent / "shared" / "conformance",
                  Path("/work/shared/conformance")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "index.json").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def conformance() -> Path:
    found = conformance_dir()
    if found is None:
        pytest.skip("Meta conformance data not found (set SAM_CONFORMANCE_DIR to the folder with index.json)")
    return found


@pytest.fixture(scope="session")
def conformance_index(conformance) -> dict:
    return json.loads((conformance / "index.json").read_text())


@pytest.fixture(scope="session")
def tiny_model():
    return randomize_(build_sam(PRESETS["tiny_test"]), 11)
