/**
 * An ONNX model's graph as the edits need it (issue 16): its nodes (op type, inputs, outputs, attributes) and
 * its initializers' shapes, each with the raw field it came from, so an edit can drop or replace fields and keep
 * the rest byte for byte.
 *
 * Field numbers are those of onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, .initializer = 5, .input = 11,
 * .output = 12; NodeProto.input = 1, .output = 2, .name = 3, .op_type = 4, .attribute = 5, .domain = 7;
 * AttributeProto.name = 1, .i = 3, .t = 5, .g = 6, .ints = 8, .graphs = 11; TensorProto.dims = 1, .name = 8;
 * ValueInfoProto.name = 1.
 */
import {
  type Field,
  GraphEditError,
  WIRE_LEN,
  WIRE_VARINT,
  fieldsOf,
  joinFields,
  lengthField,
  payload,
  stringOf,
} from './protoFields.ts';

export interface OnnxAttribute {
  readonly name: string;
  /** Integer value(s) (`i`, `ints`), when the attribute has them. */
  readonly ints: readonly number[];
  /** Dims of a tensor value (`t`, as a Constant's `value`), when it has one. */
  readonly tensorDims?: readonly number[];
}

export interface OnnxNode {
  readonly field: Field;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
}

export interface OnnxGraph {
  readonly bytes: Uint8Array;
  readonly modelFields: readonly Field[];
  /** The model's one graph field, and the fields inside it. */
  readonly graphField: Field;
  readonly graphFields: readonly Field[];
  readonly nodes: readonly OnnxNode[];
  /** Initializer name → dims. */
  readonly initializers: ReadonlyMap<string, readonly number[]>;
  /** Initializer name → its field. */
  readonly initializerFields: ReadonlyMap<string, Field>;
  /** Graph input name → declared dims (undefined where symbolic or absent). */
  readonly inputShapes: ReadonlyMap<string, ReadonlyArray<number | undefined>>;
  /** Graph inputs by name, with their fields. */
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly field: Field }>;
  /** Graph outputs by name, with their fields. */
  readonly outputs: ReadonlyArray<{ readonly name: string; readonly field: Field }>;
}

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
export const GRAPH_INPUT = 11;
export const GRAPH_OUTPUT = 12;

/** Integers of a varint field, or of a packed repeated one. */
function intsOf(buf: Uint8Array, f: Field): number[] {
  if (f.wire === WIRE_VARINT) return [f.value];
  const out: number[] = [];
  const { start, end } = payload(f);
  let pos = start;
  while (pos < end) {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= end) throw new GraphEditError('bad packed integers');
      const byte = buf[pos++]!;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) break;
    }
    out.push(value);
  }
  return out;
}

function tensorDims(buf: Uint8Array, f: Field): number[] {
  const { start, end } = payload(f);
  return fieldsOf(buf, start, end)
    .filter((g) => g.number === 1)
    .flatMap((g) => intsOf(buf, g));
}

function attributeOf(buf: Uint8Array, f: Field): OnnxAttribute {
  const { start, end } = payload(f);
  let name = '';
  const ints: number[] = [];
  let dims: number[] | undefined;
  for (const g of fieldsOf(buf, start, end)) {
    if (g.number === 1) name = stringOf(buf, g);
    else if (g.number === 3 || g.number === 8) ints.push(...intsOf(buf, g));
    else if (g.number === 5) dims = tensorDims(buf, g);
    // A subgraph (If, Loop, Scan) may read any outer tensor by name: no edit here can see those reads.
    else if (g.number === 6 || g.number === 11)
      throw new GraphEditError('the graph has control-flow subgraphs');
  }
  return { name, ints, ...(dims ? { tensorDims: dims } : {}) };
}

function nodeOf(buf: Uint8Array, field: Field): OnnxNode {
  const { start, end } = payload(field);
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: OnnxAttribute[] = [];
  let opType = '';
  let domain = '';
  for (const f of fieldsOf(buf, start, end)) {
    if (f.number === 1) inputs.push(stringOf(buf, f));
    else if (f.number === 2) outputs.push(stringOf(buf, f));
    else if (f.number === 4) opType = stringOf(buf, f);
    else if (f.number === 7) domain = stringOf(buf, f);
    else if (f.number === 5) attributes.push(attributeOf(buf, f));
  }
  return { field, opType, domain, inputs, outputs, attributes };
}

