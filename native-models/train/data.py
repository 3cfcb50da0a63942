"""Training batches drawn on the fly from the synthetic scene generator (nothing is stored on disk).

Seeds: training scenes use seeds [0, 10⁹); validation during training 1.5·10⁹ + i; the held-out evaluation
2·10⁹ + i (evaluate.py). A batch is a pure function of its seeds, so a resumed run sees the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from synthetic import make_scene

TRAIN_SEED_BASE = 0
VALIDATION_SEED_BASE = 1_500_000_000
EVAL_SEED_BASE = 2_000_000_000


@dataclass
class Batch:
    images: torch.Tensor  # float [B, 3, S, S]: normalized (pixel_mean/std), zero-padded bottom/right
    masks: torch.Tensor  # bool [N, S, S]: one object per row, padded like the images
    image_index: torch.Tensor  # long [N]: which image each object is in
    sizes: list  # [(h, w)] per image
    owners: torch.Tensor  # long [B, S, S]: instance k ≥ 1 of the image at each pixel, 0 none, −1 padding


def normalize(image: np.ndarray, size: int, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """uint8 [h, w, 3] (h, w ≤ S) → float [3, S, S]: (v − mean) / std, then zero padding (Meta's order)."""
    h, w = image.shape[:2]
    x = (torch.from_numpy(image.astype(np.float32)).permute(2, 0, 1) - torch.tensor(mean)[:, None, None]) / torch.tensor(
        std
    )[:, None, None]
    return torch.nn.functional.pad(x, (0, size - w, 0, size - h))


def make_batch(seeds: Sequence[int], size: int, max_objects: int, mean, std) -> Batch:
    images, masks, index, sizes, owners = [], [], [], [], []
    for i, seed in enumerate(seeds):
        scene = make_scene(int(seed), long_side=size)
        h, w = scene.image.shape[:2]
        images.append(normalize(scene.image, size, mean, std))
        sizes.append((h, w))
        owner = np.full((size, size), -1, dtype=np.int64)
        owner[:h, :w] = 0
        for k, instance in enumerate(scene.instances):
            owner[:h, :w][instance.mask] = k + 1  # visible masks never overlap
        owners.append(torch.from_numpy(owner))
        rng = np.random.default_rng(int(seed) + 7)
        chosen = rng.permutation(len(scene.instances))[:max_objects]
        for j in chosen:
            m = np.zeros((size, size), dtype=bool)
            m[:h, :w] = scene.instances[j].mask
            masks.append(torch.from_numpy(m))
            index.append(i)
    return Batch(
        images=torch.stack(images),
        masks=torch.stack(masks) if masks else torch.zeros(0, size, size, dtype=torch.bool),
        image_index=torch.tensor(index, dtype=torch.long),
        sizes=sizes,
        owners=torch.stack(owners),
    )
