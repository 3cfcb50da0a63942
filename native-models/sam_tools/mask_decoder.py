"""SAM's mask decoder and two-way transformer (Meta's `modeling/mask_decoder.py`, `transformer.py`).

Tokens [N, T, C] (1 IoU token, 4 mask tokens, then the prompt tokens) and the image embedding [N, C, g, g]
attend to each other; each mask token, through its own hypernetwork MLP, weights the 4× upscaled image
features into one low-res mask [4g, 4g]. Token 0 is the single-mask output, tokens 1..3 the multimask ones.
"""

from __future__ import annotations

import math
from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .common import MLPBlock, upscaling_4x
from .config import SamConfig
from .few_token_attention import image_to_tokens, tokens_to_image


class MaskDecoder(nn.Module):
    def __init__(self, cfg: SamConfig) -> None:
        super().__init__()
        dim = cfg.prompt_embed_dim
        self.transformer_dim = dim
        self.transformer = TwoWayTransformer(
            depth=cfg.decoder_depth,
            embedding_dim=dim,
            num_heads=cfg.decoder_num_heads,
            mlp_dim=cfg.decoder_mlp_dim,
            attention_downsample_rate=cfg.attention_downsample_rate,
        )
        self.num_multimask_outputs = cfg.num_multimask_outputs
        self.iou_token = nn.Embedding(1, dim)
        self.num_mask_tokens = cfg.num_multimask_outputs + 1
        self.mask_tokens = nn.Embedding(self.num_mask_tokens, dim)
        self.output_upscaling = upscaling_4x(dim, dim // 4, dim // 8)  # g → 4g, C → C/8 channels
        self.output_hypernetworks_mlps = nn.ModuleList(
            MLP(dim, dim, dim // 8, 3) for _ in range(self.num_mask_tokens)
        )
        self.iou_prediction_head = MLP(dim, cfg.iou_head_hidden_dim, self.num_mask_tokens, cfg.iou_head_depth)

    def predict_masks(
        self,
        image_embeddings: torch.Tensor,
        image_pe: torch.Tensor,
        sparse_prompt_embeddings: torch.Tensor,
        dense_prompt_embeddings: torch.Tensor,
        few_tokens: bool = False,
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """All mask tokens: → (low-res logits [N, 4, 4g, 4g], IoU predictions [N, 4]).

        image_embeddings [1 or N, C, g, g], image_pe [1 or N, C, g, g], sparse [N, T, C], dense [1 or N, C, g, g].
        Meta repeats a batch-1 image per prompt with `repeat_interleave` before its transformer; here a batch-1
        image goes in as it is and is broadcast where the prompts first change it (`TwoWayTransformer`): the same
        values. An embedding that is already per prompt (the transformers.js wrapper's point batches) also works.
        `few_tokens`: the image cross-attentions multiply around the tokens (`few_token_attention`).
        """
        output_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight], dim=0)
        n = sparse_prompt_embeddings.shape[0]
        output_tokens = output_tokens.unsqueeze(0).expand(n, -1, -1)
        tokens = torch.cat((output_tokens, sparse_prompt_embeddings), dim=1)

        # Not expanded to N here: the transformer's first image-side steps are the same for every prompt and run
        # once; broadcasting gives each prompt its copy when the tokens first change the image side (issue 16).
        src = image_embeddings + dense_prompt_embeddings
        _, c, h, w = src.shape

        hs, src = self.transformer(src, image_pe, tokens, few_tokens)
        iou_token_out = hs[:, 0, :]
        mask_tokens_out = hs[:, 1 : (1 + self.num_mask_tokens), :]

        src = src.expand(n, -1, -1).transpose(1, 2).reshape(n, c, h, w)
        upscaled = self.output_upscaling(src)
        hyper_in_list: List[torch.Tensor] = [
            mlp(mask_tokens_out[:, i, :]) for i, mlp in enumerate(self.output_hypernetworks_mlps)
        ]
        hyper_in = torch.stack(hyper_in_list, dim=1)
        return self.weigh_features(hyper_in, upscaled), self.iou_prediction_head(iou_token_out)

    def weigh_features(self, hyper_in: torch.Tensor, upscaled: torch.Tensor) -> torch.Tensor:
        """hyper_in [B, T, c] · upscaled [B, c, h, w] → masks [B, T, h, w] (Meta's batched matmul)."""
        b, c, h, w = upscaled.shape
        return (hyper_in @ upscaled.view(b, c, h * w)).view(b, -1, h, w)

    def forward(
        self,
        image_embeddings: torch.Tensor,
        image_pe: torch.Tensor,
        sparse_prompt_embeddings: torch.Tensor,
        dense_prompt_embeddings: torch.Tensor,
        multimask_output: bool,
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Meta's selection: tokens 1..3 when `multimask_output`, else token 0."""
        masks, iou_pred = self.predict_masks(
            image_embeddings, image_pe, sparse_prompt_embeddings, dense_prompt_embeddings
        )
        chosen = slice(1, None) if multimask_output else slice(0, 1)
        return masks[:, chosen, :, :], iou_pred[:, chosen]


class MLP(nn.Module):
    """`num_layers` linear layers with ReLU between them (Meta's MaskFormer-style MLP)."""

    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int, num_layers: int) -> None:
        super().__init__()
        self.num_layers = num_layers
        hidden = [hidden_dim] * (num_layers - 1)
        self.layers = nn.ModuleList(nn.Linear(n, k) for n, k in zip([input_dim] + hidden, hidden + [output_dim]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            x = F.relu(layer(x)) if i < self.num_layers - 1 else layer(x)
        return x


class TwoWayTransformer(nn.Module):
    """(image [N, C, g, g], image PE [N, C, g, g], tokens [N, T, C]) → (tokens [N, T, C], image [N, g·g, C]).

    The image and its PE may also be [1, C, g, g] for N prompts (automatic mask generation's batches): the first
    layer's token→image keys/values and image→token queries depend on the image alone, so they are computed once
    and broadcast, not N times (issue 16: one thread, ViT-B decoder, 83 → 66 ms per prompt in runs of 4-16; the
    ONNX outputs bit-identical). Each prompt's values are Meta's: the same products, only not repeated.
    """

    def __init__(
        self, depth: int, embedding_dim: int, num_heads: int, mlp_dim: int, attention_downsample_rate: int = 2
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            TwoWayAttentionBlock(
                embedding_dim, num_heads, mlp_dim, attention_downsample_rate, skip_first_layer_pe=(i == 0)
            )
            for i in range(depth)
        )
        self.final_attn_token_to_image = Attention(embedding_dim, num_heads, attention_downsample_rate)
        self.norm_final_attn = nn.LayerNorm(embedding_dim)

    def forward(
        self,
        image_embedding: torch.Tensor,
        image_pe: torch.Tensor,
        point_embedding: torch.Tensor,
        few_tokens: bool = False,
    ):
        """`few_tokens`: reassociate the image cross-attentions around the tokens (`few_token_attention`)."""
        shared = image_embedding.shape[0] == 1
        image_embedding = image_embedding.flatten(2).permute(0, 2, 1)
        image_pe = image_pe.flatten(2).permute(0, 2, 1)
        queries, keys = point_embedding, image_embedding
        for i, layer in enumerate(self.layers):
            queries, keys = layer(queries, keys, point_embedding, image_pe, few_tokens, shared and i == 0)
        q = queries + point_embedding
        k = keys + image_pe
        attn = self.final_attn_token_to_image
        out = tokens_to_image(attn, q, k, keys) if few_tokens else attn(q=q, k=k, v=keys)
        queries = self.norm_final_attn(queries + out)
        return queries, keys


class TwoWayAttentionBlock(nn.Module):
    """Token self-attention, token→image cross-attention, token MLP, image→token cross-attention."""

    def __init__(
        self,
        embedding_dim: int,
        num_heads: int,
        mlp_dim: int,
        attention_downsample_rate: int,
        skip_first_layer_pe: bool,
    ) -> None:
        super().__init__()
        self.self_attn = Attention(embedding_dim, num_heads)
        self.norm1 = nn.LayerNorm(embedding_dim)
        self.cross_attn_token_to_image = Attention(embedding_dim, num_heads, attention_downsample_rate)
        self.norm2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLPBlock(embedding_dim, mlp_dim, nn.ReLU)
        self.norm3 = nn.LayerNorm(embedding_dim)
        self.norm4 = nn.LayerNorm(embedding_dim)
        self.cross_attn_image_to_token = Attention(embedding_dim, num_heads, attention_downsample_rate)
        self.skip_first_layer_pe = skip_first_layer_pe

    def forward(self, queries, keys, query_pe, key_pe, few_tokens=False, image_shared=False):
        """`image_shared`: keys are one image [1, HW, C] for all prompts (its projections run once, as they are)."""
        if self.skip_first_layer_pe:
            # First layer: the tokens are their own PE, and the residual is dropped (as in Meta's code).
            queries = self.self_attn(q=queries, k=queries, v=queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q=q, k=q, v=queries)
        queries = self.norm1(queries)

        q = queries + query_pe
        k = keys + key_pe
        to_image = self.cross_attn_token_to_image
        if few_tokens and not image_shared:
            queries = self.norm2(queries + tokens_to_image(to_image, q, k, keys))
        else:
            queries = self.norm2(queries + to_image(q=q, k=k, v=keys))

        queries = self.norm3(queries + self.mlp(queries))

        q = queries + query_pe
        k = keys + key_pe
        to_tokens = self.cross_attn_image_to_token
        if few_tokens:
            keys = self.norm4(keys + image_to_tokens(to_tokens, k, q, queries, image_shared))
        else:
            keys = self.norm4(keys + to_tokens(q=k, k=q, v=queries))
        return queries, keys


class Attention(nn.Module):
    """Multi-head attention whose q/k/v projections may shrink the width by `downsample_rate`."""

    def __init__(self, embedding_dim: int, num_heads: int, downsample_rate: int = 1) -> None:
        super().__init__()
        self.internal_dim = embedding_dim // downsample_rate
        self.num_heads = num_heads
        self.q_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.k_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.v_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.out_proj = nn.Linear(self.internal_dim, embedding_dim)

    def _separate_heads(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        return x.reshape(b, n, self.num_heads, c // self.num_heads).transpose(1, 2)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        q = self._separate_heads(self.q_proj(q))
        k = self._separate_heads(self.k_proj(k))
        v = self._separate_heads(self.v_proj(v))
        attn = q @ k.permute(0, 1, 3, 2)
        attn = torch.softmax(attn / math.sqrt(q.shape[-1]), dim=-1)
        out = attn @ v  # [B, heads, tokens, c_per_head]
        b, heads, tokens, c_per_head = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(b, tokens, heads * c_per_head))
