/**
 * Multiply-accumulates of one run of an ONNX graph, counted from the graph itself (issue 15: the speed
 * benchmark divides the built-in demo model's MACs by its measured time to get this machine's GMAC/s).
 *
 * Only MatMul, Gemm, Conv and ConvTranspose are counted (everything else is a rounding error next to them in
 * SAM-like graphs). Their weight shapes come from the file (initializers, Constant nodes: a small protobuf walk
 * that skips tensor payloads); the activation shapes from onnxruntime's profiler, which records every node's
 * input and output shapes of a real run (graph optimisations off, so profiled nodes are the file's nodes, by
 * name). This is the "shape walk" of a graph whose shapes depend on its inputs (Reshape of Shape, …) without
 * re-implementing shape inference.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { UserError, describeError } from '../common/errors.ts';

const WIRE_VARINT = 0;
const WIRE_64 = 1;
const WIRE_LEN = 2;
const WIRE_32 = 5;

interface Field {
  readonly number: number;
  readonly wire: number;
  readonly start: number;
  readonly end: number;
  readonly value: number;
}

function varint(buf: Buffer, pos: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < buf.length; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return { value, next: i + 1 };
  }
  throw new Error(`truncated varint at byte ${pos}`);
}

function* fields(buf: Buffer, start: number, end: number): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const key = varint(buf, pos);
    const number = Math.floor(key.value / 8);
    const wire = key.value % 8;
    pos = key.next;
    if (wire === WIRE_VARINT) {
      const v = varint(buf, pos);
      yield { number, wire, start: pos, end: v.next, value: v.value };
      pos = v.next;
    } else if (wire === WIRE_LEN) {
      const len = varint(buf, pos);
      yield { number, wire, start: len.next, end: len.next + len.value, value: 0 };
      pos = len.next + len.value;
    } else if (wire === WIRE_64 || wire === WIRE_32) {
      const length = wire === WIRE_64 ? 8 : 4;
      yield { number, wire, start: pos, end: pos + length, value: 0 };
      pos += length;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire} at byte ${pos}`);
    }
  }
}

const text = (buf: Buffer, f: Field) => buf.toString('utf8', f.start, f.end);

/** TensorProto: name (8) and dims (1, packed or not). */
function tensorShape(buf: Buffer, t: Field): { name: string; dims: number[] } {
  let name = '';
  const dims: number[] = [];
  for (const f of fields(buf, t.start, t.end)) {
    if (f.number === 8) name = text(buf, f);
    if (f.number !== 1) continue;
    if (f.wire === WIRE_VARINT) dims.push(f.value);
    else
      for (let p = f.start; p < f.end;) {
        const v = varint(buf, p);
        dims.push(v.value);
        p = v.next;
      }
  }
  return { name, dims };
}

export interface GraphNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer attributes (transA, group, …). */
  readonly ints: ReadonlyMap<string, number>;
}

export interface GraphStructure {
  readonly nodes: readonly GraphNode[];
  /** Shapes of initializers and Constant node outputs. */
  readonly constants: ReadonlyMap<string, readonly number[]>;
}

