/** decodeImage on the loader fixtures (tests/fixtures/images/README.md says what each must decode to). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, probeImageSize } from '../../../electron/inference/imageLoader.ts';
import { fixturesDir } from '../../helpers/paths.ts';

const file = (name: string) => path.join(fixturesDir, 'images', name);

function pixel(image: { width: number; rgb: Uint8Array }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [...image.rgb.subarray(i, i + 3)];
}

function near(actual: number[], expected: number[], tolerance: number): void {
  actual.forEach((v, i) =>
    expect(Math.abs(v - expected[i]!), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance),
  );
}

describe('decodeImage', () => {
  it('applies EXIF orientation (6 = rotate 90° clockwise)', async () => {
    const image = await decodeImage(file('exif-orientation-6.jpg'));
    expect([image.width, image.height]).toEqual([24, 40]);
    expect(await probeImageSize(file('exif-orientation-6.jpg'))).toEqual({ width: 24, height: 40 });
    near(pixel(image, 6, 10), [0, 0, 255], 8); // top-left blue
    near(pixel(image, 18, 10), [255, 0, 0], 8); // top-right red
    near(pixel(image, 6, 30), [255, 255, 255], 8); // bottom-left white
    near(pixel(image, 18, 30), [0, 255, 0], 8); // bottom-right green
  });

  it('replicates greyscale into RGB', async () => {
    const image = await decodeImage(file('gray.png'));
    for (const x of [0, 13, 39])
      expect(pixel(image, x, 5)).toEqual(Array(3).fill(Math.floor((x * 255) / 39)));
  });

  it('drops alpha without compositing', async () => {
    const image = await decodeImage(file('rgba.png'));
    expect(pixel(image, 5, 5)).toEqual([200, 100, 50]);
    expect(pixel(image, 35, 5)).toEqual([200, 100, 50]);
  });

  it('expands palette images', async () => {
    const image = await decodeImage(file('palette.png'));
    expect([pixel(image, 10, 6), pixel(image, 30, 6), pixel(image, 10, 18), pixel(image, 30, 18)]).toEqual([
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 255],
    ]);
  });

  it('reduces 16-bit images to their high byte (not clipped to white as PIL would)', async () => {
    const rgb = await decodeImage(file('rgb16.png'));
    expect([pixel(rgb, 10, 6), pixel(rgb, 30, 6), pixel(rgb, 10, 18), pixel(rgb, 30, 18)]).toEqual([
      [128, 64, 32],
      [32, 128, 64],
      [64, 32, 128],
      [250, 250, 250],
    ]);
    const grey = await decodeImage(file('gray16.png'));
    for (const x of [0, 20, 39]) expect(pixel(grey, x, 3)).toEqual(Array(3).fill(Math.floor((x * 255) / 39)));
  });

  it('names the file of a truncated image', async () => {
    await expect(decodeImage(file('truncated.png'))).rejects.toThrow(
      /^cannot decode image .*truncated\.png: /,
    );
  });

  it('hashes the file bytes (the image identity in caches)', async () => {
    const a = await decodeImage(file('gray.png'));
    const b = await decodeImage(file('gray.png'));
    expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.contentHash).toBe(b.contentHash);
  });
});
