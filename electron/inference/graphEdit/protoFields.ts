/**
 * The protobuf wire format as far as an ONNX graph edit needs it (issue 16): split a message into its fields,
 * read a field's strings and sub-messages, and write a message back from the raw bytes of the fields kept. Fields
 * are never re-encoded, so everything an edit does not touch (weights, attributes, fields this code does not
 * know) stays byte for byte what the exporter wrote.
 */

export const WIRE_VARINT = 0;
export const WIRE_64 = 1;
export const WIRE_LEN = 2;
export const WIRE_32 = 5;

/** One field of a message: its number, wire type, and where its bytes lie in the buffer. */
export interface Field {
  readonly number: number;
  readonly wire: number;
  /** The whole field (tag, length if any, payload): what to copy to keep it. */
  readonly start: number;
  readonly end: number;
  /** The payload: a length-delimited field's bytes, or a varint's value. */
  readonly payloadStart: number;
  readonly value: number;
}

/** A malformed or unsupported graph: the caller keeps the unedited file. */
export class GraphEditError extends Error {}

function varint(buf: Uint8Array, pos: number, end: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < end && i < pos + 10; i++) {
    const byte = buf[i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return { value, next: i + 1 };
  }
  throw new GraphEditError(`bad varint at byte ${pos}`);
}

/** The fields of the message in `buf[start, end)`, in file order. */
export function fieldsOf(buf: Uint8Array, start = 0, end = buf.length): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const tag = varint(buf, pos, end);
    const number = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    let payloadStart = tag.next;
    let value = 0;
    let next: number;
    if (wire === WIRE_VARINT) {
      const v = varint(buf, tag.next, end);
      value = v.value;
      next = v.next;
    } else if (wire === WIRE_64) next = tag.next + 8;
    else if (wire === WIRE_32) next = tag.next + 4;
    else if (wire === WIRE_LEN) {
      const length = varint(buf, tag.next, end);
      payloadStart = length.next;
      value = length.value;
      next = length.next + length.value;
    } else throw new GraphEditError(`unsupported wire type ${wire} at byte ${pos}`);
    if (number === 0 || next > end) throw new GraphEditError(`truncated field at byte ${pos}`);
    out.push({ number, wire, start: pos, end: next, payloadStart, value });
    pos = next;
  }
  return out;
}

/** The payload of a length-delimited field as its own (start, end) range. */
export function payload(field: Field): { start: number; end: number } {
  if (field.wire !== WIRE_LEN) throw new GraphEditError(`field ${field.number} is not length-delimited`);
  return { start: field.payloadStart, end: field.end };
}

const utf8 = new TextDecoder();

export function stringOf(buf: Uint8Array, field: Field): string {
  const { start, end } = payload(field);
  return utf8.decode(buf.subarray(start, end));
}

function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field `number` holding `body` (raw bytes). */
export function lengthField(number: number, body: Uint8Array): Uint8Array {
  const head = [...encodeVarint(number * 8 + WIRE_LEN), ...encodeVarint(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** The bytes of `fields` of `buf`, concatenated in order (with `replace` swapped in for chosen fields). */
export function joinFields(
  buf: Uint8Array,
  fields: readonly Field[],
  replace: ReadonlyMap<Field, Uint8Array> = new Map(),
): Uint8Array {
  let length = 0;
  for (const f of fields) length += replace.get(f)?.length ?? f.end - f.start;
  const out = new Uint8Array(length);
  let at = 0;
  for (const f of fields) {
    const bytes = replace.get(f) ?? buf.subarray(f.start, f.end);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** A varint field `number` holding a non-negative integer. */
export function varintField(number: number, value: number): Uint8Array {
  return Uint8Array.from([...encodeVarint(number * 8 + WIRE_VARINT), ...encodeVarint(value)]);
}

/** A length-delimited field `number` holding a UTF-8 string. */
export function stringField(number: number, text: string): Uint8Array {
  return lengthField(number, new TextEncoder().encode(text));
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
