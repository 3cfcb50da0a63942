import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../electron/inference/manifest.ts';

const valid = {
  format: 'sam-annotate-model',
  format_version: 1,
  name: 'tiny',
  family: 'sam',
  input_size: 256,
  pixel_mean: [123.675, 116.28, 103.53],
  pixel_std: [58.395, 57.12, 57.375],
  files: {
    encoder: {
      path: 'encoder.onnx',
      sha256: 'a'.repeat(64),
      inputs: [{ name: 'image', dtype: 'float32', shape: [1, 3, 256, 256] }],
    },
    decoder: { path: 'decoder.onnx' },
  },
};

function parse(value: unknown) {
  return parseManifest('/m/manifest.json', JSON.stringify(value));
}

describe('parseManifest', () => {
  it('reads a valid manifest', () => {
    const m = parse(valid);
    expect(m.input_size).toBe(256);
    expect(m.files.encoder.inputs?.[0]).toEqual({ name: 'image', type: 'float32', shape: [1, 3, 256, 256] });
    expect(m.demo).toBe(false);
  });

  it('names the file and the JSON path of a bad field', () => {
    expect(() => parse({ ...valid, pixel_std: [1, 2] })).toThrow(
      '/m/manifest.json: $.pixel_std must hold 3 numbers',
    );
    expect(() => parse({ ...valid, input_size: 100 })).toThrow('$.input_size must be a multiple of 16');
    expect(() => parse({ ...valid, files: { ...valid.files, decoder: { path: '../x.onnx' } } })).toThrow(
      '$.files.decoder.path must stay inside the model folder',
    );
    expect(() =>
      parse({ ...valid, files: { ...valid.files, encoder: { path: 'e.onnx', sha256: 'xyz' } } }),
    ).toThrow('$.files.encoder.sha256 must be 64 hex digits');
  });

  it('refuses a manifest from a newer format', () => {
    expect(() => parse({ ...valid, format_version: 2 })).toThrow(/reads up to 1/);
  });

  it('reports malformed JSON with the file name', () => {
    expect(() => parseManifest('/m/manifest.json', '{"name": ')).toThrow(
      /^\/m\/manifest.json: not valid JSON/,
    );
  });
});
