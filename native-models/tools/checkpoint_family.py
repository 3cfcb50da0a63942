#!/usr/bin/python3
"""Say which SAM family a PyTorch checkpoint is, from its tensor names (read as data: checkpoint_io).

  /usr/bin/python3 native-models/tools/checkpoint_family.py FILE   → one JSON line {"family": …, "tensors": N}

family: "sam" (Meta's SAM 1: a flat state_dict with a ViT `image_encoder.patch_embed`), "sam2.1" / "sam2"
(Meta's `{"model": state_dict}` with a Hiera `image_encoder.trunk`; 2.1 adds `no_obj_embed_spatial` and
`obj_ptr_tpos_proj`, which 2.0's configs do not build), or "unknown". `sam-annotate convert` asks this only after a
conversion failed, to tell a user who passed a SAM 1 --type for a SAM 2 file (or the reverse) which family it is.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sam_tools import SamToolsError  # noqa: E402
from sam_tools.checkpoint_io import load_checkpoint  # noqa: E402


def family_of(names: set[str]) -> str:
    if any(n.startswith("image_encoder.trunk.") for n in names):
        return "sam2.1" if {"no_obj_embed_spatial", "obj_ptr_tpos_proj.weight"} & names else "sam2"
    if any(n.startswith("image_encoder.patch_embed.") for n in names):
        return "sam"
    return "unknown"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: checkpoint_family.py FILE", file=sys.stderr)
        return 2
    try:
        data = load_checkpoint(Path(argv[0]))
    except SamToolsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if isinstance(data, Mapping) and isinstance(data.get("model"), Mapping):
        data = data["model"]
    names = {str(k) for k in data} if isinstance(data, Mapping) else set()
    print(json.dumps({"family": family_of(names), "tensors": len(names)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
