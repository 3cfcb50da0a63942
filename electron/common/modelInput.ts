/**
 * The image encoder's input, built as Meta's `SamPredictor.set_image` builds it: `ResizeLongestSide.apply_image`
 * (PIL bilinear to the longest side S), then `Sam.preprocess` (normalise with pixel mean/std on the 0–255 scale,
 * then zero-pad bottom/right to S×S).
 */
import { modelFrameFor, type ModelFrame, type Size } from './frames.ts';
import { resizeBilinear } from './pilResize.ts';

/** RGB triple, in the order of the image's channels. */
export type Rgb = readonly [r: number, g: number, b: number];

/** Meta's `pixel_mean` / `pixel_std` for every SAM checkpoint (ImageNet statistics on the 0–255 scale). */
export const SAM_PIXEL_MEAN: Rgb = [123.675, 116.28, 103.53];
export const SAM_PIXEL_STD: Rgb = [58.395, 57.12, 57.375];

/**
 * Resize an RGB image so its longest side is `inputSize`, with Meta's rounding of the sides and PIL's bilinear
 * filter (byte-exact, see pilResize.ts).
 *
 * @param rgb interleaved RGB, `size.height` rows of `size.width × 3` bytes, in the image frame.
 * @returns the frame (image size → resized size inside the S×S input) and the resized pixels, interleaved RGB
 *   of `frame.resized.height` rows of `frame.resized.width × 3` bytes.
 */
export function resizeLongestSide(
  rgb: Uint8Array,
  size: Size,
  inputSize: number,
): { frame: ModelFrame; resized: Uint8Array } {
  const frame = modelFrameFor(size, inputSize);
  return { frame, resized: resizeBilinear(rgb, size, 3, frame.resized) };
}

/**
 * Normalise and pad the resized image into the encoder's input tensor.
 *
 * Each value is `(x − mean) / std` computed in float32 as PyTorch does for `(uint8 tensor − float32 buffer) /
 * float32 buffer`: mean and std are rounded to float32, then the subtraction and the division are each rounded
 * to float32. Padding (x ≥ resized width or y ≥ resized height) is 0, because Meta pads after normalising.
 *
 * @param resized interleaved RGB of `frame.resized` (as returned by {@link resizeLongestSide}).
 * @returns float32 tensor of shape [1, 3, S, S], planar (CHW): index `(c · S + y) · S + x`, model frame.
 */
export function toModelInput(
  resized: Uint8Array,
  frame: ModelFrame,
  pixelMean: Rgb = SAM_PIXEL_MEAN,
  pixelStd: Rgb = SAM_PIXEL_STD,
): Float32Array {
  const S = frame.inputSize;
  const { width, height } = frame.resized;
  if (width > S || height > S) throw new Error(`resized image ${width}×${height} does not fit in ${S}×${S}`);
  if (resized.length !== width * height * 3)
    throw new Error(`resized image has ${resized.length} bytes, expected ${width}×${height}×3`);
  const out = new Float32Array(3 * S * S);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(pixelMean[c]!);
    const std = Math.fround(pixelStd[c]!);
    // Only 256 possible inputs per channel: a table gives the same float32 values as computing each pixel.
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = Math.fround(v - mean) / std;
    const plane = c * S * S;
    for (let y = 0; y < height; y++) {
      const o = plane + y * S;
      for (let x = 0, i = y * width * 3 + c; x < width; x++, i += 3) out[o + x] = table[resized[i]!]!;
    }
  }
  return out;
}
