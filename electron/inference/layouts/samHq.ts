/**
 * SAM-HQ (SysCV/sam-hq, issue 15): Meta's decoder contract plus the encoder's global-attention-block features.
 *   encoder: one float32 [1,3,S,S] input (Meta's preprocessing, done by us) → image_embeddings [1,C,g,g] and the
 *     block features, stacked as interm_embeddings [K,1,g,g,D] (or, as a second output, the first block alone
 *     [1,g,g,D]); D is the ViT width
 *   decoder (sam-hq `scripts/export_onnx_model.py`): Meta's six inputs + interm_embeddings [K,1,g,g,D]
 *     → masks [1,1,H,W], iou_predictions [1,1], low_res_masks [1,1,4g,4g]
 * The graph returns ONE mask, chosen inside it by the export flags: SAM's token 0 + the HQ token's mask (default),
 * the best of tokens 1..3 by IoU + HQ (`--multimask-output`), or the HQ mask alone (`--hq-token-only`); the
 * score is SAM's IoU for its token. So there is one candidate whatever `multimask` asks (token −1: the graph
 * chose), as for Meta's `--return-single-mask` export.
 * The decoder reads only the first block (`interm_embeddings[0]`, the "early-layer feature"), so we cache that
 * block alone (D·g² floats: 20 MiB for ViT-H instead of 80) and feed zeros for the others.
 * See native-models/sam_tools/samhq.py (PyTorch reference) and native-models/LAYOUTS.md.
 */
import type { ModelFrame } from '../../common/frames.ts';
import { UserError } from '../../common/errors.ts';
import type { Prompt } from '../../common/prompts.ts';
import type { ModelManifest } from '../manifest.ts';
import { geometryOf } from './geometry.ts';
import {
  META_DECODER_INPUTS,
  META_DECODER_OUTPUTS,
  SamAnnotateLayout,
  isMetaEncoder,
} from './samAnnotate.ts';
import type { GraphSignature, ModelGraph } from './signature.ts';
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
  type TensorData,
  type TensorSpec,
  requireOutput,
  sliceMask,
} from './layout.ts';
import { SAM1_POSTPROCESS, embeddingSpec, sam1Normalization } from './sam1.ts';

export const INTERM = 'interm_embeddings';

export function isSamHqDecoder(g: GraphSignature): boolean {
  const inputs = new Set(g.inputs.map((i) => i.name));
  const outputs = new Set(g.outputs.map((o) => o.name));
  return (
    inputs.has(INTERM) &&
    META_DECODER_INPUTS.every((n) => inputs.has(n)) &&
    META_DECODER_OUTPUTS.every((n) => outputs.has(n))
  );
}

