/**
 * The four SAM 2 / 2.1 ONNX layouts (native-models/LAYOUTS.md §3), one contract table each, one adapter class:
 * - 'sam2' (this project's `export_sam2.py --layout sam-annotate`): encoder `image` → image_embed,
 *   high_res_feats_0, high_res_feats_1; decoder those + point_coords [1,N,2], point_labels [1,N], mask_input
 *   [1,1,L,L], has_mask_input [1] → masks [1,4,L,L] (unclamped), iou_predictions [1,4]. All 4 tokens.
 * - 'sam2-samexporter' (layout A: samexporter, X-AnyLabeling, CVAT): the same names (encoder outputs in another
 *   order), → masks [L',3,L,L] clamped ±32, iou_predictions [L',3]: tokens 1..3 only.
 * - 'sam2-rectlabel' (layout B: RectLabel, osam, labelme): encoder `input` → image_embeddings,
 *   high_res_features1 (stride 4), high_res_features2 (stride 8); decoder + orig_im_size int64 [2] → masks
 *   (full resolution, never fetched), iou_predictions [L',4], low_res_masks [L',4,L,L] clamped ±32.
 * - 'sam2-transformers.js' (layout D: onnx-community Sam2Model): vision_encoder `pixel_values` →
 *   image_embeddings.0 (stride 4), .1 (stride 8), .2 (embedding); prompt_encoder_mask_decoder + input_points
 *   [B,P,n,2], input_labels int64, input_boxes [B,nb,4] → iou_scores [B,P,3], pred_masks [B,P,3,L,L]. No mask
 *   input, tokens 1..3 only, no padding point in the graph.
 * In A, B and ours the graph appends the (0, 0) label −1 padding point: the caller feeds box corners + clicks.
 * Encoder outputs are matched by name, never by position (A's order differs from ours).
 */
import path from 'node:path';
import { UserError } from '../../common/errors.ts';
import type { ModelFrame } from '../../common/frames.ts';
import { imagePoint, imageToModel } from '../../common/frames.ts';
import { LABEL, type Prompt, encodeSam2Points } from '../../common/prompts.ts';
import type { ModelManifest } from '../manifest.ts';
import { geometryOf } from './geometry.ts';
import {
  type Candidate,
  type EmbeddingTensors,
  type Feeds,
  type GridDecoder,
  type LayoutAdapter,
  type LayoutCapabilities,
  type LayoutEntry,
  type ModelGeometry,
  type Outputs,
  type Preprocessed,
  type TensorSpec,
  requireOutput,
} from './layout.ts';
import {
  SAM2_POSTPROCESS,
  type Sam2Normalization,
  clampLogits,
  sam2Candidates,
  sam2Normalization,
  sam2Preprocess,
  sam2TensorSpecs,
} from './sam2.ts';
import { type GraphSignature, type ModelGraph, formatGraph } from './signature.ts';

type Sam2Kind = 'sam2' | 'sam2-samexporter' | 'sam2-rectlabel' | 'sam2-transformers.js';

interface Sam2Contract {
  readonly kind: Sam2Kind;
  /** The layout's name in native-models (manifest.layout). */
  readonly manifestLayout: string;
  readonly encoderInput: string;
  /** Encoder output names of (embedding, stride 4, stride 8); the decoder inputs carry the same names. */
  readonly features: readonly [string, string, string];
  readonly decoderInputs: readonly string[];
  /** The outputs fetched: predicted IoU and the low-res logits. */
  readonly iouOutput: string;
  readonly logitsOutput: string;
  /** Other outputs the graph has (B's full-resolution `masks`, D's object score): present, not fetched. */
  readonly otherOutputs: readonly string[];
  /** Fixed token count, or undefined when it tells ours (4) from A (3) by the IoU output's shape. */
  readonly tokens?: 3 | 4;
  readonly style: 'meta' | 'hf';
}

