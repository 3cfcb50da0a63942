/**
 * Image bytes for the browser: the original file when browsers can show it (they apply EXIF orientation, as the
 * backend does), a PNG transcode otherwise (TIFF, 16-bit…), and small JPEG thumbnails, cached in memory.
 * Files are read through the bounded reader and sharp gets the bytes, with a pixel limit (issue 18).
 */
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { UserError, describeError } from '../common/errors.ts';
import { MAX_IMAGE_PIXELS } from '../common/imageLimits.ts';
import { readImageFile, statImageFile } from '../node/readImageFile.ts';

const BROWSER_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
};

export interface ImageBytes {
  readonly type: string;
  readonly body: Buffer;
}

export async function displayImage(file: string): Promise<ImageBytes> {
  const { bytes } = await readImageFile(file);
  const type = BROWSER_TYPES[path.extname(file).toLowerCase()];
  if (type) return { type, body: bytes };
  // autoOrient bakes the EXIF orientation in, since the PNG will carry none.
  return { type: 'image/png', body: await transcode(file, bytes, (image) => image.png()) };
}

async function transcode(file: string, bytes: Buffer, to: (image: Sharp) => Sharp): Promise<Buffer> {
  try {
    return await to(sharp(bytes, { autoOrient: true, limitInputPixels: MAX_IMAGE_PIXELS })).toBuffer();
  } catch (error) {
    throw new UserError(`cannot decode image ${file}: ${describeError(error)}`, { cause: error });
  }
}

const THUMB_SIDE = 256;
const THUMB_CACHE = 2000;

export class ThumbnailCache {
  private readonly entries = new Map<string, Buffer>();

  async get(file: string): Promise<ImageBytes> {
    const { mtimeMs, size } = await statImageFile(file);
    const key = `${file}\0${mtimeMs}\0${size}`;
    let body = this.entries.get(key);
    if (!body) {
      const { bytes } = await readImageFile(file);
      body = await transcode(file, bytes, (image) =>
        image
          .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true })
          .jpeg({ quality: 80 }),
      );
      this.entries.set(key, body);
      if (this.entries.size > THUMB_CACHE) this.entries.delete(this.entries.keys().next().value!);
    }
    return { type: 'image/jpeg', body };
  }
}