function nameOf(buf: Uint8Array, field: Field, number: number, what: string): string {
  const { start, end } = payload(field);
  const name = fieldsOf(buf, start, end).find((f) => f.number === number && f.wire === WIRE_LEN);
  if (!name) throw new GraphEditError(`${what} without a name`);
  return stringOf(buf, name);
}

/** ValueInfoProto.type (2) → TypeProto.tensor_type (1) → .shape (2) → .dim (1) → .dim_value (1). */
function declaredShape(buf: Uint8Array, field: Field): Array<number | undefined> {
  const sub = (f: Field | undefined, n: number) => {
    if (!f) return [];
    const { start, end } = payload(f);
    return fieldsOf(buf, start, end).filter((g) => g.number === n);
  };
  const shape = sub(sub(sub(field, 2)[0], 1)[0], 2)[0];
  return sub(shape, 1).map((dim) => {
    const value = sub(dim, 1)[0];
    return value && value.wire === WIRE_VARINT ? value.value : undefined;
  });
}

/** Parses the model in `bytes` (weights inside the file). Throws {@link GraphEditError} on what it cannot edit. */
export function parseOnnxGraph(bytes: Uint8Array): OnnxGraph {
  const modelFields = fieldsOf(bytes);
  const graphs = modelFields.filter((f) => f.number === MODEL_GRAPH);
  if (graphs.length !== 1) throw new GraphEditError(`expected one graph, found ${graphs.length}`);
  const graphField = graphs[0]!;
  const g = payload(graphField);
  const graphFields = fieldsOf(bytes, g.start, g.end);
  const initializers = new Map<string, readonly number[]>();
  const initializerFields = new Map<string, Field>();
  for (const f of graphFields) {
    if (f.number !== GRAPH_INITIALIZER) continue;
    const name = nameOf(bytes, f, 8, 'an initializer');
    initializers.set(name, tensorDims(bytes, f));
    initializerFields.set(name, f);
  }
  const inputShapes = new Map<string, Array<number | undefined>>();
  const inputs: Array<{ name: string; field: Field }> = [];
  for (const f of graphFields) {
    if (f.number !== GRAPH_INPUT) continue;
    const name = nameOf(bytes, f, 1, 'a graph input');
    inputShapes.set(name, declaredShape(bytes, f));
    inputs.push({ name, field: f });
  }
  return {
    bytes,
    modelFields,
    inputShapes,
    inputs,
    initializerFields,
    graphField,
    graphFields,
    nodes: graphFields.filter((f) => f.number === GRAPH_NODE).map((f) => nodeOf(bytes, f)),
    initializers,
    outputs: graphFields
      .filter((f) => f.number === GRAPH_OUTPUT)
      .map((field) => ({ name: nameOf(bytes, field, 1, 'a graph output'), field })),
  };
}

/**
 * The model with the graph's fields edited: `drop` removed, `replace` swapped in, `append` added at the end of
 * the graph (ONNX allows any field order; nodes must stay topologically sorted, which replacing in place keeps).
 */
export function rebuildModel(
  graph: OnnxGraph,
  edits: {
    drop?: ReadonlySet<Field>;
    replace?: ReadonlyMap<Field, Uint8Array>;
    append?: readonly Uint8Array[];
  },
): Uint8Array {
  const kept = graph.graphFields.filter((f) => !edits.drop?.has(f));
  const body = joinFields(graph.bytes, kept, edits.replace);
  const extra = edits.append ?? [];
  const length = body.length + extra.reduce((sum, e) => sum + e.length, 0);
  const newGraph = new Uint8Array(length);
  newGraph.set(body);
  let at = body.length;
  for (const e of extra) {
    newGraph.set(e, at);
    at += e.length;
  }
  return joinFields(
    graph.bytes,
    graph.modelFields,
    new Map([[graph.graphField, lengthField(MODEL_GRAPH, newGraph)]]),
  );
}