const META_PROMPT_INPUTS = ['point_coords', 'point_labels', 'mask_input', 'has_mask_input'] as const;
const OURS_FEATURES = ['image_embed', 'high_res_feats_0', 'high_res_feats_1'] as const;

const CONTRACTS: Record<'ours' | 'rectlabel' | 'hf', Sam2Contract> = {
  ours: {
    kind: 'sam2',
    manifestLayout: 'sam-annotate',
    encoderInput: 'image',
    features: OURS_FEATURES,
    decoderInputs: [...OURS_FEATURES, ...META_PROMPT_INPUTS],
    iouOutput: 'iou_predictions',
    logitsOutput: 'masks',
    otherOutputs: [],
    style: 'meta',
  },
  rectlabel: {
    kind: 'sam2-rectlabel',
    manifestLayout: 'rectlabel',
    encoderInput: 'input',
    features: ['image_embeddings', 'high_res_features1', 'high_res_features2'],
    decoderInputs: [
      'image_embeddings',
      'high_res_features1',
      'high_res_features2',
      ...META_PROMPT_INPUTS,
      'orig_im_size',
    ],
    iouOutput: 'iou_predictions',
    logitsOutput: 'low_res_masks',
    otherOutputs: ['masks'],
    tokens: 4,
    style: 'meta',
  },
  hf: {
    kind: 'sam2-transformers.js',
    manifestLayout: 'transformers.js',
    encoderInput: 'pixel_values',
    features: ['image_embeddings.2', 'image_embeddings.0', 'image_embeddings.1'],
    decoderInputs: [
      'image_embeddings.0',
      'image_embeddings.1',
      'image_embeddings.2',
      'input_points',
      'input_labels',
      'input_boxes',
    ],
    iouOutput: 'iou_scores',
    logitsOutput: 'pred_masks',
    otherOutputs: [],
    tokens: 3,
    style: 'hf',
  },
};

/** Names that only SAM 2 graphs carry: a folder with any of them is judged as SAM 2 (and must fit a contract). */
const SAM2_MARKERS = new Set([
  'high_res_feats_0',
  'high_res_feats_1',
  'high_res_features1',
  'high_res_features2',
  'image_embeddings.0',
  'image_embeddings.1',
  'image_embeddings.2',
]);

/** The graph carries a name only SAM 2 graphs have (SAM 1's matchers leave such folders to the SAM 2 ones). */
export function carriesSam2Names(g: GraphSignature): boolean {
  return [...g.inputs, ...g.outputs].some((s) => SAM2_MARKERS.has(s.name));
}

const names = (list: GraphSignature['inputs']) => new Set(list.map((s) => s.name));
const hasAll = (set: Set<string>, wanted: readonly string[]) => wanted.every((w) => set.has(w));
const missing = (set: Set<string>, wanted: readonly string[]) => wanted.filter((w) => !set.has(w));

function isDecoderOf(c: Sam2Contract, g: GraphSignature): boolean {
  return hasAll(names(g.inputs), c.decoderInputs) && hasAll(names(g.outputs), [c.iouOutput, c.logitsOutput]);
}

function isEncoderOf(c: Sam2Contract, g: GraphSignature): boolean {
  return hasAll(names(g.inputs), [c.encoderInput]) && hasAll(names(g.outputs), c.features);
}

function describeContract(c: Sam2Contract, tokens?: 3 | 4): string {
  return (
    `encoder ${c.encoderInput} → ${c.features.join(', ')}; decoder ${c.decoderInputs.join(', ')} → ` +
    `${c.iouOutput}, ${c.logitsOutput}${tokens ? ` (${tokens} tokens)` : ''}`
  );
}

const DESCRIBED: Record<Sam2Kind, string> = {
  sam2: `sam2: ${describeContract(CONTRACTS.ours, 4)}`,
  'sam2-samexporter': 'sam2-samexporter: the same with 3 tokens',
  'sam2-rectlabel': `sam2-rectlabel: ${describeContract(CONTRACTS.rectlabel)}`,
  'sam2-transformers.js': `sam2-transformers.js: ${describeContract(CONTRACTS.hf)}`,
};
const EXPECTED = `a SAM 2 layout (${Object.values(DESCRIBED).join('; ')})`;

