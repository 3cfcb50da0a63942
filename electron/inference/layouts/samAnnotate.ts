/**
 * This project's layout: Meta's decoder export (`scripts/export_onnx_model.py`, `SamOnnxModel`, default flags)
 * plus an encoder with one float32 input [1, 3, S, S]. Also matches folders holding Meta's decoder and any
 * community encoder with that input (samexporter without `--use-preprocess`, MobileSAM, …), whatever the encoder
 * tensors are named.
 *
 * Decoder IO (all float32): image_embeddings [1,C,g,g], point_coords [1,N,2] (model frame, no +0.5),
 * point_labels [1,N], mask_input [1,1,4g,4g], has_mask_input [1], orig_im_size [2] (H, W)
 * → masks [1,T,H,W], iou_predictions [1,T], low_res_masks [1,T,4g,4g]; T = 4 (all tokens) or 1
 * (`--return-single-mask`, selection done in the graph).
 *
 * Optional third graph `decoder_batch.onnx` (export.py --batch-decoder, listed in the manifest as
 * `files.decoder_batch`): image_embeddings [1,C,g,g], point_coords [B,N,2], point_labels [B,N] → iou_predictions
 * [B,4], low_res_masks [B,4,4g,4g]; B prompts of one image per run, no mask input (automatic mask generation).
 */
import { type ModelFrame, imagePoint, imageToModel } from '../../common/frames.ts';
import { LABEL, type Prompt, encodeDecoderPoints, outputTokens } from '../../common/prompts.ts';
import { geometryOf } from './geometry.ts';
import { carriesSam2Names } from './sam2Layouts.ts';
import type { GraphSignature, TensorSignature } from './signature.ts';
import {
  type Candidate,
  type EmbeddingTensors,
  type Feeds,
  type GridDecoder,
  type LayoutAdapter,
  type LayoutEntry,
  type ModelGeometry,
  type Outputs,
  type Preprocessed,
  requireOutput,
  sliceMask,
} from './layout.ts';
import {
  SAM1_POSTPROCESS,
  type Sam1Normalization,
  embeddingSpec,
  sam1ModelInput,
  sam1Normalization,
} from './sam1.ts';

export const META_DECODER_INPUTS = [
  'image_embeddings',
  'point_coords',
  'point_labels',
  'mask_input',
  'has_mask_input',
  'orig_im_size',
] as const;
export const META_DECODER_OUTPUTS = ['masks', 'iou_predictions', 'low_res_masks'] as const;

export const BATCH_DECODER_INPUTS = ['image_embeddings', 'point_coords', 'point_labels'] as const;
export const BATCH_DECODER_OUTPUTS = ['iou_predictions', 'low_res_masks'] as const;

/** The batch graph: exactly the batch inputs (no mask input, no orig_im_size) and the low-res outputs. */
export function isBatchDecoder(g: GraphSignature): boolean {
  const names = g.inputs.map((i) => i.name).sort();
  const outs = new Set(g.outputs.map((o) => o.name));
  return (
    names.join() === [...BATCH_DECODER_INPUTS].sort().join() &&
    BATCH_DECODER_OUTPUTS.every((n) => outs.has(n))
  );
}

export function isMetaDecoder(g: GraphSignature): boolean {
  const names = new Set(g.inputs.map((i) => i.name));
  const outs = new Set(g.outputs.map((o) => o.name));
  return META_DECODER_INPUTS.every((n) => names.has(n)) && META_DECODER_OUTPUTS.every((n) => outs.has(n));
}

/** An encoder input of the form float32 [1, 3, S, S]. */
export function isImageInput(s: TensorSignature): boolean {
  return s.type === 'float32' && s.shape.length === 4 && (s.shape[1] === 3 || typeof s.shape[1] === 'string');
}

export function isMetaEncoder(g: GraphSignature): boolean {
  return g.inputs.length === 1 && isImageInput(g.inputs[0]!) && g.outputs.length >= 1;
}

