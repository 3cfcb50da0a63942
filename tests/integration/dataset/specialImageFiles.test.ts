/**
 * Image paths that are not regular files (issue 18): a `.png` symlink to /dev/zero or /dev/null and a FIFO are
 * refused by name wherever an image is read — added to a project, imported from COCO, encoded, served or
 * thumbnailed — instead of reading forever or hanging. A hang fails through the per-test timeout.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { addImagesFromFolder } from '../../../electron/dataset/addImages.ts';
import { importCoco } from '../../../electron/dataset/importCoco.ts';
import { decodeImage } from '../../../electron/inference/imageLoader.ts';
import { ThumbnailCache, displayImage } from '../../../electron/serve/images.ts';
import { countImages } from '../../../electron/store/images.ts';
import { newProject, tempDir, writeImage } from '../../helpers/projects.ts';

const HANG = 15_000;

/** A folder with good.png, zero.png → /dev/zero, null.png → /dev/null and a FIFO pipe.png. */
async function specialFolder(): Promise<{ dir: string; images: string; file: (name: string) => string }> {
  const dir = tempDir();
  const images = path.join(dir, 'images');
  const file = (name: string) => path.join(images, name);
  await writeImage(file('good.png'), 10, 8, 1);
  symlinkSync('/dev/zero', file('zero.png'));
  symlinkSync('/dev/null', file('null.png'));
  execFileSync('mkfifo', [file('pipe.png')]);
  return { dir, images, file };
}

describe.skipIf(process.platform === 'win32')('image paths that are not regular files', () => {
  it(
    'are listed as unreadable by name when a folder is added; the good image is added',
    async () => {
      const { dir, images, file } = await specialFolder();
      const project = newProject(dir);
      const report = await addImagesFromFolder(project, images);
      expect(report.added.map((a) => a.file)).toEqual([file('good.png')]);
      expect(report.unreadable).toEqual([
        { file: file('null.png'), reason: 'not a regular file (a character device)' },
        { file: file('pipe.png'), reason: 'not a regular file (a FIFO)' },
        { file: file('zero.png'), reason: 'not a regular file (a character device)' },
      ]);
      expect(countImages(project.reader)).toBe(1);
    },
    HANG,
  );

  it(
    'are flagged with the reason when a COCO file names them',
    async () => {
      const { dir, images, file } = await specialFolder();
      const names = ['good.png', 'pipe.png', 'zero.png', 'null.png'];
      const coco = {
        images: names.map((name, i) => ({ id: i + 1, file_name: name, width: 10, height: 8 })),
        categories: [{ id: 1, name: 'thing' }],
        annotations: [],
      };
      const json = path.join(dir, 'coco.json');
      writeFileSync(json, JSON.stringify(coco));
      const report = await importCoco(newProject(dir), json, { author: 'a', imagesRoot: images });
      expect(report.images.missing).toEqual([
        { file: file('pipe.png'), problem: 'not a regular file (a FIFO)' },
        { file: file('zero.png'), problem: 'not a regular file (a character device)' },
        { file: file('null.png'), problem: 'not a regular file (a character device)' },
      ]);
    },
    HANG,
  );

  it(
    'are refused by name when decoded for the encoder',
    async () => {
      const { file } = await specialFolder();
      for (const [name, kind] of [
        ['pipe.png', 'a FIFO'],
        ['zero.png', 'a character device'],
      ] as const) {
        await expect(decodeImage(file(name))).rejects.toThrow(
          `cannot read image ${file(name)}: not a regular file (${kind})`,
        );
      }
      expect((await decodeImage(file('good.png'))).width).toBe(10);
    },
    HANG,
  );

  it(
    'are refused by name when served or thumbnailed; a folder too',
    async () => {
      const { file } = await specialFolder();
      const thumbs = new ThumbnailCache();
      for (const [name, kind] of [
        ['pipe.png', 'a FIFO'],
        ['zero.png', 'a character device'],
        ['pipe.tif', 'a FIFO'],
      ] as const) {
        if (name === 'pipe.tif') execFileSync('mkfifo', [file(name)]);
        const message = `cannot read image ${file(name)}: not a regular file (${kind})`;
        await expect(displayImage(file(name))).rejects.toThrow(message);
        await expect(thumbs.get(file(name))).rejects.toThrow(message);
      }
      mkdirSync(file('folder.png'));
      await expect(displayImage(file('folder.png'))).rejects.toThrow('not a regular file (a directory)');
      const good = await displayImage(file('good.png'));
      expect(good.type).toBe('image/png');
      expect((await thumbs.get(file('good.png'))).type).toBe('image/jpeg');
    },
    HANG,
  );

  it('a PNG whose header claims more than 500 MP is refused by name when thumbnailed or transcoded', async () => {
    const dir = tempDir();
    for (const name of ['bomb.png', 'bomb.tif']) {
      const file = path.join(dir, name);
      writeFileSync(file, pngHeaderOnly(30_000, 20_000));
      const refused = new RegExp(`^cannot decode image ${file}: .*pixel limit`);
      await expect(new ThumbnailCache().get(file)).rejects.toThrow(refused);
      if (name.endsWith('.tif')) await expect(displayImage(file)).rejects.toThrow(refused);
    }
  });
});

/** A PNG with a real IHDR for width × height (8-bit grey) and one tiny IDAT: decoders see the size first. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