/** Token count of the ours / A decoder from the IoU output [.., T] (or the manifest's layout when dynamic). */
function oursOrA(dir: string, decoder: ModelGraph, manifest: ModelManifest | undefined): 3 | 4 {
  const t = decoder.graph.outputs.find((o) => o.name === 'iou_predictions')?.shape[1];
  if (t === 3 || t === 4) return t;
  if (manifest?.layout === 'samexporter') return 3;
  if (manifest?.layout === 'sam-annotate') return 4;
  throw new UserError(
    `model folder ${dir}: ${path.basename(decoder.file)} has iou_predictions of shape [${
      decoder.graph.outputs.find((o) => o.name === 'iou_predictions')?.shape.join(',') ?? ''
    }]; expected [1, 4] (sam2) or [N, 3] (sam2-samexporter), or a manifest.json naming the layout`,
  );
}

/**
 * The SAM 2 contract these graphs follow, or undefined when they do not look like SAM 2 at all. Graphs that
 * carry SAM 2's feature names but fit no contract are a UserError naming the file, what it has and what was
 * expected.
 */
function matchSam2(
  dir: string,
  graphs: readonly ModelGraph[],
  manifest: ModelManifest | undefined,
): { contract: Sam2Contract; tokens: 3 | 4; encoder: ModelGraph; decoder: ModelGraph } | undefined {
  const marked = graphs.filter((g) => carriesSam2Names(g.graph));
  if (!marked.length) return undefined;
  for (const contract of Object.values(CONTRACTS)) {
    const decoder = graphs.find((g) => isDecoderOf(contract, g.graph));
    const encoder = graphs.find((g) => g !== decoder && isEncoderOf(contract, g.graph));
    if (!decoder || !encoder) continue;
    const tokens = contract.tokens ?? oursOrA(dir, decoder, manifest);
    const kind = tokens === 3 && contract === CONTRACTS.ours ? 'sam2-samexporter' : contract.kind;
    return { contract: { ...contract, kind }, tokens, encoder, decoder };
  }
  // Per graph, the role (encoder or decoder of some layout) it misses the fewest names of. A graph that fits a
  // role completely is fine; name the closest one that does not, or else say the other graph is missing.
  const closest = marked.map((g) => {
    const ins = names(g.graph.inputs);
    const outs = names(g.graph.outputs);
    const roles = Object.values(CONTRACTS).flatMap((c) => [
      [...missing(ins, c.decoderInputs), ...missing(outs, [c.iouOutput, c.logitsOutput])],
      [...missing(ins, [c.encoderInput]), ...missing(outs, c.features)],
    ]);
    const lacking = roles.reduce((x, y) => (y.length < x.length ? y : x));
    return { file: g.file, graph: g.graph, lacking };
  });
  const broken = closest
    .filter((c) => c.lacking.length > 0)
    .sort((x, y) => x.lacking.length - y.lacking.length);
  const best = broken[0] ?? closest[0]!;
  const why = best.lacking.length
    ? `lacks ${best.lacking.join(', ')}`
    : 'has no matching second graph (encoder or decoder) in the folder';
  throw new UserError(
    `model folder ${dir}: ${path.basename(best.file)} looks like a SAM 2 graph but ${why}. Found ` +
      `${formatGraph(best.graph)}; expected ${EXPECTED}`,
  );
}

