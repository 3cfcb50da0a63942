/** The model's sizes, read from its graphs (and the manifest), shared by every layout's matcher. */
import { UserError } from '../../common/errors.ts';
import type { ModelManifest } from '../manifest.ts';
import type { ModelGeometry } from './layout.ts';

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
