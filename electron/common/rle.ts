/**
 * COCO run-length encoding, exactly as pycocotools writes and reads it (`common/maskApi.c`).
 *
 * - Runs follow column-major order (down each column, columns left to right), although masks here are row-major.
 * - Runs alternate background / foreground and the first run is background, so a mask whose first pixel is
 *   foreground starts with a run of 0.
 * - `size` is `[height, width]`.
 * - Compressed counts (`rleToString`): each count except the first three is stored as its difference to the count
 *   two places earlier, then written 5 bits at a time, least significant group first, as characters 48 + group,
 *   with 0x20 meaning "more groups follow" and 0x10 in the last group being the sign.
 */

/** A binary mask in the image frame: `data[y * width + x]`, row-major, 1 = foreground, 0 = background. */
export interface BinaryMask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** COCO compressed RLE, as pycocotools' `encode` returns it (with `counts` decoded to a string for JSON). */
export interface Rle {
  size: [height: number, width: number];
  counts: string;
}

/** COCO uncompressed RLE: the run lengths themselves. */
export interface UncompressedRle {
  size: [height: number, width: number];
  counts: number[];
}

/** `[x, y, width, height]` in image pixels. */
export type Bbox = [x: number, y: number, width: number, height: number];

/** Run lengths of a row-major mask in COCO order (pycocotools `rleEncode`). Any non-zero byte is foreground. */
export function encodeCounts(mask: BinaryMask): UncompressedRle {
  const { width: W, height: H, data } = mask;
  if (data.length !== W * H) throw new Error(`mask data has ${data.length} bytes, expected ${W}×${H}`);
  const encoder = new RleRowEncoder(W, H);
  for (let y = 0; y < H; y++) encoder.pushRow(data.subarray(y * W, (y + 1) * W));
  return encoder.finish();
}

/**
 * COCO run lengths of a mask delivered one row at a time, top to bottom, without holding the mask.
 *
 * Walking a row-major mask column by column touches a new cache line per pixel. Instead each row is compared with
 * the row above, in memory order and four bytes at a time, and only the vertical edges (pixels whose class differs
 * from the pixel above) are kept. A counting sort by column (stable, so each column's rows stay ascending) then
 * gives every run boundary in column-major order. Memory: two rows, the first row, and the edges.
 */
export class RleRowEncoder {
  private readonly first: Uint8Array;
  private previous: Uint8Array;
  private current: Uint8Array;
  private previousWords: Uint32Array;
  private currentWords: Uint32Array;
  private readonly perColumn: Int32Array;
  private edgeX = new Int32Array(1024);
  private edgeY = new Int32Array(1024);
  private edges = 0;
  private rows = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    checkSize(height, width);
    const padded = Math.ceil(width / 4) * 4; // own, 4-aligned buffers allow Uint32 views for the comparison
    this.first = new Uint8Array(width);
    this.previous = new Uint8Array(padded);
    this.current = new Uint8Array(padded);
    this.previousWords = new Uint32Array(this.previous.buffer);
    this.currentWords = new Uint32Array(this.current.buffer);
    this.perColumn = new Int32Array(width + 1);
  }

  /** The next row, `width` bytes, any non-zero byte being foreground. The encoder copies it. */
  pushRow(row: Uint8Array): void {
    const W = this.width;
    if (row.length !== W) throw new Error(`row has ${row.length} bytes, expected ${W}`);
    if (this.rows === this.height) throw new Error(`all ${this.height} rows were already pushed`);
    const prev = this.current;
    const cur = this.previous; // recycled: the row two above is no longer needed
    const prevWords = this.currentWords;
    const curWords = this.previousWords;
    this.previous = prev;
    this.current = cur;
    this.previousWords = prevWords;
    this.currentWords = curWords;
    cur.set(row);
    const y = this.rows++;
    if (y === 0) {
      this.first.set(row);
      return;
    }
    const wholeWords = W >> 2;
    for (let w = 0; w < wholeWords; w++) {
      if (curWords[w] === prevWords[w]) continue; // the common case: four pixels equal to those above
      for (let x = w * 4; x < w * 4 + 4; x++) this.compare(cur[x]!, prev[x]!, x, y);
    }
    for (let x = wholeWords * 4; x < W; x++) this.compare(cur[x]!, prev[x]!, x, y);
  }

  /** COCO counts of the pushed rows; all `height` rows must have been pushed. */
  finish(): UncompressedRle {
    const { width: W, height: H, edges, perColumn } = this;
    if (this.rows !== H) throw new Error(`got ${this.rows} of ${H} rows`);
    for (let x = 0; x < W; x++) perColumn[x + 1]! += perColumn[x]!;
    const next = perColumn.slice(0, W);
    const sortedY = new Int32Array(edges);
    for (let e = 0; e < edges; e++) sortedY[next[this.edgeX[e]!]!++] = this.edgeY[e]!;
    // At most one run per edge, one per column top, and the last. Writing into a preallocated array is several
    // times faster than pushing, which matters for noisy masks with millions of runs.
    const counts = new Array<number>(edges + W + 1);
    let n = 0;
    let runStart = 0;
    let previous = false; // value of the last pixel of the previous column; the first run is background
    for (let x = 0; x < W; x++) {
      if ((this.first[x] !== 0) !== previous) {
        counts[n++] = x * H - runStart;
        runStart = x * H;
      }
      for (let e = perColumn[x]!, end = perColumn[x + 1]!; e < end; e++) {
        const p = x * H + sortedY[e]!;
        counts[n++] = p - runStart;
        runStart = p;
      }
      previous = this.current[x] !== 0; // the last row
    }
    counts[n++] = W * H - runStart;
    counts.length = n;
    return { size: [H, W], counts };
  }

  private compare(a: number, b: number, x: number, y: number): void {
    if (a === b || (a === 0) === (b === 0)) return;
    if (this.edges === this.edgeX.length) {
      this.edgeX = grow(this.edgeX);
      this.edgeY = grow(this.edgeY);
    }
    this.edgeX[this.edges] = x;
    this.edgeY[this.edges++] = y;
    this.perColumn[x + 1]!++;
  }
}

