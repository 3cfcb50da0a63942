/**
 * A layout adapts one family of ONNX exports to a single interface: encoder feeds from the model input, the
 * embedding kept per image, decoder feeds from a prompt, and candidates from the decoder outputs. Adapters are
 * pure (no onnxruntime import): feeds and outputs are plain typed arrays with dims, so they are unit-tested
 * without a model.
 */
import type { ModelFrame } from '../../common/frames.ts';
import type { Prompt } from '../../common/prompts.ts';

export type LayoutKind = 'sam-annotate' | 'transformers.js';

export type FeedValue =
  | { readonly type: 'float32'; readonly data: Float32Array; readonly dims: readonly number[] }
  | { readonly type: 'int64'; readonly data: BigInt64Array; readonly dims: readonly number[] };
export type Feeds = Record<string, FeedValue>;

export interface TensorData {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}
export type Outputs = Record<string, TensorData>;

/** What the encoder produced for one image: every tensor the decoder needs, by decoder input name. */
export type EmbeddingTensors = Record<string, TensorData>;

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

export interface LayoutCapabilities {
  /** The decoder accepts earlier low-res logits as `mask_input`. */
  readonly maskInput: boolean;
  /** The decoder accepts a box prompt. */
  readonly box: boolean;
  /** The single-mask token (Meta's token 0) is available, not just the three multimask tokens. */
  readonly singleMaskToken: boolean;
}

export interface Candidate {
  /** Index of the decoder's mask token (0 = single-mask token, 1..3 = multimask tokens). */
  readonly token: number;
  readonly predictedIou: number;
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
  readonly kind: LayoutKind;
  readonly geometry: ModelGeometry;
  readonly capabilities: LayoutCapabilities;
  readonly encoder: { readonly file: string; readonly outputNames: readonly string[] };
  readonly decoder: { readonly file: string; readonly outputNames: readonly string[] };
  /** `input` is the normalized, padded model input, planar [1, 3, S, S]. */
  encoderFeeds(input: Float32Array): Feeds;
  embeddingFrom(outputs: Outputs): EmbeddingTensors;
  decoderFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt, multimask: boolean): Feeds;
  /** Candidates in the decoder's token order (what Meta's predictor returns; the UI may sort). */
  candidates(outputs: Outputs, multimask: boolean): Candidate[];
  /** Present when the model can decode a batch of point prompts per run (see {@link GridDecoder}). */
  readonly grid?: GridDecoder;
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
