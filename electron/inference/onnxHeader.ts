/**
 * Read an ONNX file's graph signature (inputs, outputs, opsets, producer) without loading it into onnxruntime
 * and without reading its weights: the protobuf is walked with positioned reads, skipping initializer payloads.
 * A 2.5 GB ViT-H encoder costs a few kilobytes of I/O. Used to tell which file of a model folder is the encoder,
 * and to describe a folder quickly (`sam-annotate models DIR`).
 *
 * Field numbers are those of onnx.proto (ModelProto.graph = 7, GraphProto.input = 11, …).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { UserError, describeError } from '../common/errors.ts';
import type { TensorSignature } from './layouts/signature.ts';

export interface OnnxHeader {
  readonly irVersion: number;
  readonly producer: string;
  readonly opsets: ReadonlyArray<{ domain: string; version: number }>;
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  /** Files holding weights outside the graph (ONNX external data), relative to the model file. */
  readonly externalFiles: readonly string[];
}

const ELEM_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

const WIRE_VARINT = 0;
const WIRE_64 = 1;
const WIRE_LEN = 2;
const WIRE_32 = 5;

/** Buffered positioned reads over a file handle. */
class Reader {
  private chunk = Buffer.alloc(0);
  private chunkStart = 0;
  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  async bytes(pos: number, length: number): Promise<Buffer> {
    if (pos + length > this.size) throw new Error(`truncated at byte ${pos}`);
    if (pos < this.chunkStart || pos + length > this.chunkStart + this.chunk.length) {
      const want = Math.min(Math.max(length, 64 * 1024), this.size - pos);
      const buffer = Buffer.alloc(want);
      await this.handle.read(buffer, 0, want, pos);
      this.chunk = buffer;
      this.chunkStart = pos;
    }
    return this.chunk.subarray(pos - this.chunkStart, pos - this.chunkStart + length);
  }

  async varint(pos: number): Promise<{ value: number; next: number }> {
    const head = await this.bytes(pos, Math.min(10, this.size - pos));
    let value = 0;
    let scale = 1;
    for (let i = 0; i < head.length; i++) {
      const byte = head[i]!;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return { value, next: pos + i + 1 };
    }
    throw new Error(`bad varint at byte ${pos}`);
  }
}

interface Field {
  readonly number: number;
  readonly wire: number;
  /** Start of the payload (for length-delimited fields) or of the value. */
  readonly start: number;
  readonly length: number;
  /** Value of a varint field. */
  readonly value: number;
}

