/**
 * Meta's SAM decoder export with an encoder that does (part of) SAM 1's preprocessing inside its graph (issue 15).
 * Detected from the encoder's single input alone (name-agnostic), since the published pairs carry no manifest:
 *
 * - float32 [h, w, 3], dynamic h, w: samexporter `export_encoder.py --use-preprocess` (X-AnyLabeling's
 *   `mobile_sam.encoder.onnx`, its SAM 1 ViT encoders). The graph normalises (0–255 scale), moves channels first
 *   and zero-pads to S×S; it does NOT resize (a side over S gives a negative pad). The caller feeds the image
 *   resized so its long side is S (Meta's `ResizeLongestSide`), RGB, as float 0–255.
 * - uint8 [H, W, 3], dynamic H, W: X-AnyLabeling's EfficientViT-SAM re-export. The graph resizes the long side to
 *   its encoder's own input side, normalises and pads; the caller feeds the raw image.
 * - uint8 [1, 3, h, w], dynamic h, w: X-AnyLabeling's EdgeSAM encoder (`__base__/sam.py` EdgeSAMONNX.transform):
 *   the caller resizes the long side to S and moves channels first; the graph normalises and pads. (EdgeSAM's
 *   decoder is not Meta's, so that pair is another layout's; {@link inGraphPreprocess} serves both.)
 *
 * Either way the decoder works in Meta's 'longest-side' frame of side S = 16 × the embedding grid (1024 for the
 * published models, also for EfficientViT-SAM L0–L2 whose encoder sees 512), so prompts, `mask_input` and the
 * mask postprocessing are SAM 1's (sam1.ts, samAnnotate.ts); only the encoder feed differs.
 */
import { modelFrameFor } from '../../common/frames.ts';
import { resizeLongestSide } from '../../common/modelInput.ts';
import { UserError } from '../../common/errors.ts';
import type { Prompt } from '../../common/prompts.ts';
import type { ModelFrame } from '../../common/frames.ts';
import { geometryOf } from './geometry.ts';
import type {
  EmbeddingTensors,
  Feeds,
  LayoutAdapter,
  LayoutEntry,
  ModelGeometry,
  Outputs,
  Preprocessed,
} from './layout.ts';
import { META_DECODER_INPUTS, SamAnnotateLayout, isMetaDecoder } from './samAnnotate.ts';
import { sam1Normalization } from './sam1.ts';
import type { GraphSignature, TensorSignature } from './signature.ts';

/** What an encoder input that preprocesses in its graph wants from the caller. */
export interface InGraphImageInput {
  readonly name: string;
  /**
   * 'resized-float': RGB resized to long side S, float 0–255, [h, w, 3]. 'raw-uint8': the original RGB bytes,
   * [H, W, 3]. 'resized-uint8-nchw': RGB resized to long side S, bytes, planar [1, 3, h, w].
   */
  readonly feed: 'resized-float' | 'raw-uint8' | 'resized-uint8-nchw';
}

/** The encoder input, when it is one RGB image the graph normalises itself (see the module comment). */
export function inGraphImageInput(s: TensorSignature): InGraphImageInput | undefined {
  const [a, b, c, d] = s.shape;
  if (s.shape.length === 3 && c === 3) {
    if (s.type === 'float32') return { name: s.name, feed: 'resized-float' };
    if (s.type === 'uint8') return { name: s.name, feed: 'raw-uint8' };
  }
  // Fixed [1, 3, S, S] uint8 would be a pre-padded input: not one of the published forms, left unmatched.
  const dynamic = typeof c === 'string' || typeof d === 'string';
  if (s.shape.length === 4 && s.type === 'uint8' && b === 3 && (a === 1 || typeof a === 'string') && dynamic)
    return { name: s.name, feed: 'resized-uint8-nchw' };
  return undefined;
}

/**
 * The feed `input` wants for an image, and the image's 'longest-side' frame of side `inputSize` (the decoder's).
 * @param rgb interleaved RGB, `height` rows of `width × 3` bytes, image frame.
 */
