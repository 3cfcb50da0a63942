/**
 * A layout adapts one way of exporting a model family to ONNX to the single interface the worker engine, the
 * caches and the service use (issue 14). The adapter owns the whole family contract: preprocessing (image →
 * encoder feeds and the model frame), the set of image tensors cached per image, prompt assembly, token
 * selection and mask postprocessing; the generic code only moves tensors. Adapters are pure (no onnxruntime
 * import): feeds and outputs are plain typed arrays with dims, so they are unit-tested without a model.
 *
 * Adding a layout: one adapter file exporting a `LayoutEntry` (its matcher on graph names and shapes), and one
 * line in registry.ts.
 */
import type { ModelFrame } from '../../common/frames.ts';
import type { MaskCounts, UpsampledMask, UpsampledRle, UpsampleOptions } from '../../common/maskUpsample.ts';
import type { Prompt } from '../../common/prompts.ts';
import type { ModelManifest } from '../manifest.ts';
import type { LayoutKind } from './registry.ts';
import type { ModelGraph } from './signature.ts';

/** The model family: decides preprocessing, the frame kind and postprocessing. */
export type Family = 'sam1' | 'sam2';

export type FeedValue =
  | { readonly type: 'float32'; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] }
  // The raw image of encoders that preprocess in the graph (issue 15).
  | { readonly type: 'uint8'; readonly data: Uint8Array; readonly dims: readonly number[] };
export type Feeds = Record<string, FeedValue>;

export interface TensorData {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}
export type Outputs = Record<string, TensorData>;

/** What the encoder produced for one image: every tensor the decoder needs, by decoder input name. */
export type EmbeddingTensors = Record<string, TensorData>;

/** One tensor of the set an adapter caches per image: its name (a decoder input), shape and element type. */
export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dtype: 'float32';
}

const BYTES_PER_ELEMENT: Record<TensorSpec['dtype'], number> = { float32: 4 };

/** Bytes one image's tensor set takes (what the embedding caches budget): SAM 1 ViT 4 MiB, SAM 2 16 MiB. */
export function tensorSetBytes(specs: readonly TensorSpec[]): number {
  return specs.reduce((sum, s) => sum + s.dims.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[s.dtype], 0);
}

/** Why `tensors` is not exactly the set `specs` describes (names and dims), or undefined when it is. */
export function tensorSetMismatch(
  specs: readonly TensorSpec[],
  tensors: EmbeddingTensors,
): string | undefined {
  const names = Object.keys(tensors).sort();
  const wanted = specs.map((s) => s.name).sort();
  if (names.join() !== wanted.join()) return `tensors (${names.join(', ')}), expected (${wanted.join(', ')})`;
  for (const spec of specs) {
    const t = tensors[spec.name]!;
    const count = spec.dims.reduce((a, b) => a * b, 1);
    if (t.dims.join() !== spec.dims.join() || t.data.length !== count)
      return `${spec.name} is [${t.dims.join(',')}], expected [${spec.dims.join(',')}]`;
  }
  return undefined;
}

/** The encoder's feeds for one image, and where the image sits in the model input. */
export interface Preprocessed {
  readonly feeds: Feeds;
  readonly frame: ModelFrame;
}

/**
 * Low-res logits (one candidate, L×L, model frame) → the binary mask in the frame's image (`frame.image`, which
 * may be a preview size), thresholded at `options.threshold`, with area and stability score.
 */
export interface MaskPostprocess {
  toMask(lowRes: Float32Array, frame: ModelFrame, options: UpsampleOptions): UpsampledMask;
  /** The same as {@link toMask}, streamed to COCO RLE without holding the full-resolution mask. */
  toRle(lowRes: Float32Array, frame: ModelFrame, options: UpsampleOptions): UpsampledRle;
  /**
   * Area and stability score of the same mask, without the mask: automatic mask generation decides its
   * stability filter on these and run-length encodes only the survivors (issue 16).
   */
  toCounts(lowRes: Float32Array, frame: ModelFrame, options: UpsampleOptions): MaskCounts;
}

export interface ModelGeometry {
  /** Side S of the square encoder input (1024 for Meta's models). */
  readonly inputSize: number;
  /** Embedding channels C (256 for Meta's models). */
  readonly channels: number;
  /** Embedding grid g = S / 16. */
  readonly grid: number;
  /** Side of the low-res logits and of `mask_input`: 4 · g. */
  readonly lowResSize: number;
}

/**
 * How a single-mask request (multimask off) picks its one mask:
 * - 'token0': Meta's SAM 1 predictor, the single-mask token 0;
 * - 'token0-unless-unstable': Meta's SAM 2 predictor (`dynamic_multimask_via_stability`), token 0 unless its
 *   stability (low-res logits > 0.05 vs > −0.05) is below 0.98, then the best of tokens 1..3 by predicted IoU;
 * - 'best-of-3': the graph has no token 0, so the best of tokens 1..3 by predicted IoU;
 * - 'in-graph': the graph returns one mask it chose itself (`--return-single-mask`);
 * - 'most-stable': the most stable of all four tokens (EdgeSAM, whose IoU head is not distilled).
 */