async function* fields(reader: Reader, start: number, end: number): AsyncGenerator<Field> {
  let pos = start;
  while (pos < end) {
    const key = await reader.varint(pos);
    const number = Math.floor(key.value / 8);
    const wire = key.value % 8;
    pos = key.next;
    if (wire === WIRE_VARINT) {
      const v = await reader.varint(pos);
      yield { number, wire, start: pos, length: v.next - pos, value: v.value };
      pos = v.next;
    } else if (wire === WIRE_LEN) {
      const len = await reader.varint(pos);
      yield { number, wire, start: len.next, length: len.value, value: 0 };
      pos = len.next + len.value;
    } else if (wire === WIRE_64 || wire === WIRE_32) {
      const length = wire === WIRE_64 ? 8 : 4;
      yield { number, wire, start: pos, length, value: 0 };
      pos += length;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire} at byte ${pos}`);
    }
  }
  if (pos !== end) throw new Error('protobuf field overruns its message');
}

async function text(reader: Reader, field: Field): Promise<string> {
  return (await reader.bytes(field.start, field.length)).toString('utf8');
}

async function readDims(reader: Reader, shape: Field): Promise<Array<number | string>> {
  const dims: Array<number | string> = [];
  for await (const dim of fields(reader, shape.start, shape.start + shape.length)) {
    if (dim.number !== 1) continue;
    let value: number | string = '?';
    for await (const part of fields(reader, dim.start, dim.start + dim.length)) {
      if (part.number === 1 && part.wire === WIRE_VARINT) value = part.value;
      if (part.number === 2 && part.wire === WIRE_LEN) value = await text(reader, part);
    }
    dims.push(value);
  }
  return dims;
}

async function readValueInfo(reader: Reader, info: Field): Promise<TensorSignature> {
  let name = '';
  let type = 'unknown';
  let shape: Array<number | string> | undefined;
  for await (const f of fields(reader, info.start, info.start + info.length)) {
    if (f.number === 1) name = await text(reader, f);
    if (f.number !== 2) continue;
    for await (const t of fields(reader, f.start, f.start + f.length)) {
      if (t.number !== 1) {
        type = 'non-tensor';
        continue;
      }
      for await (const tt of fields(reader, t.start, t.start + t.length)) {
        if (tt.number === 1) type = ELEM_TYPES[tt.value] ?? `onnx-type-${tt.value}`;
        if (tt.number === 2) shape = await readDims(reader, tt);
      }
    }
  }
  return { name, type, shape: shape ?? [] };
}

/**
 * Name of an initializer (TensorProto.name = 8) and, for external data (TensorProto.external_data = 13, entries
 * of key 1 / value 2), the file it lives in; reads only these small fields, never the weights.
 */
async function initializerInfo(reader: Reader, tensor: Field): Promise<{ name?: string; location?: string }> {
  const info: { name?: string; location?: string } = {};
  for await (const f of fields(reader, tensor.start, tensor.start + tensor.length)) {
    if (f.number === 8) info.name = await text(reader, f);
    if (f.number !== 13) continue;
    let key = '';
    let value = '';
    for await (const kv of fields(reader, f.start, f.start + f.length)) {
      if (kv.number === 1) key = await text(reader, kv);
      if (kv.number === 2) value = await text(reader, kv);
    }
    if (key === 'location') info.location = value;
  }
  return info;
}

export async function readOnnxHeader(file: string): Promise<OnnxHeader> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new UserError(`cannot open model file ${file}: ${describeError(error)}`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    const reader = new Reader(handle, size);
    let irVersion = 0;
    let producer = '';
    const opsets: Array<{ domain: string; version: number }> = [];
    let graph: Field | undefined;
    for await (const f of fields(reader, 0, size)) {
      if (f.number === 1 && f.wire === WIRE_VARINT) irVersion = f.value;
      else if (f.number === 2 && f.wire === WIRE_LEN) producer = await text(reader, f);
      else if (f.number === 8 && f.wire === WIRE_LEN) {
        let domain = '';
        let version = 0;
        for await (const o of fields(reader, f.start, f.start + f.length)) {
          if (o.number === 1) domain = await text(reader, o);
          if (o.number === 2) version = o.value;
        }
        opsets.push({ domain, version });
      } else if (f.number === 7 && f.wire === WIRE_LEN) graph = f;
    }
    if (!graph || irVersion === 0) throw new Error('no ONNX graph found');
    const inputs: TensorSignature[] = [];
    const outputs: TensorSignature[] = [];
    const initializers = new Set<string>();
    const externalFiles = new Set<string>();
    for await (const f of fields(reader, graph.start, graph.start + graph.length)) {
      if (f.number === 11) inputs.push(await readValueInfo(reader, f));
      else if (f.number === 12) outputs.push(await readValueInfo(reader, f));
      else if (f.number === 5) {
        const { name, location } = await initializerInfo(reader, f);
        if (name) initializers.add(name);
        if (location) externalFiles.add(location);
      }
    }
    // Before IR version 4 initializers were also listed as graph inputs; onnxruntime does not report them.
    const graphInputs = inputs.filter((i) => !initializers.has(i.name));
    return { irVersion, producer, opsets, inputs: graphInputs, outputs, externalFiles: [...externalFiles] };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${file} is not a readable ONNX model: ${describeError(error)}`, { cause: error });
  } finally {
    await handle.close();
  }
}
