/**
 * What every SAM 1 layout shares (issue 14): Meta's preprocessing (`ResizeLongestSide` with PIL-exact bilinear,
 * normalise on the 0–255 scale, zero-pad to S×S; a 'longest-side' frame) and Meta's mask postprocessing
 * (`Sam.postprocess_masks`: upsample to the padded S×S, crop the resized image, resize to H×W). The layouts
 * differ only in graph names and prompt encoding.
 */
import { upsampleMask, upsampleMaskCounts, upsampleMaskToRle } from '../../common/maskUpsample.ts';
import {
  type Rgb,
  SAM_PIXEL_MEAN,
  SAM_PIXEL_STD,
  resizeLongestSide,
  toModelInput,
} from '../../common/modelInput.ts';
import type { ModelFrame } from '../../common/frames.ts';
import type { ModelManifest } from '../manifest.ts';
import type { MaskPostprocess, ModelGeometry, TensorSpec } from './layout.ts';

export interface Sam1Normalization {
  readonly pixelMean: Rgb;
  readonly pixelStd: Rgb;
}

/** The manifest's pixel statistics, or Meta's (every SAM checkpoint's). */
export function sam1Normalization(manifest: ModelManifest | undefined): Sam1Normalization {
  return {
    pixelMean: manifest?.pixel_mean ?? SAM_PIXEL_MEAN,
    pixelStd: manifest?.pixel_std ?? SAM_PIXEL_STD,
  };
}

/**
 * Meta's `SamPredictor.set_image` up to the encoder: the planar float32 [1, 3, S, S] input (model frame) and
 * the 'longest-side' frame of the image.
 * @param rgb interleaved RGB, `height` rows of `width × 3` bytes, image frame.
 */
export function sam1ModelInput(
  rgb: Uint8Array,
  width: number,
  height: number,
  inputSize: number,
  norm: Sam1Normalization,
): { input: Float32Array; frame: ModelFrame } {
  const { frame, resized } = resizeLongestSide(rgb, { width, height }, inputSize);
  return { input: toModelInput(resized, frame, norm.pixelMean, norm.pixelStd), frame };
}

/** An image embedding [1, C, g, g] as a cached tensor. */
export function embeddingSpec(name: string, g: ModelGeometry): TensorSpec {
  return { name, dims: [1, g.channels, g.grid, g.grid], dtype: 'float32' };
}

function requireLongestSide(frame: ModelFrame): void {
  if (frame.kind !== 'longest-side')
    throw new Error(`SAM 1 postprocessing needs a 'longest-side' frame, got '${frame.kind}'`);
}

/** Meta's `Sam.postprocess_masks` + threshold (maskUpsample.ts), for 'longest-side' frames. */
export const SAM1_POSTPROCESS: MaskPostprocess = {
  toMask(lowRes, frame, options) {
    requireLongestSide(frame);
    return upsampleMask(lowRes, frame, options);
  },
  toRle(lowRes, frame, options) {
    requireLongestSide(frame);
    return upsampleMaskToRle(lowRes, frame, options);
  },
  toCounts(lowRes, frame, options) {
    requireLongestSide(frame);
    return upsampleMaskCounts(lowRes, frame, options);
  },
};
