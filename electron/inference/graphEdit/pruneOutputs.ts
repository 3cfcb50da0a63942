/**
 * Drop the outputs of an ONNX graph that nobody fetches, and every node only they need (issue 16).
 *
 * Why: onnxruntime runs every node of a graph whatever outputs a run asks for. Meta's SAM decoder export (and
 * RectLabel's SAM 2 one) computes `masks`, all four candidates upsampled to the original size inside the graph
 * (a Resize to S×S, a crop, a Resize to `orig_im_size`); the app never fetches it (it upsamples the kept
 * candidate from `low_res_masks` itself, exactly as Meta's PyTorch does). That work was ~11 % of a SAM 1 ViT-B
 * click's decoder time. Inputs all stay, so the same feeds work; an input only the dropped nodes read is unused.
 */
import type { Field } from './protoFields.ts';
import { GraphEditError } from './protoFields.ts';
import { parseOnnxGraph, rebuildModel } from './onnxGraph.ts';

export interface PrunedGraph {
  /** The edited model file. */
  readonly bytes: Uint8Array;
  /** Graph outputs removed, in graph order. */
  readonly removedOutputs: readonly string[];
  /** Nodes removed (those only the removed outputs needed). */
  readonly removedNodes: number;
  readonly keptNodes: number;
}

/**
 * The model with only the graph outputs in `keep` and the nodes they depend on; undefined when there is nothing
 * to remove. Throws {@link GraphEditError} when the file is not a model this edit understands (malformed
 * protobuf, several graph fields, control-flow subgraphs, a kept name that is not an output).
 * @param model the bytes of an .onnx file with its weights inside (no external data).
 */
export function pruneToOutputs(model: Uint8Array, keep: readonly string[]): PrunedGraph | undefined {
  const graph = parseOnnxGraph(model);
  const names = new Set(graph.outputs.map((o) => o.name));
  const unknown = keep.filter((k) => !names.has(k));
  if (unknown.length) throw new GraphEditError(`no graph output ${unknown.join(', ')}`);
  const kept = new Set(keep);
  const removedOutputs = graph.outputs.filter((o) => !kept.has(o.name));
  if (removedOutputs.length === 0) return undefined;

  // ONNX lists nodes in topological order: walking back from the kept outputs finds every node they need.
  const needed = new Set(keep);
  const keptNodes = new Set<Field>();
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!node.outputs.some((o) => o && needed.has(o))) continue;
    keptNodes.add(node.field);
    for (const input of node.inputs) if (input) needed.add(input);
  }
  const drop = new Set<Field>(removedOutputs.map((o) => o.field));
  for (const n of graph.nodes) if (!keptNodes.has(n.field)) drop.add(n.field);
  return {
    bytes: rebuildModel(graph, { drop }),
    removedOutputs: removedOutputs.map((o) => o.name),
    removedNodes: graph.nodes.length - keptNodes.size,
    keptNodes: keptNodes.size,
  };
}
