/**
 * The float32 SIMD kernels of rowKernels.wat (issue 16) and the scratch memory they work in: a line of bilinear
 * interpolation, a gather along one axis, and a row's thresholds with their counts. Their arithmetic is IEEE
 * float32, the `Math.fround` arithmetic of maskUpsample.ts bit for bit, ~5× faster on noisy logits where every
 * pixel is computed (a stability count at 1600×1200: 27 → 5.3 ms; automatic mask generation counts every candidate).
 *
 * The kernels read and write only their own memory, so every line they touch is a view from {@link RowScratch};
 * {@link withRowScratch} reserves it for one synchronous computation. One instance per thread (workers each load
 * their own; the module is small and compiles in microseconds).
 */
import { ROW_KERNELS_WASM_BASE64 } from './rowKernelsBinary.ts';

/** The part of the WebAssembly JS API used here (the Node typings, without the DOM lib, do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}

interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  lerp(a: number, wa: number, b: number, wb: number, out: number, n: number): void;
  gather(src: number, i0: number, i1: number, w0: number, w1: number, out: number, n: number): void;
  threshold(v: number, n: number, thr: number, hi: number, lo: number, fg: number, counts: number): void;
}

const PAGE = 65536;
const ALIGN = 16;

let loaded: KernelExports | undefined;

function kernels(): KernelExports {
  if (!loaded) {
    const bytes = Uint8Array.from(atob(ROW_KERNELS_WASM_BASE64), (c) => c.charCodeAt(0));
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    loaded = new wasm.Instance(new wasm.Module(bytes)).exports as KernelExports;
  }
  return loaded;
}

/** Bytes to reserve for allocations of these byte sizes (each rounded up to the kernels' alignment). */
export function scratchBytes(...sizes: number[]): number {
  return sizes.reduce((sum, n) => sum + Math.ceil(n / ALIGN) * ALIGN, 0);
}

/** Views into the kernels' memory for one computation, taken in order from its reserved bytes. */
export class RowScratch {
  private offset = 0;

  constructor(
    private readonly buffer: ArrayBuffer,
    private readonly end: number,
  ) {}

  floats(n: number): Float32Array {
    return new Float32Array(this.buffer, this.take(4 * n), n);
  }

  ints(n: number): Int32Array {
    return new Int32Array(this.buffer, this.take(4 * n), n);
  }

  bytes(n: number): Uint8Array {
    return new Uint8Array(this.buffer, this.take(n), n);
  }

  private take(size: number): number {
    const at = this.offset;
    this.offset += Math.ceil(size / ALIGN) * ALIGN;
    if (this.offset > this.end)
      throw new Error(`row scratch overflow: ${this.offset} of ${this.end} bytes reserved`);
    return at;
  }
}

let busy = false;

/**
 * Runs `compute` with `bytes` of the kernels' memory (grown first if needed, so no view detaches during it). The
 * views are valid only inside; not re-entrant (one scratch at a time per thread).
 */
export function withRowScratch<T>(bytes: number, compute: (scratch: RowScratch) => T): T {
  if (busy) throw new Error('row kernels are busy: a mask was upsampled from inside another upsampling');
  const { memory } = kernels();
  const missing = Math.ceil((bytes - memory.buffer.byteLength) / PAGE);
  if (missing > 0) memory.grow(missing);
  busy = true;
  try {
    return compute(new RowScratch(memory.buffer, bytes));
  } finally {
    busy = false;
  }
}

/** The pointer of a view, which must lie in the kernels' memory (a plain array would be read as garbage). */
function at(view: Float32Array | Int32Array | Uint8Array): number {
  if (view.buffer !== loaded?.memory.buffer)
    throw new Error('row kernels take views from withRowScratch only');
  return view.byteOffset;
}

/** `out[i] = a[i]·wa + b[i]·wb` for i < n, in float32. */
export function lerpLines(
  a: Float32Array,
  wa: number,
  b: Float32Array,
  wb: number,
  out: Float32Array,
  n: number,
): void {
  loaded!.lerp(at(a), wa, at(b), wb, at(out), n);
}

/** Bilinear taps along one axis: per output, two source indices and their float32 weights. */
export interface Taps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w0: Float32Array;
  readonly w1: Float32Array;
}

/** `out[d] = src[base + i0[d]]·w0[d] + src[base + i1[d]]·w1[d]` for d < n, in float32. */
export function gatherLine(src: Float32Array, base: number, taps: Taps, out: Float32Array, n: number): void {
  loaded!.gather(at(src) + 4 * base, at(taps.i0), at(taps.i1), at(taps.w0), at(taps.w1), at(out), n);
}

/**
 * `foreground[x] = values[x] > thr` for x < n, and into `counts` how many values are > thr, > hi and > lo.
 */
export function thresholdLine(
  values: Float32Array,
  n: number,
  thr: number,
  hi: number,
  lo: number,
  foreground: Uint8Array,
  counts: Int32Array,
): void {
  loaded!.threshold(at(values), n, thr, hi, lo, at(foreground), at(counts));
}