/** Compressed COCO RLE of a row-major mask: pycocotools `encode(np.asfortranarray(mask))`. */
export function encodeMask(mask: BinaryMask): Rle {
  return compressRle(encodeCounts(mask));
}

const latin1 = new TextDecoder('latin1');

/** pycocotools `rleToString`. Characters go into bytes, decoded once: faster than growing a string (issue 16). */
export function countsToString(counts: readonly number[]): string {
  // Most runs of a mask take one or two characters; the buffer grows when a mask needs more.
  let out = new Uint8Array(counts.length * 2 + 16);
  let n = 0;
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    if (n + 12 > out.length) {
      const bigger = new Uint8Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    for (;;) {
      let c = x & 0x1f; // low 5 bits of the two's complement, also for negative x
      x = Math.floor(x / 32); // arithmetic shift, exact beyond 32 bits
      const more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out[n++] = c + 48;
      if (!more) break;
    }
  }
  return latin1.decode(out.subarray(0, n));
}

/** pycocotools `rleFrString`, rejecting what it would silently misread. Does not check the sum (see {@link decompressRle}). */
export function countsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let shift = 1; // 32^k
    for (;;) {
      if (p >= s.length)
        throw new Error('RLE counts string ends inside a value (last character has bit 0x20 set)');
      const code = s.charCodeAt(p);
      const c = code - 48;
      if (c < 0 || c > 63)
        throw new Error(
          `RLE counts string has an invalid character ${JSON.stringify(s[p])} at position ${p}; ` +
            "compressed counts use only '0' (48) to 'o' (111)",
        );
      x += (c & 0x1f) * shift;
      shift *= 32;
      p++;
      if (c & 0x20) continue;
      if (c & 0x10) x -= shift; // sign-extend the last group
      break;
    }
    const m = counts.length;
    if (m > 2) x += counts[m - 2]!;
    if (x < 0) throw new Error(`RLE run ${m} has negative length ${x}`);
    counts.push(x);
  }
  return counts;
}

/** Uncompressed → compressed RLE (pycocotools `frPyObjects` on an uncompressed RLE). Validates the counts. */
export function compressRle(rle: UncompressedRle): Rle {
  checkCounts(rle.counts, rle.size);
  return { size: [rle.size[0], rle.size[1]], counts: countsToString(rle.counts) };
}

/** Compressed → uncompressed RLE. Throws if the string is malformed or the runs do not cover `size` exactly. */
export function decompressRle(rle: Rle): UncompressedRle {
  const counts = countsFromString(rle.counts);
  checkCounts(counts, rle.size);
  return { size: [rle.size[0], rle.size[1]], counts };
}

