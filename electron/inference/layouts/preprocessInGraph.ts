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
 *
 * Either way the decoder works in Meta's 'longest-side' frame of side S = 16 × the embedding grid (1024 for the
 * published models, also for EfficientViT-SAM L0–L2 whose encoder sees 512), so prompts, `mask_input` and the
 * mask postprocessing are SAM 1's (sam1.ts, samAnnotate.ts); only the encoder feed differs.
 */
import { modelFrameFor } from '../../common/frames.ts';
import { resizeLongestSide } from '../../common/modelInput.ts';
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
  /** 'resized-float': RGB resized to long side S, float 0–255, HWC. 'raw-uint8': the original RGB bytes, HWC. */
  readonly feed: 'resized-float' | 'raw-uint8';
}

/** The encoder input, when it is one HWC RGB image ([h, w, 3]) of float32 or uint8. */
export function inGraphImageInput(s: TensorSignature): InGraphImageInput | undefined {
  if (s.shape.length !== 3 || s.shape[2] !== 3) return undefined;
  if (s.type === 'float32') return { name: s.name, feed: 'resized-float' };
  if (s.type === 'uint8') return { name: s.name, feed: 'raw-uint8' };
  return undefined;
}

function inGraphEncoderInput(g: GraphSignature): InGraphImageInput | undefined {
  return g.inputs.length === 1 && g.outputs.length >= 1 ? inGraphImageInput(g.inputs[0]!) : undefined;
}

export const preprocessInGraphLayout: LayoutEntry<'preprocess-in-graph'> = {
  kind: 'preprocess-in-graph',
  family: 'sam1',
  expected:
    `Meta's SAM decoder export (inputs ${META_DECODER_INPUTS.join(', ')}) with an encoder that preprocesses in ` +
    'its graph (one input [H,W,3]: float32 resized to the long side, or uint8 raw; samexporter --use-preprocess, ' +
    "X-AnyLabeling's MobileSAM / EfficientViT-SAM)",
  match(dir, graphs, manifest) {
    const decoder = graphs.find((g) => isMetaDecoder(g.graph));
    const encoder = graphs.find((g) => g !== decoder && inGraphEncoderInput(g.graph));
    if (!decoder || !encoder) return undefined;
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
    const s = this.geometry.inputSize;
    if (this.input.feed === 'raw-uint8') {
      const frame = modelFrameFor({ width, height }, s);
      // A copy: the feed may be transferred to the worker, the caller keeps its image.
      const data = rgb.slice(0, width * height * 3);
      return { feeds: { [this.input.name]: { type: 'uint8', data, dims: [height, width, 3] } }, frame };
    }
    const { frame, resized } = resizeLongestSide(rgb, { width, height }, s);
    const { width: w, height: h } = frame.resized;
    return {
      feeds: { [this.input.name]: { type: 'float32', data: Float32Array.from(resized), dims: [h, w, 3] } },
      frame,
    };
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
