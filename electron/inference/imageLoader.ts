/**
 * Decode an image file into the RGB pixels SAM sees.
 *
 * - EXIF orientation is applied: coordinates everywhere are pixels of the image as displayed.
 * - Grayscale is replicated to RGB, palette images are expanded, alpha is dropped without compositing (as
 *   PIL's `convert('RGB')`, which Meta's scripts use), CMYK is converted to sRGB.
 * - 16-bit images are reduced to 8 bits by dropping the low byte (v >> 8, libvips' cast). PIL's `convert('RGB')`
 *   would clip 16-bit values to 255 instead, which turns most 16-bit photos white.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { UserError, describeError } from '../common/errors.ts';
import type { Size } from '../common/frames.ts';
import { readImageFile as readBoundedImageFile } from '../node/readImageFile.ts';

export interface DecodedImage extends Size {
  /** Interleaved RGB, row-major, image frame (after EXIF orientation). Length width × height × 3. */
  readonly rgb: Uint8Array;
  /** sha256 of the file's bytes (hex): the image's identity in caches and projects. */
  readonly contentHash: string;
}

/** Largest image we decode: 2^28 pixels (16384²), libvips' default guard against decompression bombs. */
const MAX_PIXELS = 268_402_689;

/** The file's bytes, read with the bounds of `node/readImageFile.ts` (regular files only, size cap; issue 18). */
export async function readImageFile(file: string): Promise<Buffer> {
  return (await readBoundedImageFile(file)).bytes;
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function decodeImage(file: string, bytes?: Buffer): Promise<DecodedImage> {
  const data = bytes ?? (await readImageFile(file));
  try {
    const { data: rgb, info } = await sharp(data, {
      autoOrient: true,
      failOn: 'error',
      limitInputPixels: MAX_PIXELS,
    })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return {
      width: info.width,
      height: info.height,
      rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength),
      contentHash: hashBytes(data),
    };
  } catch (error) {
    throw new UserError(`cannot decode image ${file}: ${describeImageError(error)}`, { cause: error });
  }
}

/** The size of an image as displayed (EXIF orientation applied), without decoding its pixels. */
export async function probeImageSize(file: string, bytes?: Buffer): Promise<Size> {
  const data = bytes ?? (await readImageFile(file));
  try {
    const meta = await sharp(data, { autoOrient: true }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    return { width: meta.autoOrient?.width ?? meta.width, height: meta.autoOrient?.height ?? meta.height };
  } catch (error) {
    throw new UserError(`cannot read image ${file}: ${describeImageError(error)}`, { cause: error });
  }
}

function describeImageError(error: unknown): string {
  const message = describeError(error);
  if (/unsupported image format/i.test(message))
    return 'not an image in a supported format (JPEG, PNG, WebP, TIFF, GIF, AVIF)';
  if (/pixel limit/i.test(message)) return `larger than ${MAX_PIXELS} pixels`;
  return message.replace(/^Input (buffer|file) /, '').replace(/^VipsJpeg: |^pngload_buffer: /, '');
}
