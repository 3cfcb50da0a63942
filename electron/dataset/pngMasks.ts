/** PNG encoding of masks and label maps (sharp): 8-bit or 16-bit single-channel grey. */
import sharp from 'sharp';

/** Grey PNG of `values` (row-major, width × height): 8-bit for a Uint8Array, 16-bit for a Uint16Array. */
export async function greyPng(
  values: Uint8Array | Uint16Array,
  width: number,
  height: number,
): Promise<Buffer> {
  const image = sharp(values, { raw: { width, height, channels: 1 } });
  return (values instanceof Uint16Array ? image.toColourspace('grey16') : image.toColourspace('b-w'))
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
}

/** Read back a grey PNG written by {@link greyPng} (tests, tools): values and size. */
export async function readGreyPng(
  file: string | Buffer,
): Promise<{ values: Uint8Array | Uint16Array; width: number; height: number }> {
  const meta = await sharp(file).metadata();
  if (meta.depth === 'ushort') {
    const { data, info } = await sharp(file)
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    return {
      values: new Uint16Array(data.buffer, data.byteOffset, data.length / 2).slice(),
      width: info.width,
      height: info.height,
    };
  }
  const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { values: new Uint8Array(data), width: info.width, height: info.height };
}
