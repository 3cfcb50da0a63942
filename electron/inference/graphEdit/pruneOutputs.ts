/**
 * Drop the outputs of an ONNX graph that nobody fetches, and every node only they need (issue 16).
 *
 * Why: onnxruntime runs every node of a graph whatever outputs a run asks for. Meta's SAM decoder export (and
 * RectLabel's SAM 2 one) computes `masks`, all four candidates upsampled to the original size inside the graph
 * (a Resize to S×S, a crop, a Resize to `orig_im_size`); the app never fetches it (it upsamples the kept
 * candidate from `low_res_masks` itself, exactly as Meta's PyTorch does). That work was ~11 % of a SAM 1 ViT-B
 * click's decoder time. Inputs all stay, so the same feeds work; an input only the dropped nodes read is unused.
 *
 * Field numbers are those of onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, .output = 12;
 * NodeProto.input = 1, .output = 2, .attribute = 5; AttributeProto.g = 6, .graphs = 11; ValueInfoProto.name = 1.
 */
import {
  type Field,
  GraphEditError,
  fieldsOf,
  joinFields,
  lengthField,
  payload,
  stringOf,
} from './protoFields.ts';

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_GRAPHS = 11;
const VALUE_INFO_NAME = 1;

export interface PrunedGraph {
  /** The edited model file. */
  readonly bytes: Uint8Array;
  /** Graph outputs removed, in graph order. */
  readonly removedOutputs: readonly string[];
  /** Nodes removed (those only the removed outputs needed). */
  readonly removedNodes: number;
  readonly keptNodes: number;
}

interface NodeInfo {
  readonly field: Field;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

function nodeInfo(buf: Uint8Array, field: Field): NodeInfo {
  const { start, end } = payload(field);
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (const f of fieldsOf(buf, start, end)) {
    if (f.number === NODE_INPUT) inputs.push(stringOf(buf, f));
    else if (f.number === NODE_OUTPUT) outputs.push(stringOf(buf, f));
    else if (f.number === NODE_ATTRIBUTE) {
      // A subgraph (If, Loop, Scan) may read any outer tensor by name: this walk would not see those reads.
      const a = payload(f);
      if (
        fieldsOf(buf, a.start, a.end).some(
          (g) => g.number === ATTRIBUTE_GRAPH || g.number === ATTRIBUTE_GRAPHS,
        )
      )
        throw new GraphEditError('the graph has control-flow subgraphs');
    }
  }
  return { field, inputs, outputs };
}

function valueInfoName(buf: Uint8Array, field: Field): string {
  const { start, end } = payload(field);
  const name = fieldsOf(buf, start, end).find((f) => f.number === VALUE_INFO_NAME);
  if (!name) throw new GraphEditError('a graph output has no name');
  return stringOf(buf, name);
}

/**
 * The model with only the graph outputs in `keep` and the nodes they depend on; undefined when there is nothing
 * to remove. Throws {@link GraphEditError} when the file is not a model this edit understands (malformed
 * protobuf, several graph fields, control-flow subgraphs, a kept name that is not an output).
 * @param model the bytes of an .onnx file with its weights inside (no external data).
 */
export function pruneToOutputs(model: Uint8Array, keep: readonly string[]): PrunedGraph | undefined {
  const modelFields = fieldsOf(model);
  const graphs = modelFields.filter((f) => f.number === MODEL_GRAPH);
  if (graphs.length !== 1) throw new GraphEditError(`expected one graph, found ${graphs.length}`);
  const graph = graphs[0]!;
  const g = payload(graph);
  const graphFields = fieldsOf(model, g.start, g.end);
  const outputs = graphFields
    .filter((f) => f.number === GRAPH_OUTPUT)
    .map((f) => ({ field: f, name: valueInfoName(model, f) }));
  const names = new Set(outputs.map((o) => o.name));
  const unknown = keep.filter((k) => !names.has(k));
  if (unknown.length) throw new GraphEditError(`no graph output ${unknown.join(', ')}`);
  const kept = new Set(keep);
  const removedOutputs = outputs.filter((o) => !kept.has(o.name));
  if (removedOutputs.length === 0) return undefined;

  // ONNX lists nodes in topological order: walking back from the kept outputs finds every node they need.
  const nodes = graphFields.filter((f) => f.number === GRAPH_NODE).map((f) => nodeInfo(model, f));
  const needed = new Set(keep);
  const keptNodes = new Set<Field>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (!node.outputs.some((o) => o && needed.has(o))) continue;
    keptNodes.add(node.field);
    for (const input of node.inputs) if (input) needed.add(input);
  }
  const dropped = new Set<Field>([...removedOutputs.map((o) => o.field)]);
  for (const n of nodes) if (!keptNodes.has(n.field)) dropped.add(n.field);
  const newGraph = joinFields(
    model,
    graphFields.filter((f) => !dropped.has(f)),
  );
  const bytes = joinFields(model, modelFields, new Map([[graph, lengthField(MODEL_GRAPH, newGraph)]]));
  return {
    bytes,
    removedOutputs: removedOutputs.map((o) => o.name),
    removedNodes: nodes.length - keptNodes.size,
    keptNodes: keptNodes.size,
  };
}
