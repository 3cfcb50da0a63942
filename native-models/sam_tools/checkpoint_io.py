"""Loading PyTorch checkpoints as data, never as code (issue 18).

A `.pth` file is a pickle, and unpickling calls whatever functions the file names: a downloaded "checkpoint"
could run commands on this machine. Every checkpoint read in native-models goes through `load_checkpoint`,
which unpickles with an allow-list — tensors, storages, dtypes, `torch.Size`, `OrderedDict`, and pickle's own
plain values (dict, list, tuple, set, str, bytes, numbers, bool, None) — and refuses any other function or
class the file names, before calling it. Meta's SAM 1 and SAM 2.1 checkpoints and this repo's training
checkpoints (train/train.py `save_checkpoint`) contain only those.

Why not `torch.load(weights_only=True)`: torch 1.13's weights-only unpickler (the one /usr/bin/python3 has)
rejects floats and pickle protocol 4 frames, so training checkpoints (`"elapsed": 1.5`, optimizer `lr`) would
not load. And its `torch.load` ignores a `pickle_module` unless weights_only, so the allow-list goes to the
loaders `torch.load` itself calls (`_load` for zip checkpoints, `_legacy_load` for the older format; same
signatures from torch 1.13 to 2.x). A TorchScript archive, which `torch.load` would hand to `torch.jit.load`,
is refused: it is a program, not a checkpoint.
"""

from __future__ import annotations

import collections
import pickle
import types
import zipfile
from pathlib import Path
from typing import Any, Dict

import torch

from .errors import SamToolsError


class CodeObjectRefused(pickle.UnpicklingError):
    """The pickle names a function or class outside the allow-list."""


def _allowed_globals() -> Dict[str, Any]:
    allowed: Dict[str, Any] = {
        "collections.OrderedDict": collections.OrderedDict,
        "torch.Size": torch.Size,
        "torch.Tensor": torch.Tensor,
        "torch.nn.parameter.Parameter": torch.nn.Parameter,
        "torch.serialization._get_layout": torch.serialization._get_layout,
        # Protocol 2 pickles store bytes as `_codecs.encode(str, 'latin1')`: a pure function.
        "_codecs.encode": __import__("_codecs").encode,
    }
    for name in ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter", "_rebuild_parameter_with_state",
                 "_rebuild_sparse_tensor", "_rebuild_sparse_csr_tensor", "_rebuild_meta_tensor_no_storage",
                 "_rebuild_qtensor", "_rebuild_device_tensor_from_numpy"):
        if name != "_rebuild_device_tensor_from_numpy" and hasattr(torch._utils, name):
            allowed[f"torch._utils.{name}"] = getattr(torch._utils, name)
    for dtype in (getattr(torch, n) for n in dir(torch)):
        if isinstance(dtype, torch.dtype):
            allowed[str(dtype)] = dtype
    for cls in (*torch._tensor_classes, *torch._storage_classes):
        allowed[f"{cls.__module__}.{cls.__name__}"] = cls
    return allowed


_ALLOWED = _allowed_globals()


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get(f"{module}.{name}")
        if found is None:
            raise CodeObjectRefused(f"{module}.{name}")
        return found


def _load(file, **kwargs) -> Any:
    return _PlainUnpickler(file, **kwargs).load()


# What `torch.load` calls of its `pickle_module`: `Unpickler` (subclassed for storages) and `load`.
_plain_pickle = types.SimpleNamespace(Unpickler=_PlainUnpickler, load=_load, __name__="sam_tools_plain_pickle")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _load_plain(path: Path) -> Any:
    """What `torch.load(path, map_location="cpu")` does, with the allow-listed unpickler."""
    serialization = torch.serialization
    with open(path, "rb") as file:
        if zipfile.is_zipfile(file):
            file.seek(0)
            with serialization._open_zipfile_reader(file) as archive:
                if serialization._is_torchscript_zip(archive):
                    raise CodeObjectRefused("a TorchScript archive")
                return serialization._load(archive, "cpu", _plain_pickle, encoding="utf-8")
        file.seek(0)
        return serialization._legacy_load(file, "cpu", _plain_pickle, encoding="utf-8")


def load_checkpoint(path: Path | str) -> Any:
    """The checkpoint's content, on the CPU. SamToolsError (one line naming the file) when it is missing, not a
    PyTorch checkpoint, or names anything but tensors and plain containers (then nothing of it has run)."""
    path = Path(path)
    if not path.is_file():
        raise SamToolsError(f"{path}: no such checkpoint file")
    try:
        return _load_plain(path)
    except CodeObjectRefused:
        raise SamToolsError(f"{path}: not a plain checkpoint (it contains code objects); refusing to load it") \
            from None
    except (pickle.UnpicklingError, zipfile.BadZipFile, EOFError, RuntimeError, ValueError, OSError,
            AttributeError, TypeError) as error:
        raise SamToolsError(f"{path}: not a PyTorch checkpoint ({_first_line(error)})") from None
