/**
 * The transformers.js SAM layout (Xenova/sam-vit-*, Xenova/slimsam-*; exported by optimum's SamOnnxConfig):
 *   vision_encoder.onnx: pixel_values [B,3,S,S] → image_embeddings [B,C,g,g], image_positional_embeddings [B,C,g,g]
 *   prompt_encoder_mask_decoder.onnx: image_embeddings, image_positional_embeddings, input_points f32 [B,P,n,2],
 *     input_labels int64 [B,P,n] (, input_boxes f32 [B,nb,4]) → iou_scores [B,P,3], pred_masks [B,P,3,4g,4g]
 * Points are in the model frame (the graph adds the +0.5 pixel-centre shift). The graph always returns the three
 * multimask tokens (no single-mask token) and takes no mask input. See native-models/LAYOUTS.md.
 */
import type { ModelFrame } from '../../common/frames.ts';
import { imagePoint, imageToModel } from '../../common/frames.ts';
import { UserError } from '../../common/errors.ts';
import { LABEL, type Prompt } from '../../common/prompts.ts';
import { geometryOf } from './geometry.ts';
import type { GraphSignature, ModelGraph } from './signature.ts';
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

export const TRANSFORMERS_ENCODER = {
  file: 'vision_encoder.onnx',
  inputs: ['pixel_values'],
  outputs: ['image_embeddings', 'image_positional_embeddings'],
} as const;
export const TRANSFORMERS_DECODER = {
  file: 'prompt_encoder_mask_decoder.onnx',
  inputs: ['image_embeddings', 'image_positional_embeddings', 'input_points', 'input_labels'],
  outputs: ['iou_scores', 'pred_masks'],
} as const;

function has(names: readonly { name: string }[], wanted: readonly string[]): boolean {
  const set = new Set(names.map((n) => n.name));
  return wanted.every((w) => set.has(w));
}

export function matchTransformersJs(
  graphs: readonly ModelGraph[],
): { encoder: ModelGraph; decoder: ModelGraph } | undefined {
  const decoder = graphs.find(
    (g) =>
      has(g.graph.inputs, TRANSFORMERS_DECODER.inputs) && has(g.graph.outputs, TRANSFORMERS_DECODER.outputs),
  );
  const encoder = graphs.find(
    (g) =>
      g !== decoder &&
      has(g.graph.inputs, TRANSFORMERS_ENCODER.inputs) &&
      has(g.graph.outputs, TRANSFORMERS_ENCODER.outputs),
  );
  return decoder && encoder ? { encoder, decoder } : undefined;
}

export const transformersJsLayout: LayoutEntry<'transformers.js'> = {
  kind: 'transformers.js',
  family: 'sam1',
  expected:
    `the transformers.js SAM layout (${TRANSFORMERS_ENCODER.file}: ${TRANSFORMERS_ENCODER.inputs.join(', ')} → ` +
    `${TRANSFORMERS_ENCODER.outputs.join(', ')}; ${TRANSFORMERS_DECODER.file}: ` +
    `${TRANSFORMERS_DECODER.inputs.join(', ')} → ${TRANSFORMERS_DECODER.outputs.join(', ')})`,
  match(dir, graphs, manifest) {
    const hf = matchTransformersJs(graphs);
    if (!hf) return undefined;
    const embedding = hf.decoder.graph.inputs.find((i) => i.name === 'image_embeddings')!;
    const geometry = geometryOf(dir, embedding.shape, hf.encoder.graph.inputs[0]!.shape, manifest);
    return new TransformersJsLayout(
      { encoder: hf.encoder.file, decoder: hf.decoder.file },
      hf.decoder.graph,
      geometry,
      sam1Normalization(manifest),
    );
  },
};

export class TransformersJsLayout implements LayoutAdapter {
  readonly kind = transformersJsLayout.kind;
  readonly family = 'sam1' as const;
  readonly capabilities;
  readonly encoder;
  readonly decoder;
  readonly imageTensors;
  readonly postprocess = SAM1_POSTPROCESS;
  private readonly hasBoxInput: boolean;

  constructor(
    files: { encoder: string; decoder: string },
    decoderGraph: GraphSignature,
    readonly geometry: ModelGeometry,
    private readonly normalization: Sam1Normalization,
  ) {
    this.hasBoxInput = decoderGraph.inputs.some((i) => i.name === 'input_boxes');
    this.capabilities = {
      maskInput: false,
      box: this.hasBoxInput,
      singleMaskToken: false,
      singleMask: 'best-of-3' as const,
    };
    this.encoder = { file: files.encoder, outputNames: [...TRANSFORMERS_ENCODER.outputs] };
    this.decoder = { file: files.decoder, outputNames: [...TRANSFORMERS_DECODER.outputs] };
    this.grid = this.gridDecoder(files.decoder);
    this.imageTensors = TRANSFORMERS_ENCODER.outputs.map((name) => embeddingSpec(name, geometry));
  }

  readonly grid: GridDecoder;

