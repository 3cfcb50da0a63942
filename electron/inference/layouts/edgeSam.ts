/**
 * EdgeSAM's own ONNX export (chongzhou96/EdgeSAM `scripts/export_onnx_model.py`, issue 15):
 *   encoder: image f32 [1,3,S,S] (Meta's normalise + pad, done by us) → image_embeddings [1,C,g,g]
 *   decoder: image_embeddings, point_coords f32 [1,N,2] (model frame; the graph adds 0.5), point_labels f32 [1,N]
 *     (1/0 points, 2/3 box corners, −1 padding) → scores [1,4], masks [1,4,4g,4g] (low-res logits, all tokens)
 * No mask input, no image size, and the graph adds no padding point: we feed exactly Meta's predictor points
 * (the padding point when there is no box), so the multimask tokens equal Meta's SamPredictor on these weights.
 * EdgeSAM did not distil SAM's IoU head, so its authors rank candidates by stability score (their README; their
 * demo keeps the most stable of the four tokens): a single mask is the token with the highest stability of its
 * low-res logits, and the capabilities tell the UI to order and label candidates by stability.
 * See native-models/sam_tools/edgesam.py (PyTorch reference) and native-models/LAYOUTS.md.
 */
import type { ModelFrame } from '../../common/frames.ts';
import { UserError } from '../../common/errors.ts';
import { type Prompt, encodeDecoderPoints, outputTokens } from '../../common/prompts.ts';
import { geometryOf } from './geometry.ts';
import { isMetaEncoder } from './samAnnotate.ts';
import type { GraphSignature } from './signature.ts';
import {
  type Candidate,
  type EmbeddingTensors,
  type Feeds,
  type LayoutAdapter,
  type LayoutCapabilities,
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

export const EDGESAM_DECODER = {
  inputs: ['image_embeddings', 'point_coords', 'point_labels'],
  outputs: ['scores', 'masks'],
} as const;

/** Exactly EdgeSAM's three decoder inputs, and its two outputs. */
export function isEdgeSamDecoder(g: GraphSignature): boolean {
  const inputs = g.inputs.map((i) => i.name).sort();
  const outputs = new Set(g.outputs.map((o) => o.name));
  return (
    inputs.join() === [...EDGESAM_DECODER.inputs].sort().join() &&
    EDGESAM_DECODER.outputs.every((n) => outputs.has(n))
  );
}

/**
 * Meta's `calculate_stability_score` (offset 1) on low-res logits: |x > t + 1| / |x > t − 1|; 0 when nothing is
 * above t − 1 (Meta's 0/0), so an empty mask never wins.
 */
export function lowResStability(logits: Float32Array, threshold = 0): number {
  let inner = 0;
  let outer = 0;
  for (const v of logits) {
    if (v > threshold + 1) inner++;
    if (v > threshold - 1) outer++;
  }
  return outer === 0 ? 0 : inner / outer;
}

export const edgeSamLayout: LayoutEntry<'edgesam'> = {
  kind: 'edgesam',
  family: 'sam1',
  expected:
    `EdgeSAM's decoder export (inputs ${EDGESAM_DECODER.inputs.join(', ')}; outputs ` +
    `${EDGESAM_DECODER.outputs.join(', ')}) with an encoder taking one float32 [1,3,S,S] input`,
  match(dir, graphs, manifest) {
    const decoder = graphs.find((g) => isEdgeSamDecoder(g.graph));
    const encoder = graphs.find((g) => g !== decoder && isMetaEncoder(g.graph));
    if (!decoder || !encoder) return undefined;
    const embedding = decoder.graph.inputs.find((i) => i.name === 'image_embeddings')!;
    const geometry = geometryOf(dir, embedding.shape, encoder.graph.inputs[0]!.shape, manifest);
    return new EdgeSamLayout(
      { encoder: encoder.file, decoder: decoder.file },
      encoder.graph,
      geometry,
      sam1Normalization(manifest),
    );
  },
};

export class EdgeSamLayout implements LayoutAdapter {
  readonly kind = edgeSamLayout.kind;
  readonly family = 'sam1' as const;
  readonly capabilities: LayoutCapabilities = {
    maskInput: false,
    box: true,
    singleMaskToken: true,
    singleMask: 'most-stable',
    ranking: { by: 'stability', label: 'ranked by stability' },
  };
  readonly encoder;
  readonly decoder;
  readonly imageTensors;
  readonly postprocess = SAM1_POSTPROCESS;
  private readonly encoderInput: string;

  constructor(
    files: { encoder: string; decoder: string },
    encoderGraph: GraphSignature,
    readonly geometry: ModelGeometry,
    private readonly normalization: Sam1Normalization,
  ) {
    this.encoderInput = encoderGraph.inputs[0]!.name;
    const embeddingOutput =
      encoderGraph.outputs.find((o) => o.name === 'image_embeddings') ?? encoderGraph.outputs[0]!;
    this.encoder = { file: files.encoder, outputNames: [embeddingOutput.name] };
    this.decoder = { file: files.decoder, outputNames: [...EDGESAM_DECODER.outputs] };
    this.imageTensors = [embeddingSpec('image_embeddings', geometry)];
  }

  preprocess(rgb: Uint8Array, width: number, height: number): Preprocessed {
    const s = this.geometry.inputSize;
    const { input, frame } = sam1ModelInput(rgb, width, height, s, this.normalization);
    return { feeds: { [this.encoderInput]: { type: 'float32', data: input, dims: [1, 3, s, s] } }, frame };
  }

  embeddingFrom(outputs: Outputs): EmbeddingTensors {
    return { image_embeddings: requireOutput(outputs, this.encoder.outputNames[0]!) };
  }

  decoderFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt): Feeds {
    if (prompt.maskInput)
      throw new UserError('this model (EdgeSAM layout) cannot refine from an earlier mask (no mask input)');
    // Meta's predictor feed: points, then box corners (2, 3), else the (0, 0, −1) padding point, which
    // EdgeSAM's graph does not add itself.
    const points = encodeDecoderPoints(frame, prompt);
    const emb = embedding.image_embeddings!;
    return {
      image_embeddings: { type: 'float32', data: emb.data, dims: emb.dims },
      point_coords: { type: 'float32', data: points.coords, dims: [1, points.count, 2] },
      point_labels: { type: 'float32', data: points.labels, dims: [1, points.count] },
    };
  }

  /**
   * Multimask: tokens 1..3 in the decoder's order (the UI ranks them by stability, `capabilities.ranking`).
   * Single mask: the one of the four tokens whose low-res logits are the most stable (the first on a tie).
   */
  selectCandidates(outputs: Outputs, multimask: boolean): Candidate[] {
    const scores = requireOutput(outputs, 'scores');
    const masks = requireOutput(outputs, 'masks');
    const all = [0, 1, 2, 3].map((token) => ({
      token,
      predictedIou: scores.data[token]!,
      lowRes: sliceMask(masks, token),
    }));
    const stability = all.map((c) => lowResStability(c.lowRes));
    const ranked = all.map((c, i) => ({ ...c, rankScore: stability[i]! }));
    if (multimask) return outputTokens(true).map((token) => ranked[token]!);
    const best = stability.reduce((b, s, i) => (s > stability[b]! ? i : b), 0);
    return [ranked[best]!];
  }
}