export const samAnnotateLayout: LayoutEntry<'sam-annotate'> = {
  kind: 'sam-annotate',
  family: 'sam1',
  expected:
    `Meta's SAM decoder export (inputs ${META_DECODER_INPUTS.join(', ')}; outputs ` +
    `${META_DECODER_OUTPUTS.join(', ')}) with an encoder taking one float32 [1,3,S,S] input`,
  match(dir, graphs, manifest) {
    // RectLabel's SAM 2 decoder has every name of Meta's SAM 1 decoder (and more): SAM 2 folders are not ours.
    if (graphs.some((g) => carriesSam2Names(g.graph))) return undefined;
    // SAM-HQ's decoder has them all too, plus the encoder's block features: that folder is samHq.ts's.
    if (graphs.some((g) => g.graph.inputs.some((i) => i.name === 'interm_embeddings'))) return undefined;
    const decoder = graphs.find((g) => isMetaDecoder(g.graph));
    const encoder = graphs.find((g) => g !== decoder && isMetaEncoder(g.graph));
    if (!decoder || !encoder) return undefined;
    const embedding = decoder.graph.inputs.find((i) => i.name === 'image_embeddings')!;
    const geometry = geometryOf(dir, embedding.shape, encoder.graph.inputs[0]!.shape, manifest);
    const batch = graphs.find((g) => isBatchDecoder(g.graph));
    return new SamAnnotateLayout(
      { encoder: encoder.file, decoder: decoder.file, decoderBatch: batch?.file },
      encoder.graph,
      decoder.graph,
      geometry,
      sam1Normalization(manifest),
    );
  },
};

export class SamAnnotateLayout implements LayoutAdapter {
  readonly kind = samAnnotateLayout.kind;
  readonly family = 'sam1' as const;
  readonly capabilities;
  readonly encoder;
  readonly decoder;
  readonly imageTensors;
  readonly postprocess = SAM1_POSTPROCESS;
  private readonly encoderInput: string;
  private readonly tokensInGraph: number;

  readonly grid: GridDecoder | undefined;

  constructor(
    files: { encoder: string; decoder: string; decoderBatch?: string },
    encoderGraph: GraphSignature,
    decoderGraph: GraphSignature,
    readonly geometry: ModelGeometry,
    private readonly normalization: Sam1Normalization,
  ) {
    this.encoderInput = encoderGraph.inputs[0]!.name;
    const embeddingOutput =
      encoderGraph.outputs.find((o) => o.name === 'image_embeddings') ?? encoderGraph.outputs[0]!;
    const iouShape = decoderGraph.outputs.find((o) => o.name === 'iou_predictions')?.shape ?? [];
    this.tokensInGraph = iouShape[1] === 1 ? 1 : 4;
    const singleMaskToken = this.tokensInGraph === 4;
    this.capabilities = {
      maskInput: true,
      box: true,
      singleMaskToken,
      singleMask: singleMaskToken ? ('token0' as const) : ('in-graph' as const),
    };
    this.encoder = { file: files.encoder, outputNames: [embeddingOutput.name] };
    // `masks` is left out on purpose: it is the logits upsampled to full resolution inside the graph (4 × H × W
    // floats, 190 MB for a 12 MP photo). We upsample the kept candidate ourselves from `low_res_masks`.
    this.decoder = { file: files.decoder, outputNames: ['iou_predictions', 'low_res_masks'] };
    this.grid = files.decoderBatch ? batchGrid(files.decoderBatch) : undefined;
    this.imageTensors = [embeddingSpec('image_embeddings', geometry)];
  }

  preprocess(rgb: Uint8Array, width: number, height: number): Preprocessed {
    const s = this.geometry.inputSize;
    const { input, frame } = sam1ModelInput(rgb, width, height, s, this.normalization);
    return { feeds: { [this.encoderInput]: { type: 'float32', data: input, dims: [1, 3, s, s] } }, frame };
  }