  /** The decoder itself decodes P point batches per run (input_points [1, P, n, 2]), each independently. */
  private gridDecoder(file: string): GridDecoder {
    const withBoxes = this.hasBoxInput;
    return {
      file,
      outputNames: [...TRANSFORMERS_DECODER.outputs],
      feeds: (embedding, frame, points) => {
        const count = points.length / 2;
        // Without input_boxes the graph appends the padding point itself; with it, we do (see decoderFeeds).
        const n = withBoxes ? 2 : 1;
        const xy = new Float32Array(count * n * 2);
        const labels = new BigInt64Array(count * n);
        for (let i = 0; i < count; i++) {
          const p = imageToModel(frame, imagePoint(points[2 * i]!, points[2 * i + 1]!));
          xy[2 * n * i] = p.x;
          xy[2 * n * i + 1] = p.y;
          labels[n * i] = BigInt(LABEL.positive);
          if (withBoxes) labels[n * i + 1] = BigInt(LABEL.padding);
        }
        const feeds: Feeds = {
          image_embeddings: { type: 'float32', ...embedding.image_embeddings! },
          image_positional_embeddings: { type: 'float32', ...embedding.image_positional_embeddings! },
          input_points: { type: 'float32', data: xy, dims: [1, count, n, 2] },
          input_labels: { type: 'int64', data: labels, dims: [1, count, n] },
        };
        if (withBoxes) feeds.input_boxes = { type: 'float32', data: new Float32Array(0), dims: [1, 0, 4] };
        return feeds;
      },
      candidates: (outputs, count) => {
        const iou = requireOutput(outputs, 'iou_scores');
        const masks = requireOutput(outputs, 'pred_masks');
        return Array.from({ length: count }, (_, p) =>
          [0, 1, 2].map((i) => ({
            token: i + 1,
            predictedIou: iou.data[p * 3 + i]!,
            lowRes: sliceMask(masks, p * 3 + i),
          })),
        );
      },
    };
  }

  preprocess(rgb: Uint8Array, width: number, height: number): Preprocessed {
    const s = this.geometry.inputSize;
    const { input, frame } = sam1ModelInput(rgb, width, height, s, this.normalization);
    return { feeds: { pixel_values: { type: 'float32', data: input, dims: [1, 3, s, s] } }, frame };
  }

  embeddingFrom(outputs: Outputs): EmbeddingTensors {
    return {
      image_embeddings: requireOutput(outputs, 'image_embeddings'),
      image_positional_embeddings: requireOutput(outputs, 'image_positional_embeddings'),
    };
  }

  decoderFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt): Feeds {
    if (prompt.maskInput)
      throw new UserError(
        'this model (transformers.js layout) cannot refine from an earlier mask (no mask input)',
      );
    if (prompt.box && !this.hasBoxInput)
      throw new UserError(
        'this model (transformers.js layout) takes no box prompts (its decoder has no input_boxes)',
      );
    const xy: number[] = [];
    const labels: bigint[] = [];
    for (const { point, label } of prompt.points) {
      const p = imageToModel(frame, point);
      xy.push(p.x, p.y);
      labels.push(BigInt(label));
    }
    // Exported with input_boxes, the graph no longer appends its own padding point (HF pads only when no box
    // is given, decided at trace time), so we append Meta's (0, 0, −1) ourselves for point-only prompts.
    if (this.hasBoxInput && !prompt.box) {
      xy.push(0, 0);
      labels.push(BigInt(LABEL.padding));
    }
    const feeds: Feeds = {
      image_embeddings: { type: 'float32', ...embedding.image_embeddings! },
      image_positional_embeddings: { type: 'float32', ...embedding.image_positional_embeddings! },
      input_points: { type: 'float32', data: Float32Array.from(xy), dims: [1, 1, labels.length, 2] },
      input_labels: { type: 'int64', data: BigInt64Array.from(labels), dims: [1, 1, labels.length] },
    };
    if (this.hasBoxInput) {
      const boxes: number[] = [];
      if (prompt.box) {
        const a = imageToModel(frame, imagePoint(prompt.box.x0, prompt.box.y0));
        const b = imageToModel(frame, imagePoint(prompt.box.x1, prompt.box.y1));
        boxes.push(a.x, a.y, b.x, b.y);
      }
      feeds.input_boxes = { type: 'float32', data: Float32Array.from(boxes), dims: [1, boxes.length / 4, 4] };
    }
    return feeds;
  }

  selectCandidates(outputs: Outputs, multimask: boolean): Candidate[] {
    const iou = requireOutput(outputs, 'iou_scores');
    const masks = requireOutput(outputs, 'pred_masks');
    const all = [0, 1, 2].map((i) => ({
      token: i + 1,
      predictedIou: iou.data[i]!,
      lowRes: sliceMask(masks, i),
    }));
    if (multimask) return all;
    // No single-mask token in this layout: return the candidate with the highest predicted IoU, as
    // Meta's `--return-single-mask` does for one-click prompts.
    return [all.reduce((best, c) => (c.predictedIou > best.predictedIou ? c : best))];
  }
}
