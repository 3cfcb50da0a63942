"""SAM's prompt encoder (Meta's `modeling/prompt_encoder.py`), parameter names kept.

Frames: point and box coordinates are (x, y) pixels of the S×S model frame (the image after the longest-side
resize, before padding). Each point becomes one token [C]: a random-Fourier positional encoding of its pixel
centre plus a learned embedding for its label. Label codes (Meta's ONNX convention):
1 positive, 0 negative, 2 box top-left corner, 3 box bottom-right corner, −1 padding ("not a point": its
positional encoding is replaced by `not_a_point_embed`).
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import torch
from torch import nn

from .common import LayerNorm2d
from .config import SamConfig


class PositionEmbeddingRandom(nn.Module):
    """Fourier features of (x, y) in [0, 1]² through a fixed Gaussian matrix [2, C/2] → [..., C] (sin ‖ cos)."""

    def __init__(self, num_pos_feats: int) -> None:
        super().__init__()
        # A buffer, not a parameter, but persistent: it is in Meta's checkpoints.
        self.register_buffer("positional_encoding_gaussian_matrix", torch.randn((2, num_pos_feats)))

    def _pe_encoding(self, coords: torch.Tensor) -> torch.Tensor:
        coords = 2 * coords - 1
        coords = coords @ self.positional_encoding_gaussian_matrix
        coords = 2 * math.pi * coords
        return torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1)

    def dense(self, h: int, w: int) -> torch.Tensor:
        """Encoding of every cell centre of an h×w grid → [C, h, w]."""
        grid = torch.ones((h, w), device=self.positional_encoding_gaussian_matrix.device, dtype=torch.float32)
        y_embed = (grid.cumsum(dim=0) - 0.5) / h
        x_embed = (grid.cumsum(dim=1) - 0.5) / w
        return self._pe_encoding(torch.stack([x_embed, y_embed], dim=-1)).permute(2, 0, 1)

    def encode_pixels(self, coords: torch.Tensor, image_size: int) -> torch.Tensor:
        """Pixel coordinates [..., 2] of the S×S frame (already shifted to the pixel centre) → [..., C]."""
        return self._pe_encoding(coords.to(torch.float32) / image_size)


class PromptEncoder(nn.Module):
    """Points/boxes → sparse tokens [B, N, C]; low-res mask [B, 1, 4g, 4g] → dense embedding [B, C, g, g]."""

    num_point_embeddings = 4  # positive, negative, box top-left, box bottom-right

    def __init__(self, cfg: SamConfig) -> None:
        super().__init__()
        dim = cfg.prompt_embed_dim
        self.embed_dim = dim
        self.input_image_size = cfg.img_size
        self.image_embedding_size = (cfg.grid, cfg.grid)
        self.pe_layer = PositionEmbeddingRandom(dim // 2)
        self.point_embeddings = nn.ModuleList(nn.Embedding(1, dim) for _ in range(self.num_point_embeddings))
        self.not_a_point_embed = nn.Embedding(1, dim)
        self.mask_input_size = (cfg.low_res_size, cfg.low_res_size)
        c = cfg.mask_in_chans
        # Two stride-2 convs bring 4g → g; indexes match Meta's nn.Sequential (GELUs at 2 and 5).
        self.mask_downscaling = nn.Sequential(
            nn.Conv2d(1, c // 4, kernel_size=2, stride=2),
            LayerNorm2d(c // 4),
            nn.GELU(),
            nn.Conv2d(c // 4, c, kernel_size=2, stride=2),
            LayerNorm2d(c),
            nn.GELU(),
            nn.Conv2d(c, dim, kernel_size=1),
        )
        self.no_mask_embed = nn.Embedding(1, dim)

    def get_dense_pe(self) -> torch.Tensor:
        """Positional encoding of the embedding grid, [1, C, g, g] (the decoder's `image_pe`)."""
        return self.pe_layer.dense(*self.image_embedding_size).unsqueeze(0)

    def embed_labeled_points(self, coords: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """coords [B, N, 2] model-frame pixels, labels [B, N] (float or int codes, see module doc) → [B, N, C].

        Written without control flow or in-place indexing so it traces to ONNX (Meta's `SamOnnxModel`
        formulation): multiplying by 0/1 masks adds exact zeros, so the result equals Meta's PyTorch encoder.
        """
        embedding = self.pe_layer.encode_pixels(coords + 0.5, self.input_image_size)
        labels = labels.unsqueeze(-1).expand_as(embedding)
        embedding = embedding * (labels != -1)
        embedding = embedding + self.not_a_point_embed.weight * (labels == -1)
        for code in range(self.num_point_embeddings):
            embedding = embedding + self.point_embeddings[code].weight * (labels == code)
        return embedding

    def embed_mask(self, mask: torch.Tensor) -> torch.Tensor:
        """Low-res logits [B, 1, 4g, 4g] → dense embedding [B, C, g, g]."""
        return self.mask_downscaling(mask)

    def no_mask_dense(self, batch: int) -> torch.Tensor:
        """Dense embedding used when there is no mask input: `no_mask_embed` broadcast to [B, C, g, g]."""
        return self.no_mask_embed.weight.reshape(1, -1, 1, 1).expand(batch, -1, *self.image_embedding_size)

    def forward(
        self,
        points: Optional[Tuple[torch.Tensor, torch.Tensor]],
        boxes: Optional[torch.Tensor],
        masks: Optional[torch.Tensor],
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Meta's `PromptEncoder.forward` semantics (what `SamPredictor` runs).

        points: (coords [B, N, 2], labels [B, N] with 1/0/−1), boxes: [B, 4] XYXY, masks: [B, 1, 4g, 4g].
        Tokens are the points, then a padding point (0, 0, −1) if there is no box, then the two box corners.
        """
        batch = _batch_size(points, boxes, masks)
        sparse = []
        if points is not None:
            coords, labels = points
            if boxes is None:
                coords = torch.cat([coords, torch.zeros_like(coords[:, :1])], dim=1)
                labels = torch.cat([labels, -torch.ones_like(labels[:, :1])], dim=1)
            sparse.append(self.embed_labeled_points(coords, labels))
        if boxes is not None:
            corners = boxes.reshape(-1, 2, 2)
            corner_labels = torch.tensor([[2.0, 3.0]], device=boxes.device).expand(corners.shape[0], 2)
            sparse.append(self.embed_labeled_points(corners, corner_labels))
        sparse_embeddings = (
            torch.cat(sparse, dim=1) if sparse else torch.empty((batch, 0, self.embed_dim), device=self._device())
        )
        dense = self.embed_mask(masks) if masks is not None else self.no_mask_dense(batch)
        return sparse_embeddings, dense

    def _device(self) -> torch.device:
        return self.no_mask_embed.weight.device


def _batch_size(points, boxes, masks) -> int:
    if points is not None:
        return points[0].shape[0]
    if boxes is not None:
        return boxes.shape[0]
    return masks.shape[0] if masks is not None else 1