/** Row-major binary mask (0/1) of a compressed or uncompressed RLE, validated. */
export function decodeRle(rle: Rle | UncompressedRle): BinaryMask {
  const counts = validCounts(rle);
  const [H, W] = rle.size;
  const data = new Uint8Array(H * W);
  if (data.length === 0) return { width: W, height: H, data };
  // Write only what changes: row 0 gets each column's first value; below it, a 1 marks a pixel that differs from
  // the pixel above (each run start not at the top of a column). A prefix XOR down the rows, in memory order,
  // then turns these marks into values. Zero-length runs toggle twice at one pixel and so cancel.
  let p = 0;
  for (let j = 0; j < counts.length; j++) {
    const n = counts[j]!;
    const y = p % H;
    if (j > 0 && y !== 0 && p < H * W) data[y * W + (p - y) / H]! ^= 1;
    if (j % 2 === 1) for (let top = Math.ceil(p / H) * H; top < p + n; top += H) data[top / H] = 1;
    p += n;
  }
  if (W % 4 === 0 && H > 1) {
    // Same XOR, four bytes at a time (the fresh buffer is 4-byte aligned).
    const words = new Uint32Array(data.buffer, 0, (H * W) / 4);
    for (let i = W / 4; i < words.length; i++) words[i]! ^= words[i - W / 4]!;
  } else {
    for (let i = W; i < data.length; i++) data[i]! ^= data[i - W]!;
  }
  return { width: W, height: H, data };
}

/** Number of foreground pixels (pycocotools `area`). */
export function rleArea(rle: Rle | UncompressedRle): number {
  const counts = validCounts(rle);
  let area = 0;
  for (let j = 1; j < counts.length; j += 2) area += counts[j]!;
  return area;
}

/** pycocotools `toBbox`: `[x, y, w, h]` of the foreground, with `w = x_max − x_min + 1`; empty → `[0, 0, 0, 0]`. */
export function rleBboxCoco(rle: Rle | UncompressedRle): Bbox {
  const e = foregroundExtent(rle);
  return e ? [e.x0, e.y0, e.x1 - e.x0 + 1, e.y1 - e.y0 + 1] : [0, 0, 0, 0];
}

/**
 * SAM's box (amg.py `batched_mask_to_box` then `box_xyxy_to_xywh`), one pixel narrower than COCO's: inclusive max
 * indices and `w = x_max − x_min`, so a single pixel has w = h = 0. Empty → `[0, 0, 0, 0]`.
 */
export function rleBboxSam(rle: Rle | UncompressedRle): Bbox {
  const e = foregroundExtent(rle);
  return e ? [e.x0, e.y0, e.x1 - e.x0, e.y1 - e.y0] : [0, 0, 0, 0];
}

/** Inclusive pixel bounds of the foreground (as maskApi.c `rleToBbox` finds them), or undefined if empty. */
function foregroundExtent(rle: Rle | UncompressedRle) {
  const counts = validCounts(rle);
  const H = rle.size[0];
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let j = 0, p = 0; j < counts.length; p += counts[j]!, j++) {
    const n = counts[j]!;
    if (j % 2 === 0 || n === 0) continue;
    const first = p;
    const last = p + n - 1;
    const xa = Math.floor(first / H);
    const xb = Math.floor(last / H);
    x0 = Math.min(x0, xa);
    x1 = Math.max(x1, xb);
    if (xa !== xb) {
      // the run wraps from the bottom of one column to the top of the next: every row is covered
      y0 = 0;
      y1 = H - 1;
    } else {
      y0 = Math.min(y0, first - xa * H);
      y1 = Math.max(y1, last - xb * H);
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1, y1 };
}

function validCounts(rle: Rle | UncompressedRle): readonly number[] {
  if (typeof rle.counts === 'string') return decompressRle(rle as Rle).counts;
  checkCounts(rle.counts, rle.size);
  return rle.counts;
}

function checkSize(height: number, width: number): void {
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(width) || height < 0 || width < 0)
    throw new Error(`RLE size must be two non-negative integers [height, width], got [${height}, ${width}]`);
}

function checkCounts(counts: readonly number[], size: readonly [number, number]): void {
  const [H, W] = size;
  checkSize(H, W);
  let total = 0;
  for (let j = 0; j < counts.length; j++) {
    const n = counts[j]!;
    if (!Number.isSafeInteger(n) || n < 0)
      throw new Error(`RLE run ${j} is not a non-negative integer: ${n}`);
    total += n;
  }
  if (total !== H * W)
    throw new Error(`RLE runs sum to ${total} pixels but size [${H}, ${W}] has ${H * W} pixels`);
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
