/**
 * What the decoder session loads (issue 16): the file as the exporter wrote it, or edited for speed with the same
 * results: pruned to the outputs the layout fetches (pruneOutputs.ts), channel means as 1×1 convolutions
 * (channelMeans.ts). Any problem with an edit keeps the unedited file and says why; an edit never stops a model
 * from loading.
 */
import { readFile } from 'node:fs/promises';
import { describeError } from '../../common/errors.ts';
import type { ModelGraph } from '../layouts/signature.ts';
import { GraphEditError } from './protoFields.ts';
import { channelMeansAsConv } from './channelMeans.ts';
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
  // The weights of a graph with external data live beside the file; loaded from bytes, they would not be found.
  if (graph.externalFiles?.length) return unedited('its weights are in external data files');
  try {
    const original = await readFile(file);
    const pruned = all.every((name) => fetched.includes(name))
      ? undefined
      : pruneToOutputs(original, fetched);
    const means = channelMeansAsConv(pruned?.bytes ?? original);
    if (!pruned && !means) return unedited();
    const edits = [
      ...(pruned
        ? [
            `without the unused output(s) ${pruned.removedOutputs.join(', ')} ` +
              `(${pruned.removedNodes} of ${pruned.removedNodes + pruned.keptNodes} nodes removed)`,
          ]
        : []),
      ...(means ? [`${means.replaced} channel means as 1×1 convolutions`] : []),
    ];
    return {
      model: means?.bytes ?? pruned!.bytes,
      outputs: pruned ? fetched.filter((name) => all.includes(name)) : all,
      note: `${file}: decoder graph ${edits.join(', ')}`,
    };
  } catch (error) {
    if (error instanceof GraphEditError) return unedited(error.message);
    return unedited(describeError(error));
  }
}
