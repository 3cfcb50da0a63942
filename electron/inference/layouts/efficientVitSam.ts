/**
 * EfficientViT-SAM as mit-han-lab exports it (`applications/efficientvit_sam/deployment/onnx/export_{encoder,
 * decoder}.py`; issue 15).
 *
 * Encoder: input_image float32 [1, 3, Se, Se] (Se = 512 for L0–L2, 1024 for XL0–XL1): the image resized so its
 * long side is Se, normalised (ImageNet mean/std), zero-padded → image_embeddings [1, C, g, g].
 * Decoder: image_embeddings, point_coords [B, N, 2], point_labels [B, N] (float; 1, 0, 2/3 box corners, −1
 * padding; the graph adds 0.5) → masks [B, T, 4g, 4g] LOW-RES logits, iou_predictions [B, T]; T = 4 (all tokens) or
 * 1 (`--return-single-mask`: argmax over all four in the graph). No mask input, no size input.
 *
 * The prompt encoder and the postprocessing work in a different frame from the encoder: Meta's 'longest-side'
 * frame of side S = 16·g (1024 for every published model, also when Se = 512). So the encoder is fed at Se, while
 * points and masks use the S frame: SAM 1's prompt encoding (with Meta's padding point when there is no box, as the
 * PyTorch predictor does; the official ONNX demo omits it) and SAM 1's postprocessing.
 */
import { type ModelFrame, imagePoint, imageToModel, modelFrameFor } from '../../common/frames.ts';
import { LABEL, type Prompt, encodeDecoderPoints, outputTokens } from '../../common/prompts.ts';
import { UserError } from '../../common/errors.ts';
import { geometryOf } from './geometry.ts';
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
import { isImageInput } from './samAnnotate.ts';
import type { GraphSignature } from './signature.ts';

const INPUTS = ['image_embeddings', 'point_coords', 'point_labels'] as const;
const OUTPUTS = ['masks', 'iou_predictions'] as const;

export function isEfficientVitDecoder(g: GraphSignature): boolean {
  const names = g.inputs.map((i) => i.name).sort();
  const outs = g.outputs.map((o) => o.name).sort();
  return names.join() === [...INPUTS].sort().join() && outs.join() === [...OUTPUTS].sort().join();
}

export const efficientVitSamLayout: LayoutEntry<'efficientvit-sam'> = {
  kind: 'efficientvit-sam',
  family: 'sam1',
  expected:
    `EfficientViT-SAM's official export (decoder inputs ${INPUTS.join(', ')}; outputs ${OUTPUTS.join(', ')}) ` +
    'with an encoder taking one float32 [1,3,Se,Se] input',
  match(dir, graphs, manifest) {
    const decoder = graphs.find((g) => isEfficientVitDecoder(g.graph));
    const encoder = graphs.find(
      (g) => g !== decoder && g.graph.inputs.length === 1 && isImageInput(g.graph.inputs[0]!),
    );
    if (!decoder || !encoder) return undefined;
    const embedding = decoder.graph.inputs.find((i) => i.name === 'image_embeddings')!;
    // The decoder's frame is 16 × grid whatever the encoder's side: geometry from the grid alone.
    const geometry = geometryOf(dir, embedding.shape, [1, 3, 'S', 'S'], manifest);
    const side = encoder.graph.inputs[0]!.shape[2];
    const encoderSide = typeof side === 'number' && side > 0 ? side : geometry.inputSize;
    if (encoderSide > geometry.inputSize) {
      throw new UserError(
        `model folder ${dir}: the encoder takes ${encoderSide}×${encoderSide}, larger than the decoder's ${geometry.inputSize} frame`,
      );
    }
    const tokens = decoder.graph.outputs.find((o) => o.name === 'iou_predictions')!.shape[1] === 1 ? 1 : 4;
    return new EfficientVitSamLayout(
      { encoder: encoder.file, decoder: decoder.file },
      encoder.graph.inputs[0]!.name,
      encoderSide,
      tokens,
      geometry,
      sam1Normalization(manifest),
    );
  },
};

export class EfficientVitSamLayout implements LayoutAdapter {
  readonly kind = efficientVitSamLayout.kind;
  readonly family = 'sam1' as const;
  readonly capabilities;
  readonly encoder;
  readonly decoder;
  readonly imageTensors;
  readonly postprocess = SAM1_POSTPROCESS;
  readonly grid: GridDecoder | undefined;

