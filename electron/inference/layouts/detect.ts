/**
 * Decide which layout a model folder's graphs follow, from their input/output names and shapes (and the manifest
 * when there is one), by asking each registered layout (registry.ts) in turn. Anything unrecognised is a UserError
 * that says what was found and what each layout expects.
 */
import path from 'node:path';
import { UserError } from '../../common/errors.ts';
import type { ModelManifest } from '../manifest.ts';
import type { LayoutAdapter } from './layout.ts';
import { LAYOUTS } from './registry.ts';
import { type ModelGraph, formatGraph } from './signature.ts';

export type { ModelGraph } from './signature.ts';

export function detectLayout(
  dir: string,
  graphs: readonly ModelGraph[],
  manifest?: ModelManifest,
): LayoutAdapter {
  for (const entry of LAYOUTS) {
    const adapter = entry.match(dir, graphs, manifest);
    if (adapter) return adapter;
  }
  const found = graphs.map((g) => `${path.basename(g.file)}: ${formatGraph(g.graph)}`).join(' | ');
  const expected = LAYOUTS.map((l) => l.expected).join(', or ');
  throw new UserError(
    `model folder ${dir}: unknown model layout. Found ${found || 'no ONNX files'}; expected either ${expected}`,
  );
}