  embeddingFrom(outputs: Outputs): EmbeddingTensors {
    const tensor = requireOutput(outputs, this.encoder.outputNames[0]!);
    return { image_embeddings: tensor };
  }

  decoderFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt): Feeds {
    const points = encodeDecoderPoints(frame, prompt);
    const low = this.geometry.lowResSize;
    const maskInput = prompt.maskInput ?? new Float32Array(low * low);
    if (maskInput.length !== low * low) {
      throw new Error(`mask_input must hold ${low}×${low} logits, got ${maskInput.length} values`);
    }
    const emb = embedding.image_embeddings!;
    return {
      image_embeddings: { type: 'float32', data: emb.data, dims: emb.dims },
      point_coords: { type: 'float32', data: points.coords, dims: [1, points.count, 2] },
      point_labels: { type: 'float32', data: points.labels, dims: [1, points.count] },
      mask_input: { type: 'float32', data: maskInput, dims: [1, 1, low, low] },
      has_mask_input: { type: 'float32', data: Float32Array.of(prompt.maskInput ? 1 : 0), dims: [1] },
      // Only `masks` depends on orig_im_size, and we do not fetch it. The resized size keeps the graph's own
      // upsampling within S × S in case the runtime computes it anyway.
      orig_im_size: {
        type: 'float32',
        data: Float32Array.of(frame.resized.height, frame.resized.width),
        dims: [2],
      },
    };
  }

  selectCandidates(outputs: Outputs, multimask: boolean): Candidate[] {
    const iou = requireOutput(outputs, 'iou_predictions');
    const low = requireOutput(outputs, 'low_res_masks');
    const tokens = this.tokensInGraph === 1 ? [0] : outputTokens(multimask);
    return tokens.map((token, i) => {
      const index = this.tokensInGraph === 1 ? 0 : token;
      // With `--return-single-mask` the graph already chose a token; report it as -1 (unknown).
      return {
        token: this.tokensInGraph === 1 ? -1 : token,
        predictedIou: iou.data[index]!,
        lowRes: sliceMask(low, this.tokensInGraph === 1 ? i : index),
      };
    });
  }
}

/** The batch graph as a {@link GridDecoder}: per prompt one positive point and Meta's padding point. */
function batchGrid(file: string): GridDecoder {
  return {
    file,
    outputNames: [...BATCH_DECODER_OUTPUTS],
    feeds(embedding: EmbeddingTensors, frame: ModelFrame, points: Float64Array): Feeds {
      const count = points.length / 2;
      const coords = new Float32Array(count * 4);
      const labels = new Float32Array(count * 2);
      for (let i = 0; i < count; i++) {
        const p = imageToModel(frame, imagePoint(points[2 * i]!, points[2 * i + 1]!));
        coords[4 * i] = p.x;
        coords[4 * i + 1] = p.y;
        labels[2 * i] = LABEL.positive;
        labels[2 * i + 1] = LABEL.padding; // its coordinates stay (0, 0)
      }
      const emb = embedding.image_embeddings!;
      return {
        image_embeddings: { type: 'float32', data: emb.data, dims: emb.dims },
        point_coords: { type: 'float32', data: coords, dims: [count, 2, 2] },
        point_labels: { type: 'float32', data: labels, dims: [count, 2] },
      };
    },
    candidates(outputs: Outputs, count: number): Candidate[][] {
      const iou = requireOutput(outputs, 'iou_predictions');
      const low = requireOutput(outputs, 'low_res_masks');
      const tokens = iou.dims[1] ?? 4;
      return Array.from({ length: count }, (_, b) =>
        outputTokens(true).map((token) => ({
          token,
          predictedIou: iou.data[b * tokens + token]!,
          lowRes: sliceMask(low, b * tokens + token),
        })),
      );
    },
  };
}
