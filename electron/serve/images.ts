/**
 * Image bytes for the browser: the original file when browsers can show it (they apply EXIF orientation, as the
 * backend does), a PNG transcode otherwise (TIFF, 16-bit…), and small JPEG thumbnails, cached in memory.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

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
  const type = BROWSER_TYPES[path.extname(file).toLowerCase()];
  if (type) return { type, body: await readFile(file) };
  // autoOrient bakes the EXIF orientation in, since the PNG will carry none.
  return { type: 'image/png', body: await sharp(file, { autoOrient: true }).png().toBuffer() };
}

const THUMB_SIDE = 256;
const THUMB_CACHE = 2000;

export class ThumbnailCache {
  private readonly entries = new Map<string, Buffer>();

  async get(file: string): Promise<ImageBytes> {
    const { mtimeMs, size } = await stat(file);
    const key = `${file}\0${mtimeMs}\0${size}`;
    let body = this.entries.get(key);
    if (!body) {
      body = await sharp(file, { autoOrient: true })
        .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 80 })
        .toBuffer();
      this.entries.set(key, body);
      if (this.entries.size > THUMB_CACHE) this.entries.delete(this.entries.keys().next().value!);
    }
    return { type: 'image/jpeg', body };
  }
}
