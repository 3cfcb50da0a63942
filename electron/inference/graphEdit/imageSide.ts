/**
 * Split a decoder graph into the part that depends only on the image and the part each click runs (issue 16).
 *
 * Why: with no mask input, much of a SAM decoder's work is the same for every click on an image: the dense
 * prompt embedding added to the image embedding, the mask-input path (run on zeros), and in the first
 * transformer layer the image side's keys, values and image→token queries (three 4096×256×128 products in SAM
 * 1), as well as SAM 2's high-resolution feature convolutions. The image graph computes those tensors once per
 * image; the prompt graph takes them as inputs. Each node is computed exactly as in the file, by the same
 * runtime, so outputs equal the whole graph's up to the order onnxruntime's fusions add in float32.
 *
 * Levels: a tensor is *constant* (initializers, nodes of constants only), *static* (depends on a static input
 * and no prompt input) or *prompt*. The frontier is the static tensors a prompt node reads: the image graph's
 * outputs and the prompt graph's extra inputs. Constant nodes go into whichever graph needs them.
 */
import { GRAPH_INPUT, GRAPH_OUTPUT, type OnnxGraph, parseOnnxGraph, rebuildModel } from './onnxGraph.ts';
import {
  type Field,
  GraphEditError,
  concatBytes,
  lengthField,
  stringField,
  varintField,
} from './protoFields.ts';

/** ONNX TensorProto.DataType codes of the element types onnxruntime-node names. */
const ELEMENT_TYPES: Readonly<Record<string, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
};

/** Element type and dims of a frontier tensor, as the image graph's run returned it. */
export interface FrontierTensor {
  readonly type: string;
  readonly dims: readonly number[];
}

export interface ImageSideSplit {
  /** The image graph: the static inputs it reads → {@link computed}. */
  readonly imageModel: Uint8Array;
  /** Static graph inputs the image graph reads (the others it does not need). */
  readonly imageInputs: readonly string[];
  /** Tensors the image graph computes for the prompt graph. */
  readonly computed: readonly string[];
  /** Static graph inputs a prompt node reads directly: fed to the prompt graph as they are. */
  readonly passThrough: readonly string[];
  /** The original graph's prompt inputs that the prompt graph reads. */
  readonly promptInputs: readonly string[];
  /** The prompt graph's outputs: the fetched ones. */
  readonly outputs: readonly string[];
  /** Nodes in the image graph, and nodes of the original graph in all. */
  readonly imageNodes: number;
  readonly totalNodes: number;
  /** The prompt graph, given what the image graph's run returned for each {@link computed} tensor. */
  promptModel(frontier: ReadonlyMap<string, FrontierTensor>): Uint8Array;
}

const GRAPH_VALUE_INFO = 13;
const GRAPH_SPARSE_INITIALIZER = 15;

/** A ValueInfoProto: name, and when given, tensor type (elem_type, fixed dims). */
function valueInfo(name: string, tensor?: FrontierTensor): Uint8Array {
  if (!tensor) return stringField(1, name);
  const code = ELEMENT_TYPES[tensor.type];
  if (code === undefined) throw new GraphEditError(`frontier tensor ${name} has type ${tensor.type}`);
  const dims = tensor.dims.map((d) => lengthField(1, varintField(1, d)));
  const tensorType = concatBytes([varintField(1, code), lengthField(2, concatBytes(dims))]);
  return concatBytes([stringField(1, name), lengthField(2, lengthField(1, tensorType))]);
}

type Level = 0 | 1 | 2;
const CONSTANT: Level = 0;
const STATIC: Level = 1;
const PROMPT: Level = 2;

/** Nodes (indices, in graph order) that the `targets` need, walking back without crossing `stop`. */
function nodesNeeded(graph: OnnxGraph, targets: Iterable<string>, stop: ReadonlySet<string>): Set<number> {
  const needed = new Set<string>([...targets].filter((t) => !stop.has(t)));
  const nodes = new Set<number>();
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!node.outputs.some((o) => o && needed.has(o))) continue;
    nodes.add(i);
    for (const input of node.inputs) if (input && !stop.has(input)) needed.add(input);
  }
  return nodes;
}

/**
 * The split of `model` for `staticInputs` (inputs whose values depend only on the image when a prompt has no
 * mask input) and the graph outputs a run fetches; undefined when no node depends on the image alone.
 * Throws {@link GraphEditError} on what the split cannot handle (see parseOnnxGraph; sparse initializers; a
 * fetched output that depends on no prompt input).
 */
