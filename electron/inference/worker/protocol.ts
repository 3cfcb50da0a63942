/**
 * Messages between an inference worker and its host. One worker runs one role: the encoder (heavy, seconds per
 * image), the decoder (light, per click) or the masks (full-resolution masks of earlier decodes), so a click never
 * waits behind an encode or an accepted mask. Large arrays cross as transferred typed arrays, never as JSON.
 */
import type { ModelFrame } from '../../common/frames.ts';
import type { ModelManifest } from '../manifest.ts';
import type { ModelGraph } from '../layouts/signature.ts';
import type { EmbeddingTensors, LayoutCapabilities, ModelGeometry } from '../layouts/layout.ts';
import type { TensorSignature } from '../layouts/signature.ts';
import type { SerializedPrompt } from './serializedPrompt.ts';

/**
 * 'masks' holds no onnxruntime session: it makes the full-resolution masks of candidates decoded earlier (issue
 * 16: the mask being accepted is made off the click path, so the next click never waits for it).
 */
export type WorkerRole = 'encoder' | 'decoder' | 'masks';

export interface SessionOptions {
  /** Execution providers in order of preference; the first that loads is used. */
  readonly providers: readonly string[];
  /** onnxruntime intra-op threads; 0 = onnxruntime's default (all cores). */
  readonly threads: number;
}

export interface InitArgs {
  readonly role: WorkerRole;
  readonly dir: string;
  readonly graphs: readonly ModelGraph[];
  readonly manifest?: ModelManifest;
  readonly maskThreshold: number;
  readonly session: SessionOptions;
  /**
   * false: the decoder is not split into image and prompt parts (issue 16, imageSideDecoder.ts). Grid lanes of a
   * model with a batch graph never decode one prompt, and the split's sessions cost memory (ViT-B AMG peak RSS:
   * 5752 MB with split lanes, 5418 MB without).
   */
  readonly splitDecoder?: boolean;
}

export interface ProviderFallback {
  readonly provider: string;
  readonly reason: string;
}

export interface InitResult {
  readonly provider: string;
  readonly fallbacks: readonly ProviderFallback[];
  readonly loadMs: number;
  readonly geometry: ModelGeometry;
  readonly capabilities: LayoutCapabilities;
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  /** What was edited in the decoder graph, or why it is used unedited (issue 16, graphEdit/). */
  readonly graphNote?: string;
}

export interface EncodeArgs {
  /** Shown in errors. */
  readonly file: string;
  /** The image file's bytes (transferred). */
  readonly bytes: Uint8Array;
}