export type SingleMaskRule = 'token0' | 'token0-unless-unstable' | 'best-of-3' | 'in-graph' | 'most-stable';

export interface LayoutCapabilities {
  /** The decoder accepts earlier low-res logits as `mask_input`. */
  readonly maskInput: boolean;
  /** The decoder accepts a box prompt. */
  readonly box: boolean;
  /** The single-mask token (Meta's token 0) is available, not just the three multimask tokens. */
  readonly singleMaskToken: boolean;
  /** What a single-mask request returns (see {@link SingleMaskRule}). */
  readonly singleMask: SingleMaskRule;
  /** How the UI should order and label candidates; absent: by predicted IoU, as Meta's models (issue 15). */
  readonly ranking?: CandidateRanking;
}

/** A candidate order other than predicted IoU, and the words the UI shows for it (issue 15: EdgeSAM). */
export interface CandidateRanking {
  readonly by: 'stability';
  /** Shown beside the candidates, e.g. "ranked by stability". */
  readonly label: string;
}

export interface Candidate {
  /** Index of the decoder's mask token (0 = single-mask token, 1..3 = multimask tokens). */
  readonly token: number;
  readonly predictedIou: number;
  /**
   * What the model's candidates are ranked by when it is not the predicted IoU (`capabilities.ranking`: EdgeSAM's
   * IoU head is not distilled, so its candidates rank by the stability of their low-res logits).
   */
  readonly rankScore?: number;
  /** Low-res logits, row-major lowResSize². */
  readonly lowRes: Float32Array;
}

/**
 * Decoding many one-point prompts of one image in a single run (automatic mask generation: Meta's `predict_torch`
 * on a batch of grid points, each prompt one positive point and, as Meta pads it, the padding point).
 */
export interface GridDecoder {
  /** The graph that does it: the decoder itself, or a separate batch graph of the same weights. */
  readonly file: string;
  readonly outputNames: readonly string[];
  /** @param points image-frame [x, y] pairs, interleaved (float64). */
  feeds(embedding: EmbeddingTensors, frame: ModelFrame, points: Float64Array): Feeds;
  /** Per prompt, in prompt order, the multimask candidates (tokens 1..3). */
  candidates(outputs: Outputs, count: number): Candidate[][];
}

export interface LayoutAdapter {
  /** The layout's name, shown to users. */
  readonly kind: LayoutKind;
  readonly family: Family;
  readonly geometry: ModelGeometry;
  readonly capabilities: LayoutCapabilities;
  readonly encoder: { readonly file: string; readonly outputNames: readonly string[] };
  readonly decoder: { readonly file: string; readonly outputNames: readonly string[] };
  /** The tensors kept per image (caches, decoder worker): what {@link embeddingFrom} returns, exactly. */
  readonly imageTensors: readonly TensorSpec[];
  /**
   * The encoder's feeds for an image and its model frame.
   * @param rgb interleaved RGB, `height` rows of `width × 3` bytes, image frame.
   */
  preprocess(rgb: Uint8Array, width: number, height: number): Preprocessed;
  /** The image tensor set from the encoder's outputs (by the names in `encoder.outputNames`). */
  embeddingFrom(outputs: Outputs): EmbeddingTensors;
  /** Decoder feeds for a prompt in the image frame (its `maskInput`, if any, is earlier low-res logits). */
  decoderFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt, multimask: boolean): Feeds;
  /** Candidates in the decoder's token order (what Meta's predictor returns; the UI may sort). */
  selectCandidates(outputs: Outputs, multimask: boolean): Candidate[];
  /** Low-res logits of a candidate → the mask at image (or preview) resolution. */
  readonly postprocess: MaskPostprocess;
  /** Present when the model can decode a batch of point prompts per run (see {@link GridDecoder}). */
  readonly grid?: GridDecoder;
}

/** One registered layout (registry.ts): its name, its graphs in words, and its matcher. */
export interface LayoutEntry<K extends string = string> {
  readonly kind: K;
  readonly family: Family;
  /** The graphs this layout expects, for the unknown-layout error. */
  readonly expected: string;
  /**
   * The adapter when these graphs follow this layout (by input/output names and shapes), else undefined.
   * Throws a UserError when they do but are inconsistent (sizes that do not fit together).
   */
  match(
    dir: string,
    graphs: readonly ModelGraph[],
    manifest: ModelManifest | undefined,
  ): LayoutAdapter | undefined;
}

export function requireOutput(outputs: Outputs, name: string): TensorData {
  const value = outputs[name];
  if (!value) throw new Error(`decoder output ${name} is missing`);
  return value;
}

/**
 * Slice candidate `index` of a [1, T, L, L] tensor (or, flattened, of any [..., L, L]), copied so the big output
 * buffer can be released.
 */
export function sliceMask(tensor: TensorData, index: number): Float32Array {
  const side = tensor.dims[tensor.dims.length - 1]!;
  const plane = side * side;
  return tensor.data.slice(index * plane, (index + 1) * plane);
}