  constructor(
    files: { encoder: string; decoder: string },
    private readonly encoderInput: string,
    /** Side Se of the encoder's input (512 for L0–L2), ≤ the decoder frame's S. */
    private readonly encoderSide: number,
    private readonly tokensInGraph: 1 | 4,
    readonly geometry: ModelGeometry,
    private readonly normalization: Sam1Normalization,
  ) {
    this.capabilities = {
      maskInput: false,
      box: true,
      singleMaskToken: tokensInGraph === 4,
      singleMask: tokensInGraph === 4 ? ('token0' as const) : ('in-graph' as const),
    };
    this.encoder = { file: files.encoder, outputNames: ['image_embeddings'] };
    this.decoder = { file: files.decoder, outputNames: [...OUTPUTS] };
    this.imageTensors = [embeddingSpec('image_embeddings', geometry)];
    // The decoder takes B prompts per run (point_coords [B, N, 2]); with all four tokens that is a grid decoder.
    this.grid = tokensInGraph === 4 ? gridOf(files.decoder) : undefined;
  }

  /** Encoder input at Se; the returned frame is the decoder's (side S). */
  preprocess(rgb: Uint8Array, width: number, height: number): Preprocessed {
    const se = this.encoderSide;
    const { input } = sam1ModelInput(rgb, width, height, se, this.normalization);
    return {
      feeds: { [this.encoderInput]: { type: 'float32', data: input, dims: [1, 3, se, se] } },
      frame: modelFrameFor({ width, height }, this.geometry.inputSize),
    };
  }

  embeddingFrom(outputs: Outputs): EmbeddingTensors {
    return { image_embeddings: requireOutput(outputs, 'image_embeddings') };
  }

  decoderFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt): Feeds {
    if (prompt.maskInput) throw new Error('EfficientViT-SAM (official export) takes no mask input');
    const points = encodeDecoderPoints(frame, prompt);
    const emb = embedding.image_embeddings!;
    return {
      image_embeddings: { type: 'float32', data: emb.data, dims: emb.dims },
      point_coords: { type: 'float32', data: points.coords, dims: [1, points.count, 2] },
      point_labels: { type: 'float32', data: points.labels, dims: [1, points.count] },
    };
  }

  selectCandidates(outputs: Outputs, multimask: boolean): Candidate[] {
    return promptCandidates(outputs, 0, multimask);
  }
}

/**
 * Prompt `b`'s candidates. The token count comes from the outputs (exports may leave that axis symbolic): 1 means
 * `--return-single-mask` chose in the graph (token reported as −1, unknown).
 */
function promptCandidates(outputs: Outputs, b: number, multimask: boolean): Candidate[] {
  const iou = requireOutput(outputs, 'iou_predictions');
  const masks = requireOutput(outputs, 'masks');
  const tokens = iou.dims[iou.dims.length - 1] ?? 4;
  if (tokens === 1) return [{ token: -1, predictedIou: iou.data[b]!, lowRes: sliceMask(masks, b) }];
  return outputTokens(multimask).map((token) => ({
    token,
    predictedIou: iou.data[tokens * b + token]!,
    lowRes: sliceMask(masks, tokens * b + token),
  }));
}

/**
 * The official decoder as a {@link GridDecoder}: B one-point prompts of one image per run, each the positive point
 * and Meta's padding point (what Meta's automatic mask generator feeds), multimask tokens 1..3 per prompt.
 */
function gridOf(file: string): GridDecoder {
  return {
    file,
    outputNames: [...OUTPUTS],
    feeds(embedding: EmbeddingTensors, frame: ModelFrame, points: Float64Array): Feeds {
      const count = points.length / 2;
      const coords = new Float32Array(count * 4);
      const labels = new Float32Array(count * 2);
      for (let i = 0; i < count; i++) {
        const p = imageToModel(frame, imagePoint(points[2 * i]!, points[2 * i + 1]!));
        coords[4 * i] = p.x;
        coords[4 * i + 1] = p.y;
        labels[2 * i] = LABEL.positive;
        labels[2 * i + 1] = LABEL.padding; // at (0, 0)
      }
      const emb = embedding.image_embeddings!;
      return {
        image_embeddings: { type: 'float32', data: emb.data, dims: emb.dims },
        point_coords: { type: 'float32', data: coords, dims: [count, 2, 2] },
        point_labels: { type: 'float32', data: labels, dims: [count, 2] },
      };
    },
    candidates(outputs: Outputs, count: number): Candidate[][] {
      return Array.from({ length: count }, (_, b) => promptCandidates(outputs, b, true));
    },
  };
}
