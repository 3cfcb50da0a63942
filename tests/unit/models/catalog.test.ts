/**
 * The catalog's shape (issue 14 §2): every entry names its family, layout, licence and files; the SAM 2.1 sizes
 * come both as Meta's checkpoint (converted by export_sam2.py) and as a published layout-A ONNX pair.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG, findCatalogEntry } from '../../../electron/models/catalog.ts';
import { converterForType } from '../../../electron/models/families.ts';
import { planFromCatalog } from '../../../electron/models/install.ts';

const SIZES = ['tiny', 'small', 'base_plus', 'large'] as const;

describe('the model catalog', () => {
  it('has unique names, and every entry a family, licence, source and sized files', () => {
    expect(new Set(CATALOG.map((e) => e.name)).size).toBe(CATALOG.length);
    for (const e of CATALOG) {
      expect(['sam', 'sam2.1']).toContain(e.family);
      expect(e.license).toBeTruthy();
      expect(e.source).toMatch(/^https:\/\//);
      expect(e.files.length).toBeGreaterThan(0);
      for (const f of e.files) {
        expect(f.url).toMatch(/^https:\/\//);
        expect(f.approxBytes).toBeGreaterThan(1e6);
      }
      if (e.kind === 'checkpoint') expect(() => converterForType(e.modelType ?? '')).not.toThrow();
    }
  });

  it.each(SIZES)('SAM 2.1 %s: Meta checkpoint converted by export_sam2.py', (size) => {
    const e = findCatalogEntry(`sam2.1-hiera-${size.replace('_', '-')}`)!;
    expect(e).toMatchObject({
      kind: 'checkpoint',
      family: 'sam2.1',
      license: 'Apache-2.0',
      layout: 'sam-annotate',
    });
    expect(e.files).toEqual([
      expect.objectContaining({
        path: `sam2.1_hiera_${size}.pt`,
        url: `https://dl.fbaipublicfiles.com/segment_anything_2/092824/sam2.1_hiera_${size}.pt`,
        sha256: null,
        md5: null,
      }),
    ]);
    expect(path.basename(converterForType(e.modelType!).script)).toBe('export_sam2.py');
    expect(planFromCatalog(e, 'x', [])).toMatchObject({ kind: 'checkpoint', modelType: e.modelType });
  });

  it.each(SIZES)(
    'SAM 2.1 %s: a published samexporter ONNX pair, unverified, named as the folder wants',
    (size) => {
      const e = findCatalogEntry(`sam2.1-hiera-${size.replace('_', '-')}-onnx`)!;
      expect(e).toMatchObject({
        kind: 'onnx',
        family: 'sam2.1',
        license: 'Apache-2.0',
        layout: 'sam2-samexporter',
      });
      expect(e.files.map((f) => [f.path, f.url, f.sha256])).toEqual([
        [
          'encoder.onnx',
          `https://github.com/CVHub520/X-AnyLabeling/releases/download/v2.5.0/sam2.1_hiera_${size}.encoder.onnx`,
          null,
        ],
        [
          'decoder.onnx',
          `https://github.com/CVHub520/X-AnyLabeling/releases/download/v2.5.0/sam2.1_hiera_${size}.decoder.onnx`,
          null,
        ],
      ]);
      // Larger models download more: the listing's sizes are in the order of the architectures.
      expect(e.files[0]!.approxBytes).toBeGreaterThan(e.files[1]!.approxBytes);
    },
  );

  it('lists the SAM 2.1 sizes smallest first', () => {
    const bytes = SIZES.map((s) =>
      findCatalogEntry(`sam2.1-hiera-${s.replace('_', '-')}`)!.files.reduce((a, f) => a + f.approxBytes, 0),
    );
    expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
  });
});