export function splitImageSide(
  model: Uint8Array,
  staticInputs: readonly string[],
  fetched: readonly string[],
): ImageSideSplit | undefined {
  const graph = parseOnnxGraph(model);
  if (graph.graphFields.some((f) => f.number === GRAPH_SPARSE_INITIALIZER))
    throw new GraphEditError('the graph has sparse initializers');
  const statics = new Set(staticInputs);
  const level = new Map<string, Level>();
  for (const name of graph.initializers.keys()) level.set(name, CONSTANT);
  for (const { name } of graph.inputs)
    if (!graph.initializers.has(name)) level.set(name, statics.has(name) ? STATIC : PROMPT);
  const nodeLevel = graph.nodes.map((node) => {
    let l: Level = CONSTANT;
    for (const input of node.inputs) {
      if (!input) continue;
      const known = level.get(input);
      if (known === undefined) throw new GraphEditError(`node input ${input} is produced nowhere before it`);
      if (known > l) l = known;
    }
    for (const o of node.outputs) if (o) level.set(o, l);
    return l;
  });
  for (const name of fetched) {
    if (level.get(name) !== PROMPT) throw new GraphEditError(`output ${name} does not depend on the prompt`);
  }

  // The frontier: static tensors read by the prompt nodes the fetched outputs need.
  const frontier = new Set<string>();
  for (const i of nodesNeeded(graph, fetched, new Set())) {
    if (nodeLevel[i] !== PROMPT) continue;
    for (const input of graph.nodes[i]!.inputs) if (input && level.get(input) === STATIC) frontier.add(input);
  }
  const inputNames = new Set(graph.inputs.map((i) => i.name));
  const passThrough = [...frontier].filter((name) => inputNames.has(name));
  const computed = [...frontier].filter((name) => !inputNames.has(name));
  if (computed.length === 0) return undefined;

  const imageNodes = nodesNeeded(graph, computed, new Set());
  const promptNodes = nodesNeeded(graph, fetched, frontier);
  const read = (nodes: ReadonlySet<number>) =>
    new Set([...nodes].flatMap((i) => graph.nodes[i]!.inputs.filter(Boolean)));
  const imageReads = read(imageNodes);
  const promptReads = read(promptNodes);
  const imageInputs = graph.inputs.map((i) => i.name).filter((n) => statics.has(n) && imageReads.has(n));
  const promptInputs = graph.inputs
    .map((i) => i.name)
    .filter((n) => level.get(n) === PROMPT && promptReads.has(n));

  /** Every node, input, output, value_info and initializer field not kept; the graph's other fields stay. */
  const dropAllBut = (
    nodes: ReadonlySet<number>,
    inputs: ReadonlySet<string>,
    reads: ReadonlySet<string>,
  ) => {
    const drop = new Set<Field>();
    graph.nodes.forEach((node, i) => nodes.has(i) || drop.add(node.field));
    for (const i of graph.inputs) if (!inputs.has(i.name)) drop.add(i.field);
    for (const o of graph.outputs) drop.add(o.field);
    for (const [name, f] of graph.initializerFields) if (!reads.has(name)) drop.add(f);
    // Shapes of intermediate tensors: some are now inputs or outputs, and onnxruntime infers them anyway.
    for (const f of graph.graphFields) if (f.number === GRAPH_VALUE_INFO) drop.add(f);
    return drop;
  };

  const imageModel = rebuildModel(graph, {
    drop: dropAllBut(imageNodes, new Set(imageInputs), imageReads),
    append: computed.map((name) => lengthField(GRAPH_OUTPUT, valueInfo(name))),
  });
  const keptOutputs = new Set(fetched);
  return {
    imageModel,
    imageInputs,
    computed,
    passThrough,
    promptInputs,
    outputs: fetched,
    imageNodes: imageNodes.size,
    totalNodes: graph.nodes.length,
    promptModel(types) {
      const drop = dropAllBut(promptNodes, new Set([...promptInputs, ...passThrough]), promptReads);
      // The fetched outputs stay, in the file's order.
      for (const o of graph.outputs) if (keptOutputs.has(o.name)) drop.delete(o.field);
      const inputs = computed.map((name) => {
        const tensor = types.get(name);
        if (!tensor) throw new GraphEditError(`no type for frontier tensor ${name}`);
        return lengthField(GRAPH_INPUT, valueInfo(name, tensor));
      });
      return rebuildModel(graph, { drop, append: inputs });
    },
  };
}
