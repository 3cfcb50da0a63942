/**
 * Decide which layout a model folder's two graphs follow, from their input/output names and shapes (and the
 * manifest when there is one). Anything unrecognised is a UserError that says what was found and what was
 * expected.
 */
import path from 'node:path';
import { UserError } from '../../common/errors.ts';
import type { ModelManifest } from '../manifest.ts';
import type { LayoutAdapter, ModelGeometry } from './layout.ts';
import {
  META_DECODER_INPUTS,
  META_DECODER_OUTPUTS,
  SamAnnotateLayout,
  isBatchDecoder,
  isMetaDecoder,
  isMetaEncoder,
} from './samAnnotate.ts';
import { type GraphSignature, formatGraph } from './signature.ts';
import {
  TRANSFORMERS_DECODER,
  TRANSFORMERS_ENCODER,
  TransformersJsLayout,
  matchTransformersJs,
} from './transformersJs.ts';

export interface ModelGraph {
  readonly file: string;
  readonly graph: GraphSignature;
  /** ONNX external-data files the graph's weights live in, relative to the graph file. */
  readonly externalFiles?: readonly string[];
}

const EXPECTED =
  `expected either Meta's SAM decoder export (inputs ${META_DECODER_INPUTS.join(', ')}; outputs ` +
  `${META_DECODER_OUTPUTS.join(', ')}) with an encoder taking one float32 [1,3,S,S] input, or the ` +
  `transformers.js SAM layout (${TRANSFORMERS_ENCODER.file}: ${TRANSFORMERS_ENCODER.inputs.join(', ')} → ` +
  `${TRANSFORMERS_ENCODER.outputs.join(', ')}; ${TRANSFORMERS_DECODER.file}: ${TRANSFORMERS_DECODER.inputs.join(', ')} → ` +
  `${TRANSFORMERS_DECODER.outputs.join(', ')})`;

function fixed(dim: number | string | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

/**
 * Geometry from the decoder's embedding input [1, C, g, g], the encoder's input [1, 3, S, S] and the manifest,
 * checked for consistency (S = 16 g).
 */
export function geometryOf(
  dir: string,
  embeddingShape: ReadonlyArray<number | string>,
  encoderInputShape: ReadonlyArray<number | string>,
  manifest: ModelManifest | undefined,
): ModelGeometry {
  const side = fixed(encoderInputShape[2]) ?? manifest?.input_size ?? (fixed(embeddingShape[2]) ?? 0) * 16;
  if (!side) {
    throw new UserError(
      `model folder ${dir}: the encoder input size is dynamic; add a manifest.json with input_size`,
    );
  }
  if (manifest && manifest.input_size !== side) {
    throw new UserError(
      `model folder ${dir}: manifest.json says input_size ${manifest.input_size}, the encoder takes ${side}`,
    );
  }
  const grid = fixed(embeddingShape[2]) ?? side / 16;
  if (grid * 16 !== side) {
    throw new UserError(
      `model folder ${dir}: encoder input ${side}×${side} does not match a ${grid}×${grid} embedding (expected S = 16 × grid)`,
    );
  }
  const channels = fixed(embeddingShape[1]) ?? 256;
  return { inputSize: side, channels, grid, lowResSize: grid * 4 };
}

export function detectLayout(
  dir: string,
  graphs: readonly ModelGraph[],
  manifest?: ModelManifest,
): LayoutAdapter {
  const decoder = graphs.find((g) => isMetaDecoder(g.graph));
  const encoder = graphs.find((g) => g !== decoder && isMetaEncoder(g.graph));
  if (decoder && encoder) {
    const embedding = decoder.graph.inputs.find((i) => i.name === 'image_embeddings')!;
    const geometry = geometryOf(dir, embedding.shape, encoder.graph.inputs[0]!.shape, manifest);
    const batch = graphs.find((g) => isBatchDecoder(g.graph));
    return new SamAnnotateLayout(
      { encoder: encoder.file, decoder: decoder.file, decoderBatch: batch?.file },
      encoder.graph,
      decoder.graph,
      geometry,
    );
  }
  const hf = matchTransformersJs(graphs);
  if (hf) {
    const embedding = hf.decoder.graph.inputs.find((i) => i.name === 'image_embeddings')!;
    const geometry = geometryOf(dir, embedding.shape, hf.encoder.graph.inputs[0]!.shape, manifest);
    return new TransformersJsLayout(
      { encoder: hf.encoder.file, decoder: hf.decoder.file },
      hf.decoder.graph,
      geometry,
    );
  }
  const found = graphs.map((g) => `${path.basename(g.file)}: ${formatGraph(g.graph)}`).join(' | ');
  throw new UserError(
    `model folder ${dir}: unknown model layout. Found ${found || 'no ONNX files'}; ${EXPECTED}`,
  );
}