/** The top-level graph's nodes and constant shapes of an ONNX file (ModelProto.graph = 7; onnx.proto numbers). */
export function readGraphStructure(buf: Buffer): GraphStructure {
  const nodes: GraphNode[] = [];
  const constants = new Map<string, number[]>();
  for (const g of fields(buf, 0, buf.length)) {
    if (g.number !== 7 || g.wire !== WIRE_LEN) continue;
    for (const f of fields(buf, g.start, g.end)) {
      if (f.number === 5) {
        const t = tensorShape(buf, f);
        constants.set(t.name, t.dims);
      }
      if (f.number !== 1) continue;
      const inputs: string[] = [];
      const outputs: string[] = [];
      const ints = new Map<string, number>();
      let opType = '';
      let name = '';
      let value: number[] | undefined;
      for (const n of fields(buf, f.start, f.end)) {
        if (n.number === 1) inputs.push(text(buf, n));
        else if (n.number === 2) outputs.push(text(buf, n));
        else if (n.number === 3) name = text(buf, n);
        else if (n.number === 4) opType = text(buf, n);
        else if (n.number === 5) {
          let attribute = '';
          for (const a of fields(buf, n.start, n.end)) {
            if (a.number === 1) attribute = text(buf, a);
            if (a.number === 3 && a.wire === WIRE_VARINT) ints.set(attribute, a.value);
            if (a.number === 5 && attribute === 'value') value = tensorShape(buf, a).dims;
          }
        }
      }
      if (opType === 'Constant' && value && outputs[0]) constants.set(outputs[0], value);
      nodes.push({ name, opType, inputs, outputs, ints });
    }
  }
  return { nodes, constants };
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * MACs of one node from its input and output shapes (`shapeOf` undefined = unknown); 0 for ops not counted.
 * Conv weight [Cout, Cin/g, k…]: every output element costs Cin/g·k… MACs; ConvTranspose weight
 * [Cin, Cout/g, k…]: every input element costs Cout/g·k…; MatMul [..,M,K]·[..,K,N]; Gemm with transA/transB.
 */
export function nodeMacs(node: GraphNode, shapeOf: (name: string) => readonly number[] | undefined): number {
  const need = (name: string | undefined, what: string): readonly number[] => {
    const shape = name ? shapeOf(name) : undefined;
    if (!shape) throw new Error(`${node.opType}: the shape of its ${what} (${name ?? '-'}) is unknown`);
    return shape;
  };
  switch (node.opType) {
    case 'MatMul': {
      const out = need(node.outputs[0], 'output');
      const a = shapeOf(node.inputs[0] ?? '');
      const b = a ? undefined : need(node.inputs[1], 'inputs');
      const k = a ? a[a.length - 1]! : b!.length >= 2 ? b![b!.length - 2]! : b![0]!;
      return product(out) * k;
    }
    case 'Gemm': {
      const out = need(node.outputs[0], 'output');
      const a = shapeOf(node.inputs[0] ?? '');
      const k = a
        ? a[node.ints.get('transA') ? 0 : 1]!
        : need(node.inputs[1], 'inputs')[node.ints.get('transB') ? 1 : 0]!;
      return product(out) * k;
    }
    case 'Conv':
      return product(need(node.outputs[0], 'output')) * product(need(node.inputs[1], 'weight').slice(1));
    case 'ConvTranspose':
      return product(need(node.inputs[0], 'input')) * product(need(node.inputs[1], 'weight').slice(1));
    default:
      return 0;
  }
}

/** One profiled node: its name in the graph and the shapes of its outputs. */
interface ProfiledNode {
  readonly name: string;
  readonly op: string;
  readonly outputs: ReadonlyArray<readonly number[]>;
}

function profiledNodes(trace: unknown): ProfiledNode[] {
  if (!Array.isArray(trace)) throw new Error('the profile is not a list of events');
  const out: ProfiledNode[] = [];
  for (const e of trace as Array<{ cat?: string; name?: string; args?: Record<string, unknown> }>) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args) continue;
    const shapes = (e.args.output_type_shape ?? []) as Array<Record<string, number[]>>;
    out.push({
      name: e.name.slice(0, -'_kernel_time'.length),
      op: String(e.args.op_name),
      outputs: shapes.map((s) => Object.values(s)[0] ?? []),
    });
  }
  return out;
}

/**
 * MACs of one run of `file` on `feeds` (input name → tensor). Runs the graph once with onnxruntime's profiler on
 * the CPU (asynchronously: the event loop stays free).
 */
export async function countMacs(file: string, feeds: Record<string, ort.Tensor>): Promise<number> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-macs-'));
  try {
    const structure = readGraphStructure(await readFile(file));
    const session = await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'disabled',
      enableProfiling: true,
      profileFilePrefix: path.join(tmp, 'profile'),
    });
    try {
      await session.run(feeds);
      session.endProfiling();
    } finally {
      await session.release();
    }
    const traceFile = (await readdir(tmp)).find((f) => f.endsWith('.json'));
    if (!traceFile) throw new Error('onnxruntime wrote no profile');
    const shapes = new Map<string, readonly number[]>(structure.constants);
    for (const [name, tensor] of Object.entries(feeds)) shapes.set(name, tensor.dims);
    const byName = new Map(structure.nodes.map((n) => [n.name, n]));
    for (const p of profiledNodes(JSON.parse(await readFile(path.join(tmp, traceFile), 'utf8')))) {
      const node = byName.get(p.name);
      if (!node || node.opType !== p.op) continue; // a node onnxruntime added (none with optimisations off)
      p.outputs.forEach((shape, i) => node.outputs[i] && shapes.set(node.outputs[i], shape));
    }
    let total = 0;
    for (const node of structure.nodes) total += nodeMacs(node, (name) => shapes.get(name));
    return total;
  } catch (error) {
    throw new UserError(`cannot count the multiply-accumulates of ${file}: ${describeError(error)}`, {
      cause: error,
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