export function inGraphPreprocess(
  input: InGraphImageInput,
  rgb: Uint8Array,
  width: number,
  height: number,
  inputSize: number,
): Preprocessed {
  if (input.feed === 'raw-uint8') {
    const frame = modelFrameFor({ width, height }, inputSize);
    // A copy: the feed may be transferred to the worker, the caller keeps its image.
    const data = rgb.slice(0, width * height * 3);
    return { feeds: { [input.name]: { type: 'uint8', data, dims: [height, width, 3] } }, frame };
  }
  const { frame, resized } = resizeLongestSide(rgb, { width, height }, inputSize);
  const { width: w, height: h } = frame.resized;
  if (input.feed === 'resized-float') {
    const data = Float32Array.from(resized);
    return { feeds: { [input.name]: { type: 'float32', data, dims: [h, w, 3] } }, frame };
  }
  const planar = new Uint8Array(3 * h * w);
  for (let i = 0; i < h * w; i++)
    for (let ch = 0; ch < 3; ch++) planar[ch * h * w + i] = resized[3 * i + ch]!;
  return { feeds: { [input.name]: { type: 'uint8', data: planar, dims: [1, 3, h, w] } }, frame };
}

function inGraphEncoderInput(g: GraphSignature): InGraphImageInput | undefined {
  return g.inputs.length === 1 && g.outputs.length >= 1 ? inGraphImageInput(g.inputs[0]!) : undefined;
}

export const preprocessInGraphLayout: LayoutEntry<'preprocess-in-graph'> = {
  kind: 'preprocess-in-graph',
  family: 'sam1',
  expected:
    `Meta's SAM decoder export (inputs ${META_DECODER_INPUTS.join(', ')}) with an encoder that preprocesses in ` +
    'its graph (one input [H,W,3] float32 resized to the long side or uint8 raw, or [1,3,H,W] uint8 resized; ' +
    'samexporter --use-preprocess, ' +
    "X-AnyLabeling's MobileSAM / EfficientViT-SAM)",
  match(dir, graphs, manifest) {
    const decoder = graphs.find((g) => isMetaDecoder(g.graph));
    const encoder = graphs.find((g) => g !== decoder && inGraphEncoderInput(g.graph));
    if (!decoder || !encoder) return undefined;
    // X-AnyLabeling's SAM-HQ pair: Meta's decoder inputs plus the ViT block features. Only samHq.ts feeds those,
    // and it needs the [1,3,S,S] encoder; taken as a plain Meta pair, the first click would fail.
    if (decoder.graph.inputs.some((i) => i.name === 'interm_embeddings'))
      throw new UserError(
        `model folder ${dir}: ${decoder.file} takes interm_embeddings (SAM-HQ), but ${encoder.file} preprocesses ` +
          'the image in its graph: SAM-HQ is supported with an encoder taking a float32 [1,3,S,S] input ' +
          '(sam-hq scripts/export_onnx_model.py, or sam-annotate convert)',
      );
    const embedding = decoder.graph.inputs.find((i) => i.name === 'image_embeddings')!;
    // The encoder's input says nothing about S (it is the image itself): S comes from the grid (or manifest).
    const geometry = geometryOf(dir, embedding.shape, [1, 3, 'S', 'S'], manifest);
    const meta = new SamAnnotateLayout(
      { encoder: encoder.file, decoder: decoder.file },
      encoder.graph,
      decoder.graph,
      geometry,
      sam1Normalization(manifest),
    );
    return new PreprocessInGraphLayout(meta, inGraphEncoderInput(encoder.graph)!);
  },
};

/** Meta's decoder side (delegated to {@link SamAnnotateLayout}) with the in-graph encoder's feed. */
export class PreprocessInGraphLayout implements LayoutAdapter {
  readonly kind = preprocessInGraphLayout.kind;
  readonly family = 'sam1' as const;
  readonly geometry: ModelGeometry;
  readonly capabilities;
  readonly encoder;
  readonly decoder;
  readonly imageTensors;
  readonly postprocess;

  constructor(
    private readonly meta: SamAnnotateLayout,
    private readonly input: InGraphImageInput,
  ) {
    this.geometry = meta.geometry;
    this.capabilities = meta.capabilities;
    this.encoder = meta.encoder;
    this.decoder = meta.decoder;
    this.imageTensors = meta.imageTensors;
    this.postprocess = meta.postprocess;
  }

  /** @param rgb interleaved RGB, `height` rows of `width × 3` bytes, image frame. */
  preprocess(rgb: Uint8Array, width: number, height: number): Preprocessed {
    return inGraphPreprocess(this.input, rgb, width, height, this.geometry.inputSize);
  }

  embeddingFrom(outputs: Outputs): EmbeddingTensors {
    return this.meta.embeddingFrom(outputs);
  }

  decoderFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt): Feeds {
    return this.meta.decoderFeeds(embedding, frame, prompt);
  }

  selectCandidates(outputs: Outputs, multimask: boolean) {
    return this.meta.selectCandidates(outputs, multimask);
  }
}
