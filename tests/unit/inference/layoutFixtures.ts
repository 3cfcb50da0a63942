/** Graph signatures of one model folder per registered layout, written out (no ONNX needed). */
import type { LayoutKind } from '../../../electron/inference/layouts/registry.ts';
import type { ModelGraph, TensorSignature } from '../../../electron/inference/layouts/signature.ts';

export const f32 = (name: string, shape: Array<number | string>): TensorSignature => ({
  name,
  type: 'float32',
  shape,
});
export const u8 = (name: string, shape: Array<number | string>): TensorSignature => ({
  name,
  type: 'uint8',
  shape,
});
export const i64 = (name: string, shape: Array<number | string>): TensorSignature => ({
  name,
  type: 'int64',
  shape,
});

const SAM2_FEATURES = [
  f32('image_embed', [1, 256, 64, 64]),
  f32('high_res_feats_0', [1, 32, 256, 256]),
  f32('high_res_feats_1', [1, 64, 128, 128]),
];

/** SAM 2 decoder of ours / layout A: `tokens` 4 (ours) or 3 (samexporter), batch fixed or dynamic. */
function sam2Decoder(tokens: 3 | 4, batch: number | string): ModelGraph {
  return {
    file: 'decoder.onnx',
    graph: {
      inputs: [
        ...SAM2_FEATURES,
        f32('point_coords', [batch, 'num_points', 2]),
        f32('point_labels', [batch, 'num_points']),
        f32('mask_input', [batch, 1, 256, 256]),
        f32('has_mask_input', [batch]),
      ],
      outputs: [f32('masks', [batch, tokens, 256, 256]), f32('iou_predictions', [batch, tokens])],
    },
  };
}

const sam2Encoder = (outputs: TensorSignature[]): ModelGraph => ({
  file: 'encoder.onnx',
  graph: { inputs: [f32('image', [1, 3, 1024, 1024])], outputs },
});

/** One folder's graphs per registered layout: a `Record` so a layout added without a fixture does not compile. */
export const FIXTURES: Record<LayoutKind, ModelGraph[]> = {
  'sam-annotate': [
    {
      file: 'encoder.onnx',
      graph: {
        inputs: [f32('input_image', [1, 3, 1024, 1024])],
        outputs: [f32('image_embeddings', [1, 256, 64, 64])],
      },
    },
    {
      file: 'decoder.onnx',
      graph: {
        inputs: [
          f32('image_embeddings', [1, 256, 64, 64]),
          f32('point_coords', [1, 'n', 2]),
          f32('point_labels', [1, 'n']),
          f32('mask_input', [1, 1, 256, 256]),
          f32('has_mask_input', [1]),
          f32('orig_im_size', [2]),
        ],
        outputs: [
          f32('masks', [1, 4, 'h', 'w']),
          f32('iou_predictions', [1, 4]),
          f32('low_res_masks', [1, 4, 256, 256]),
        ],
      },
    },
  ],
  'transformers.js': [
    {
      file: 'vision_encoder.onnx',
      graph: {
        inputs: [f32('pixel_values', ['b', 3, 1024, 1024])],
        outputs: [
          f32('image_embeddings', ['b', 256, 64, 64]),
          f32('image_positional_embeddings', ['b', 256, 64, 64]),
        ],
      },
    },
    {
      file: 'prompt_encoder_mask_decoder.onnx',
      graph: {
        inputs: [
          f32('image_embeddings', ['b', 256, 64, 64]),
          f32('image_positional_embeddings', ['b', 256, 64, 64]),
          f32('input_points', ['b', 'p', 'n', 2]),
          i64('input_labels', ['b', 'p', 'n']),
        ],
        outputs: [f32('iou_scores', ['b', 'p', 3]), f32('pred_masks', ['b', 'p', 3, 256, 256])],
      },
    },
  ],
  'sam-hq': [
    {
      file: 'sam_hq_vit_b.encoder.onnx',
      graph: {
        inputs: [f32('image', [1, 3, 1024, 1024])],
        outputs: [f32('image_embeddings', [1, 256, 64, 64]), f32('interm_embeddings', [4, 1, 64, 64, 768])],
      },
    },
    {
      file: 'sam_hq_vit_b.decoder.onnx',
      graph: {
        inputs: [
          f32('image_embeddings', [1, 256, 64, 64]),
          f32('interm_embeddings', [4, 1, 64, 64, 768]),
          f32('point_coords', [1, 'num_points', 2]),
          f32('point_labels', [1, 'num_points']),
          f32('mask_input', [1, 1, 256, 256]),
          f32('has_mask_input', [1]),
          f32('orig_im_size', [2]),
        ],
        outputs: [
          f32('masks', [1, 1, 'h', 'w']),
          f32('iou_predictions', [1, 1]),
          f32('low_res_masks', [1, 1, 256, 256]),
        ],
      },
    },
  ],
  edgesam: [
    {
      file: 'edge_sam_3x_encoder.onnx',
      graph: {
        inputs: [f32('image', [1, 3, 1024, 1024])],
        outputs: [f32('image_embeddings', [1, 256, 64, 64])],
      },
    },
    {
      file: 'edge_sam_3x_decoder.onnx',
      graph: {
        inputs: [
          f32('image_embeddings', [1, 256, 64, 64]),
          f32('point_coords', [1, 'num_points', 2]),
          f32('point_labels', [1, 'num_points']),
        ],
        outputs: [f32('scores', [1, 4]), f32('masks', [1, 4, 256, 256])],
      },
    },
  ],
  // X-AnyLabeling's MobileSAM pair (samexporter --use-preprocess encoder, Meta's ViT-H decoder), issue 15.
  'preprocess-in-graph': [
    {
      file: 'mobile_sam.encoder.onnx',
      graph: {
        inputs: [f32('input_image', ['image_height', 'image_width', 3])],
        outputs: [f32('image_embeddings', [1, 256, 64, 64])],
      },
    },
    {
      file: 'sam_vit_h_4b8939.decoder.onnx',
      graph: {
        inputs: [
          f32('image_embeddings', [1, 256, 64, 64]),
          f32('point_coords', [1, 'n', 2]),
          f32('point_labels', [1, 'n']),
          f32('mask_input', [1, 1, 256, 256]),
          f32('has_mask_input', [1]),
          f32('orig_im_size', [2]),
        ],
        outputs: [
          f32('masks', [1, 4, 'h', 'w']),
          f32('iou_predictions', [1, 4]),
          f32('low_res_masks', [1, 4, 256, 256]),
        ],
      },
    },
  ],
  // EfficientViT-SAM L0 as mit-han-lab exports it: a 512 encoder, low-res masks of all four tokens.
  'efficientvit-sam': [
    {
      file: 'encoder.onnx',
      graph: {
        inputs: [f32('input_image', ['batch_size', 3, 512, 512])],
        outputs: [f32('image_embeddings', ['batch_size', 256, 64, 64])],
      },
    },
    {
      file: 'decoder.onnx',
      graph: {
        inputs: [
          f32('image_embeddings', [1, 256, 64, 64]),
          f32('point_coords', ['batch_size', 'num_points', 2]),
          f32('point_labels', ['batch_size', 'num_points']),
        ],
        outputs: [f32('masks', ['batch_size', 4, 256, 256]), f32('iou_predictions', ['batch_size', 4])],
      },
    },
  ],
  sam2: [sam2Encoder(SAM2_FEATURES), sam2Decoder(4, 1)],
  // Layout A's encoder lists the stride-4 and stride-8 features first.
  'sam2-samexporter': [
    sam2Encoder([SAM2_FEATURES[1]!, SAM2_FEATURES[2]!, SAM2_FEATURES[0]!]),
    sam2Decoder(3, 'num_labels'),
  ],
  'sam2-rectlabel': [
    {
      file: 'sam2_hiera_tiny_preprocess.onnx',
      graph: {
        inputs: [f32('input', [1, 3, 1024, 1024])],
        outputs: [
          f32('image_embeddings', [1, 256, 64, 64]),
          f32('high_res_features1', [1, 32, 256, 256]),
          f32('high_res_features2', [1, 64, 128, 128]),
        ],
      },
    },
    {
      file: 'sam2_hiera_tiny.onnx',
      graph: {
        inputs: [
          f32('image_embeddings', [1, 256, 64, 64]),
          f32('high_res_features1', [1, 32, 256, 256]),
          f32('high_res_features2', [1, 64, 128, 128]),
          f32('point_coords', ['num_labels', 'num_points', 2]),
          f32('point_labels', ['num_labels', 'num_points']),
          f32('mask_input', ['num_labels', 1, 256, 256]),
          f32('has_mask_input', ['num_labels']),
          i64('orig_im_size', [2]),
        ],
        outputs: [
          f32('masks', ['num_labels', 4, 'orig_im_height', 'orig_im_width']),
          f32('iou_predictions', ['num_labels', 4]),
          f32('low_res_masks', ['num_labels', 4, 256, 256]),
        ],
      },
    },
  ],
  'sam2-transformers.js': [
    {
      file: 'vision_encoder.onnx',
      graph: {
        inputs: [f32('pixel_values', ['batch_size', 3, 1024, 1024])],
        outputs: [
          f32('image_embeddings.0', ['batch_size', 32, 256, 256]),
          f32('image_embeddings.1', ['batch_size', 64, 128, 128]),
          f32('image_embeddings.2', ['batch_size', 256, 64, 64]),
        ],
      },
    },
    {
      file: 'prompt_encoder_mask_decoder.onnx',
      graph: {
        inputs: [
          f32('image_embeddings.0', ['batch_size', 32, 256, 256]),
          f32('image_embeddings.1', ['batch_size', 64, 128, 128]),
          f32('image_embeddings.2', ['batch_size', 256, 64, 64]),
          f32('input_points', ['batch_size', 'point_batch_size', 'num_points', 2]),
          i64('input_labels', ['batch_size', 'point_batch_size', 'num_points']),
          f32('input_boxes', ['batch_size', 'num_boxes', 4]),
        ],
        outputs: [
          f32('iou_scores', ['batch_size', 'point_batch_size', 3]),
          f32('pred_masks', ['batch_size', 'point_batch_size', 3, 256, 256]),
          f32('object_score_logits', ['batch_size', 'point_batch_size', 1]),
        ],
      },
    },
  ],
};
