/**
 * What the decoder session loads (issue 16): the file as the exporter wrote it, or, when the graph computes
 * outputs the layout never fetches, the file pruned to the fetched outputs (pruneOutputs.ts). Any problem with
 * the edit keeps the unedited file and says why; an edit never stops a model from loading.
 */
import { readFile } from 'node:fs/promises';
import { describeError } from '../../common/errors.ts';
import type { ModelGraph } from '../layouts/signature.ts';
import { GraphEditError } from './protoFields.ts';
import { pruneToOutputs } from './pruneOutputs.ts';

export interface DecoderSource {
  /** A path (unedited) or the edited model's bytes. */
  readonly model: string | Uint8Array;
  /** The graph outputs the session will have. */
  readonly outputs: readonly string[];
  /** One line for the log: what was edited, or why the file is used unedited. */
  readonly note?: string;
  /** Present when the file could not be edited; the note says why. */
  readonly fallback?: string;
}

/** The file as it is; `why` (the reason an edit was not used) goes into the note. */
export function uneditedSource(file: string, graph: ModelGraph, why?: string): DecoderSource {
  return {
    model: file,
    outputs: graph.graph.outputs.map((o) => o.name),
    ...(why ? { fallback: why, note: `${file}: decoder graph used unedited (${why})` } : {}),
  };
}

/**
 * @param file the decoder's path; `graph` its signature from the file header; `fetched` the outputs the layout
 *   asks every run for.
 */
export async function decoderSource(
  file: string,
  graph: ModelGraph,
  fetched: readonly string[],
): Promise<DecoderSource> {
  const all = graph.graph.outputs.map((o) => o.name);
  const unedited = (why?: string) => uneditedSource(file, graph, why);
  if (all.every((name) => fetched.includes(name))) return unedited();
  // The weights of a graph with external data live beside the file; loaded from bytes, they would not be found.
  if (graph.externalFiles?.length) return unedited('its weights are in external data files');
  try {
    const pruned = pruneToOutputs(await readFile(file), fetched);
    if (!pruned) return unedited();
    return {
      model: pruned.bytes,
      outputs: fetched.filter((name) => all.includes(name)),
      note:
        `${file}: decoder graph without the unused output(s) ${pruned.removedOutputs.join(', ')} ` +
        `(${pruned.removedNodes} of ${pruned.removedNodes + pruned.keptNodes} nodes removed)`,
    };
  } catch (error) {
    if (error instanceof GraphEditError) return unedited(error.message);
    return unedited(describeError(error));
  }
}