/** Encode pixels the caller already has (a crop of a decoded image, for automatic mask generation). */
export interface EncodePixelsArgs {
  /** Interleaved RGB, `height` rows of `width × 3` bytes (transferred). */
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface EncodeResult {
  readonly tensors: EmbeddingTensors;
  readonly frame: ModelFrame;
  readonly contentHash: string;
  readonly timings: { readonly decodeMs: number; readonly preprocessMs: number; readonly encodeMs: number };
}

export interface SetEmbeddingArgs {
  readonly key: string;
  readonly tensors: EmbeddingTensors;
  readonly frame: ModelFrame;
}

export interface SetEmbeddingResult {
  /** Keys the decoder worker holds after this call, least recently used first (it keeps a byte budget). */
  readonly kept: readonly string[];
}

export interface DecodeArgs {
  readonly key: string;
  readonly prompt: SerializedPrompt;
  readonly multimask: boolean;
  /** Which forms of each candidate mask to return. */
  readonly output: {
    readonly rle: boolean;
    readonly bitmap: boolean;
    /** Also a preview bitmap whose longer side is at most this (no larger than the image). */
    readonly previewMaxSide?: number;
    /**
     * Preview only the best-ranked candidate, the one a person sees first; the others come without a preview,
     * their area and bbox counted at a small size (issue 16: "upsample only what is drawn").
     */
    readonly previewBestOnly?: boolean;
  };
}

/** A candidate mask in the forms a request asked for (see `DecodeArgs.output`). */
export interface MaskForms {
  /** From the full-resolution mask, or scaled from the preview when only a preview was asked for. */
  readonly stabilityScore: number;
  readonly area: number;
  /** COCO [x, y, w, h] (pycocotools convention, w = x_end − x_start + 1). */
  readonly bbox: readonly [number, number, number, number];
  /** COCO compressed RLE counts at image resolution, size [height, width]. */
  readonly rle?: string;
  /** Row-major 0/1 mask at image resolution. */
  readonly bitmap?: Uint8Array;
  /** The mask at preview size (row-major 0/1), when asked for. */
  readonly preview?: { readonly width: number; readonly height: number; readonly data: Uint8Array };
}

export interface DecodedCandidate extends MaskForms {
  readonly token: number;
  readonly predictedIou: number;
  /** What the UI ranks candidates by: the layout's `rankScore`, else the predicted IoU. */
  readonly rankScore: number;
  /** Low-res logits (lowResSize²), to feed back as a mask input. */
  readonly lowRes: Float32Array;
}

export interface UpsampleArgs {
  /** The frame of the image the logits were decoded on. */
  readonly frame: ModelFrame;
  readonly lowRes: Float32Array;
  readonly output: DecodeArgs['output'];
}

/**
 * Automatic mask generation, one batch of grid points of one crop (Meta's `_process_batch`): decode each point
 * as a one-point prompt (three multimask candidates), keep candidates with predicted IoU > `predIouThresh`,
 * upsample them to the crop's size, keep those with stability ≥ `stabilityScoreThresh`, threshold, drop masks
 * whose box touches an inner crop edge, and return the survivors uncropped to the image as RLE.
 */
export interface DecodeGridArgs {
  /** Embedding of the crop (its frame's image is the crop). */
  readonly key: string;
  /** Prompts in the crop's frame, interleaved [x, y, …] (float64, Meta's grid × crop size). */
  readonly points: Float64Array;
  /** Meta's filters; 0 turns a filter off, as in Meta's code. */
  readonly predIouThresh: number;
  readonly stabilityScoreThresh: number;
  readonly stabilityScoreOffset: number;
  /** The crop in the image, XYXY with exclusive x1/y1, and the image size. */
  readonly cropBox: readonly [number, number, number, number];
  readonly imageSize: { readonly width: number; readonly height: number };
  /** Use the model's batch graph (all points in one run) when it has one; else one run per point. */
  readonly batched: boolean;
  /**
   * Without a batch graph: how many lane workers share the prompts (worker/gridLanes.ts); 1 = one after another
   * in the decoder worker. Default: 2 on the CPU when the session may use 2 or more threads. Never changes the
   * result.
   */
  readonly lanes?: number;
}

export interface GridCandidate {
  /** Index of the prompt in `points`. */
  readonly pointIndex: number;
  /** Meta's multimask token 1..3. */
  readonly token: number;
  readonly predictedIou: number;
  readonly stabilityScore: number;
  /** Mask box in the crop's frame, XYXY with inclusive max (Meta's `batched_mask_to_box`). */
  readonly box: readonly [number, number, number, number];
  /** COCO compressed RLE counts of the mask in the whole image (size [H, W]). */
  readonly rle: string;
  readonly area: number;
}

export interface DecodeGridResult {
  /** Survivors in Meta's order: prompt by prompt, tokens 1..3. */
  readonly candidates: readonly GridCandidate[];
  /** Candidates decoded (3 per prompt) and how many passed the predicted-IoU filter (were upsampled). */
  readonly decoded: number;
  readonly upsampled: number;
  /** Whether the batch graph was used. */
  readonly batched: boolean;
  readonly timings: { readonly decodeMs: number; readonly postprocessMs: number };
}

export interface DecodeResult {
  readonly candidates: readonly DecodedCandidate[];
  readonly size: { readonly width: number; readonly height: number };
  readonly timings: { readonly decodeMs: number; readonly postprocessMs: number };
}

/** Method name → [argument, result]. */
export interface WorkerApi {
  init: [InitArgs, InitResult];
  encode: [EncodeArgs, EncodeResult];
  encodePixels: [EncodePixelsArgs, EncodeResult];
  setEmbedding: [SetEmbeddingArgs, SetEmbeddingResult];
  decode: [DecodeArgs, DecodeResult];
  upsample: [UpsampleArgs, MaskForms];
  decodeGrid: [DecodeGridArgs, DecodeGridResult];
}
export type WorkerMethod = keyof WorkerApi;

export interface WorkerRequest<M extends WorkerMethod = WorkerMethod> {
  readonly id: number;
  readonly method: M;
  readonly args: WorkerApi[M][0];
}

/**
 * Sent instead of `Worker.terminate()` to a worker that may be inside onnxruntime: it exits once its current
 * request is done (workerHost.ts, `retire`). Terminating a thread during a native run aborts the whole process
 * when the run returns (onnxruntime-node throws a C++ exception into a terminated environment).
 */
export interface WorkerExit {
  readonly control: 'exit';
}

export interface SerializedError {
  readonly message: string;
  readonly userError: boolean;
  readonly stack?: string;
}

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };
