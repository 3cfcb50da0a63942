/**
 * The serve-mode bridge's message format: JSON for structure, raw bytes for typed arrays, in one body:
 *   "SAMW" · uint32 LE JSON length · JSON · (padding to 8) · the arrays' bytes, each 8-aligned.
 * A typed array in the value becomes {"$typed": kind, "offset": n, "length": count} in the JSON, so masks and
 * previews cross as binary, as they do over Electron IPC (structured clone), never as JSON number arrays.
 */
const MAGIC = [0x53, 0x41, 0x4d, 0x57]; // "SAMW"

const KINDS = {
  Uint8Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
type Kind = keyof typeof KINDS;
type Typed = InstanceType<(typeof KINDS)[Kind]>;

function kindOf(value: unknown): Kind | undefined {
  for (const kind of Object.keys(KINDS) as Kind[]) if (value instanceof KINDS[kind]) return kind;
  return undefined;
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeWire(value: unknown): Uint8Array {
  const arrays: Typed[] = [];
  let offset = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    const kind = kindOf(v);
    if (!kind) return v;
    const typed = v as Typed;
    arrays.push(typed);
    const entry = { $typed: kind, offset, length: typed.length };
    offset = align8(offset + typed.byteLength);
    return entry;
  });
  const text = new TextEncoder().encode(json ?? 'null');
  const head = align8(8 + text.length);
  const out = new Uint8Array(head + offset);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, text.length, true);
  out.set(text, 8);
  let at = head;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = align8(at + a.byteLength);
  }
  return out;
}

export function decodeWire(bytes: Uint8Array): unknown {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m))
    throw new Error('not a SAM Annotate wire message');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + length > bytes.length) throw new Error('truncated wire message');
  const json = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  const head = align8(8 + length);
  return JSON.parse(json, (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || !('$typed' in v)) return v;
    const { $typed, offset, length: count } = v as { $typed: Kind; offset: number; length: number };
    const Ctor = KINDS[$typed];
    if (!Ctor) throw new Error(`unknown typed array kind ${String($typed)}`);
    const start = head + offset;
    const byteLength = count * Ctor.BYTES_PER_ELEMENT;
    if (start + byteLength > bytes.length) throw new Error('truncated wire message');
    // Copy into an aligned buffer of its own (the body's offset may not be aligned for the element size).
    const copy = new Uint8Array(byteLength);
    copy.set(bytes.subarray(start, start + byteLength));
    return new Ctor(copy.buffer);
  });
}

/** An error as it crosses a bridge: the message, and whether it is the user's to fix (no stack then). */
export interface WireError {
  readonly message: string;
  readonly userError: boolean;
}