function fixed(dim: number | string | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

/** The encoder output holding the block features: `interm_embeddings`, else the output after the embedding. */
function intermOutput(encoder: GraphSignature, embeddingName: string): string | undefined {
  if (encoder.outputs.some((o) => o.name === INTERM)) return INTERM;
  return encoder.outputs.find((o) => o.name !== embeddingName)?.name;
}

export const samHqLayout: LayoutEntry<'sam-hq'> = {
  kind: 'sam-hq',
  family: 'sam1',
  expected:
    `SAM-HQ's decoder export (Meta's inputs plus ${INTERM} [K,1,g,g,D]) with an encoder taking one float32 ` +
    `[1,3,S,S] input and returning image_embeddings and ${INTERM}`,
  match(dir, graphs, manifest) {
    const decoder = graphs.find((g) => isSamHqDecoder(g.graph));
    const encoder = graphs.find((g) => g !== decoder && isMetaEncoder(g.graph));
    if (!decoder || !encoder) return undefined;
    const embedding = decoder.graph.inputs.find((i) => i.name === 'image_embeddings')!;
    const geometry = geometryOf(dir, embedding.shape, encoder.graph.inputs[0]!.shape, manifest);
    const embeddingName = encoder.graph.outputs.some((o) => o.name === 'image_embeddings')
      ? 'image_embeddings'
      : encoder.graph.outputs[0]!.name;
    const interm = intermOutput(encoder.graph, embeddingName);
    if (!interm) {
      throw new UserError(
        `model folder ${dir}: ${encoder.file} returns only ${embeddingName}; a SAM-HQ encoder must also return ` +
          `its global-attention-block features (${INTERM})`,
      );
    }
    const shape = decoder.graph.inputs.find((i) => i.name === INTERM)!.shape;
    const encoderShape = encoder.graph.outputs.find((o) => o.name === interm)!.shape;
    const width = fixed(shape[4]) ?? fixed(encoderShape[encoderShape.length - 1]);
    if (!width) {
      throw new UserError(
        `model folder ${dir}: the width of ${INTERM} is dynamic in both graphs; SAM-HQ needs it fixed`,
      );
    }
    return new SamHqLayout(
      decoder,
      encoder,
      { embedding: embeddingName, interm, blocks: fixed(shape[0]) ?? 1, width },
      geometry,
      manifest,
    );
  },
};

export class SamHqLayout implements LayoutAdapter {
  readonly kind = samHqLayout.kind;
  readonly family = 'sam1' as const;
  readonly capabilities: LayoutCapabilities = {
    maskInput: true,
    box: true,
    singleMaskToken: false,
    singleMask: 'in-graph',
  };
  readonly encoder;
  readonly decoder;
  readonly imageTensors: readonly TensorSpec[];
  /** Meta's part of the contract: preprocessing and the prompt feeds. */
  private readonly meta: SamAnnotateLayout;
  private readonly blockSize: number;

  constructor(
    decoder: ModelGraph,
    encoder: ModelGraph,
    private readonly names: { embedding: string; interm: string; blocks: number; width: number },
    readonly geometry: ModelGeometry,
    manifest: ModelManifest | undefined,
  ) {
    this.meta = new SamAnnotateLayout(
      { encoder: encoder.file, decoder: decoder.file },
      encoder.graph,
      decoder.graph,
      geometry,
      sam1Normalization(manifest),
    );
    this.encoder = { file: encoder.file, outputNames: [names.embedding, names.interm] };
    this.decoder = this.meta.decoder;
    const g = geometry.grid;
    this.blockSize = g * g * names.width;
    this.imageTensors = [
      embeddingSpec('image_embeddings', geometry),
      { name: INTERM, dims: [1, 1, g, g, names.width], dtype: 'float32' },
    ];
  }

  readonly postprocess = SAM1_POSTPROCESS;

  preprocess(rgb: Uint8Array, width: number, height: number): Preprocessed {
    return this.meta.preprocess(rgb, width, height);
  }

  /** The embedding, and the first block's features [1,1,g,g,D] (copied out of a stacked output). */
  embeddingFrom(outputs: Outputs): EmbeddingTensors {
    const interm: TensorData = requireOutput(outputs, this.names.interm);
    if (interm.data.length < this.blockSize) {
      throw new Error(
        `${this.names.interm} is [${interm.dims.join(',')}], expected at least one ${this.geometry.grid}²×${this.names.width} block`,
      );
    }
    const g = this.geometry.grid;
    return {
      image_embeddings: requireOutput(outputs, this.names.embedding),
      [INTERM]: { data: interm.data.slice(0, this.blockSize), dims: [1, 1, g, g, this.names.width] },
    };
  }

  decoderFeeds(embedding: EmbeddingTensors, frame: ModelFrame, prompt: Prompt): Feeds {
    const feeds = this.meta.decoderFeeds(embedding, frame, prompt);
    // The graph reads block 0 only; the other K − 1 blocks of its fixed-shape input are zeros.
    const stacked = new Float32Array(this.names.blocks * this.blockSize);
    stacked.set(embedding[INTERM]!.data);
    const g = this.geometry.grid;
    return {
      ...feeds,
      [INTERM]: { type: 'float32', data: stacked, dims: [this.names.blocks, 1, g, g, this.names.width] },
    };
  }

  /** The graph's one mask, whatever `multimask` asks (the export flags chose it: module doc). */
  selectCandidates(outputs: Outputs): Candidate[] {
    const iou = requireOutput(outputs, 'iou_predictions');
    const low = requireOutput(outputs, 'low_res_masks');
    return [{ token: -1, predictedIou: iou.data[0]!, lowRes: sliceMask(low, 0) }];
  }
}
