/** SAM_ANNOTATE_MODEL_MIRROR (issue 15): catalog file URLs become `${mirror}/${entry.name}/${file.path}`. */
import { describe, expect, it } from 'vitest';
import { findCatalogEntry } from '../../../electron/models/catalog.ts';
import { planFromCatalog } from '../../../electron/models/install.ts';
import { catalogFileUrl, modelMirror } from '../../../electron/models/mirror.ts';

describe('the model mirror', () => {
  const published = 'https://github.com/x/y/releases/download/v1/a.encoder.onnx';

  it('leaves the published URL when the variable is unset or blank', () => {
    expect(catalogFileUrl('m', 'encoder.onnx', published, {})).toBe(published);
    expect(catalogFileUrl('m', 'encoder.onnx', published, { SAM_ANNOTATE_MODEL_MIRROR: '  ' })).toBe(
      published,
    );
  });

  it('maps to <mirror>/<entry name>/<file path>, one slash between, path segments escaped', () => {
    const env = { SAM_ANNOTATE_MODEL_MIRROR: 'http://127.0.0.1:8080/models//' };
    expect(catalogFileUrl('mobile-sam', 'encoder.onnx', published, env)).toBe(
      'http://127.0.0.1:8080/models/mobile-sam/encoder.onnx',
    );
    expect(catalogFileUrl('slimsam-77', 'onnx/vision encoder.onnx', published, env)).toBe(
      'http://127.0.0.1:8080/models/slimsam-77/onnx/vision%20encoder.onnx',
    );
  });

  it('refuses a value that is not an http(s) URL, naming the variable', () => {
    expect(() => modelMirror({ SAM_ANNOTATE_MODEL_MIRROR: 'models' })).toThrow(
      'SAM_ANNOTATE_MODEL_MIRROR="models" is not a URL',
    );
    expect(() => modelMirror({ SAM_ANNOTATE_MODEL_MIRROR: 'file:///srv' })).toThrow(/expected an http/);
  });

  it('planFromCatalog uses it for every file of an entry', () => {
    const before = process.env.SAM_ANNOTATE_MODEL_MIRROR;
    process.env.SAM_ANNOTATE_MODEL_MIRROR = 'https://mirror.example/sam';
    try {
      const plan = planFromCatalog(findCatalogEntry('edgesam')!, 'e', []);
      expect(plan.files.map((f) => f.url)).toEqual([
        'https://mirror.example/sam/edgesam/encoder.onnx',
        'https://mirror.example/sam/edgesam/decoder.onnx',
      ]);
    } finally {
      if (before === undefined) delete process.env.SAM_ANNOTATE_MODEL_MIRROR;
      else process.env.SAM_ANNOTATE_MODEL_MIRROR = before;
    }
  });
});