function entry<K extends Sam2Kind>(kind: K): LayoutEntry<K> {
  return {
    kind,
    family: 'sam2',
    expected: `the SAM 2 layout ${DESCRIBED[kind]}`,
    match(dir, graphs, manifest) {
      const m = matchSam2(dir, graphs, manifest);
      if (!m || m.contract.kind !== kind) return undefined;
      const embedding = m.decoder.graph.inputs.find((i) => i.name === m.contract.features[0])!;
      const encoderInput = m.encoder.graph.inputs.find((i) => i.name === m.contract.encoderInput)!;
      const geometry = geometryOf(dir, embedding.shape, encoderInput.shape, manifest);
      return new Sam2Layout(
        m.contract,
        m.tokens,
        m.encoder,
        m.decoder,
        geometry,
        sam2Normalization(manifest),
      );
    },
  };
}

export const sam2Layout = entry('sam2');
export const sam2SamexporterLayout = entry('sam2-samexporter');
export const sam2RectlabelLayout = entry('sam2-rectlabel');
export const sam2TransformersJsLayout = entry('sam2-transformers.js');

export class Sam2Layout implements LayoutAdapter {
  readonly kind: Sam2Kind;
  readonly family = 'sam2' as const;
  readonly capabilities: LayoutCapabilities;
  readonly encoder: { readonly file: string; readonly outputNames: readonly string[] };
  readonly decoder: { readonly file: string; readonly outputNames: readonly string[] };
  readonly imageTensors: readonly TensorSpec[];
  readonly postprocess = SAM2_POSTPROCESS;
  readonly grid: GridDecoder | undefined;
  private readonly hasBoxInput: boolean;

  constructor(
    private readonly contract: Sam2Contract,
    private readonly tokens: 3 | 4,
    encoder: ModelGraph,
    decoder: ModelGraph,
    readonly geometry: ModelGeometry,
    private readonly normalization: Sam2Normalization,
  ) {
    this.kind = contract.kind;
    const hf = contract.style === 'hf';
    this.hasBoxInput = !hf || decoder.graph.inputs.some((i) => i.name === 'input_boxes');
    this.capabilities = {
      maskInput: !hf,
      box: true,
      singleMaskToken: tokens === 4,
      singleMask: tokens === 4 ? 'token0-unless-unstable' : 'best-of-3',
    };
    this.encoder = { file: encoder.file, outputNames: [...contract.features] };
    // B's `masks` is every token upsampled to H×W inside the graph: never fetched (we upsample the kept one).
    this.decoder = { file: decoder.file, outputNames: [contract.iouOutput, contract.logitsOutput] };
    this.imageTensors = sam2TensorSpecs(contract.features, geometry);
    this.grid = hf ? this.hfGrid(decoder.file) : undefined;
  }

  preprocess(rgb: Uint8Array, width: number, height: number): Preprocessed {
    const s = this.geometry.inputSize;
    const { input, frame } = sam2Preprocess(rgb, width, height, s, this.normalization);
    const feeds: Feeds = {
      [this.contract.encoderInput]: { type: 'float32', data: input, dims: [1, 3, s, s] },
    };
    return { feeds, frame };
  }

  embeddingFrom(outputs: Outputs): EmbeddingTensors {
    const out: EmbeddingTensors = {};
    for (const name of this.contract.features) out[name] = requireOutput(outputs, name);
    return out;
  }

  private featureFeeds(embedding: EmbeddingTensors): Feeds {
    const feeds: Feeds = {};
    for (const name of this.contract.features) {
      const t = embedding[name];
      if (!t) throw new Error(`image tensor ${name} missing from the embedding`);
      feeds[name] = { type: 'float32', data: t.data, dims: t.dims };
    }
    return feeds;
  }

  decoderFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt): Feeds {
    return this.contract.style === 'hf'
      ? this.hfFeeds(embedding, frame, prompt)
      : this.metaFeeds(embedding, frame, prompt);
  }

  /** Ours, A and B: box corners + clicks (the graph pads); `mask_input` clamped to ±32 as Meta feeds it. */
  private metaFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt): Feeds {
    const points = encodeSam2Points(frame, prompt);
    const low = this.geometry.lowResSize;
    if (prompt.maskInput && prompt.maskInput.length !== low * low)
      throw new Error(`mask_input must hold ${low}×${low} logits, got ${prompt.maskInput.length} values`);
    const feeds: Feeds = {
      ...this.featureFeeds(embedding),
      point_coords: { type: 'float32', data: points.coords, dims: [1, points.count, 2] },
      point_labels: { type: 'float32', data: points.labels, dims: [1, points.count] },
      mask_input: {
        type: 'float32',
        data: prompt.maskInput ? clampLogits(prompt.maskInput) : new Float32Array(low * low),
        dims: [1, 1, low, low],
      },
      has_mask_input: { type: 'float32', data: Float32Array.of(prompt.maskInput ? 1 : 0), dims: [1] },
    };
    if (this.contract.decoderInputs.includes('orig_im_size')) {
      // Only the full-resolution `masks` (not fetched) depends on it; L×L keeps that resize small in case the
      // runtime computes it anyway.
      feeds.orig_im_size = { type: 'int64', data: BigInt64Array.of(BigInt(low), BigInt(low)), dims: [2] };
    }
    return feeds;
  }

  /**
   * D: Meta's assembly as points — corners (2, 3), clicks, then the padding point (0, 0) label −1 that HF's
   * prompt encoder does not add — with no boxes (`input_boxes` [1, 0, 4]).
   */
  private hfFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt): Feeds {
    if (prompt.maskInput)
      throw new UserError(
        `this model (${this.kind} layout) cannot refine from an earlier mask (its decoder has no mask input)`,
      );
    const points = encodeSam2Points(frame, prompt);
    const n = points.count + 1;
    const xy = new Float32Array(2 * n);
    xy.set(points.coords);
    const labels = BigInt64Array.from([...points.labels, LABEL.padding].map((l) => BigInt(l)));
    const feeds: Feeds = {
      ...this.featureFeeds(embedding),
      input_points: { type: 'float32', data: xy, dims: [1, 1, n, 2] },
      input_labels: { type: 'int64', data: labels, dims: [1, 1, n] },
    };
    if (this.hasBoxInput) feeds.input_boxes = { type: 'float32', data: new Float32Array(0), dims: [1, 0, 4] };
    return feeds;
  }

  selectCandidates(outputs: Outputs, multimask: boolean): Candidate[] {
    const iou = requireOutput(outputs, this.contract.iouOutput);
    const logits = requireOutput(outputs, this.contract.logitsOutput);
    return sam2Candidates(iou, logits, this.tokens, multimask);
  }

  /** D decodes P one-click prompts per run (input_points [1, P, 2, 2]: the click and the padding point). */
  private hfGrid(file: string): GridDecoder {
    return {
      file,
      outputNames: [this.contract.iouOutput, this.contract.logitsOutput],
      feeds: (embedding, frame, points) => {
        const count = points.length / 2;
        const xy = new Float32Array(count * 4);
        const labels = new BigInt64Array(count * 2);
        for (let i = 0; i < count; i++) {
          const p = imageToModel(frame, imagePoint(points[2 * i]!, points[2 * i + 1]!));
          xy[4 * i] = p.x;
          xy[4 * i + 1] = p.y;
          labels[2 * i] = BigInt(LABEL.positive);
          labels[2 * i + 1] = BigInt(LABEL.padding); // at (0, 0)
        }
        const feeds: Feeds = {
          ...this.featureFeeds(embedding),
          input_points: { type: 'float32', data: xy, dims: [1, count, 2, 2] },
          input_labels: { type: 'int64', data: labels, dims: [1, count, 2] },
        };
        if (this.hasBoxInput)
          feeds.input_boxes = { type: 'float32', data: new Float32Array(0), dims: [1, 0, 4] };
        return feeds;
      },
      candidates: (outputs, count) => {
        const iou = requireOutput(outputs, this.contract.iouOutput);
        const logits = requireOutput(outputs, this.contract.logitsOutput);
        return Array.from({ length: count }, (_, p) => sam2Candidates(iou, logits, 3, true, 3 * p));
      },
    };
  }
}
