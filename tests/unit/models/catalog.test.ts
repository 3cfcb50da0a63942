/**
 * The catalog's shape (issue 14 §2): every entry names its family, layout, licence and files; the SAM 2.1 sizes
 * come both as Meta's checkpoint (converted by export_sam2.py) and as a published layout-A ONNX pair. Issue 15:
 * the CPU models, each with a registered layout, https URLs, safe distinct paths and counted compute.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYOUTS, type LayoutKind } from '../../../electron/inference/layouts/registry.ts';
import {
  CATALOG,
  type CatalogEntry,
  catalogEntryProblems,
  findCatalogEntry,
} from '../../../electron/models/catalog.ts';
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

describe('every catalog entry (issue 15)', () => {
  it.each(CATALOG.map((e) => [e.name, e] as const))(
    '%s: a registered layout, https URLs, safe paths',
    (_, e) => {
      expect(catalogEntryProblems(e)).toEqual([]);
      expect(LAYOUTS.map((l) => l.kind)).toContain(e.layout);
      expect(e.gmacs.encoder).toBeGreaterThan(0);
      expect(e.gmacs.decoder).toBeGreaterThan(0);
      expect([1, 2, 3, 4, 5]).toContain(e.quality);
    },
  );

  it('names and staging paths are unique, and the CPU models of issue 15 are listed', () => {
    expect(new Set(CATALOG.map((e) => e.name)).size).toBe(CATALOG.length);
    for (const e of CATALOG) expect(new Set(e.files.map((f) => f.path)).size).toBe(e.files.length);
    const names = CATALOG.map((e) => e.name);
    for (const name of [
      'mobile-sam',
      'edgesam',
      'edgesam-3x',
      'efficientvit-sam-l0',
      'efficientvit-sam-l1',
      'mobile-sam-int8',
      'sam-vit-b-xany',
      'sam-vit-b-int8',
      'sam-vit-l-xany',
      'sam-vit-l-xany-int8',
      'sam-vit-h-xany-int8',
    ])
      expect(names).toContain(name);
  });

  it("estimates EfficientViT-SAM's speed from the authors' MAC counts, not from the simpler reference's", () => {
    // count_macs.py's reference uses plain MBConv stages: 2.5-3x the published counts (compute.ts).
    expect(findCatalogEntry('efficientvit-sam-l0')!.gmacs.encoder).toBe(35);
    expect(findCatalogEntry('efficientvit-sam-l1')!.gmacs.encoder).toBe(49);
  });

  it('the published pairs are layouts that really match their exporters', () => {
    expect(findCatalogEntry('mobile-sam')).toMatchObject({ kind: 'onnx', layout: 'preprocess-in-graph' });
    expect(findCatalogEntry('efficientvit-sam-l0')!.layout).toBe('preprocess-in-graph');
    expect(findCatalogEntry('edgesam')!.layout).toBe('edgesam');
    // AnyLabeling's zip: one verified archive whose root members become the folder's pair.
    expect(findCatalogEntry('sam-vit-b-int8')).toMatchObject({
      kind: 'archive',
      layout: 'preprocess-in-graph',
      files: [
        {
          path: 'sam_vit_b_01ec64_quant.zip',
          url: 'https://huggingface.co/vietanhdev/segment-anything-onnx-models/resolve/main/sam_vit_b_01ec64_quant.zip',
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          members: [
            { member: 'sam_vit_b_01ec64.encoder.quant.onnx', path: 'encoder.onnx' },
            { member: 'sam_vit_b_01ec64.decoder.quant.onnx', path: 'decoder.onnx' },
          ],
        },
      ],
    });
    expect(findCatalogEntry('sam-vit-l-xany-int8')!.files.map((f) => path.posix.basename(f.url))).toEqual([
      'sam_vit_l_0b3195.encoder.quant.onnx',
      'sam_vit_l_0b3195.decoder.quant.onnx',
    ]);
    // Faster architectures count fewer multiply-accumulates per encode.
    const encode = (name: string) => findCatalogEntry(name)!.gmacs.encoder;
    expect(encode('edgesam')).toBeLessThan(encode('mobile-sam'));
    expect(encode('mobile-sam')).toBeLessThan(encode('sam-vit-b'));
    expect(encode('sam-vit-b')).toBeLessThan(encode('sam-vit-l'));
    expect(encode('sam-vit-l')).toBeLessThan(encode('sam-vit-h'));
  });

  describe('catalogEntryProblems finds what a bad entry gets wrong', () => {
    const base = findCatalogEntry('mobile-sam')!;
    const archive = (members: CatalogEntry['files'][number]['members']): CatalogEntry => ({
      ...base,
      kind: 'archive',
      files: [{ ...base.files[0]!, path: 'model.zip', members }],
    });

    it.each<[string, CatalogEntry, RegExp]>([
      [
        'an unknown layout',
        { ...base, layout: 'nope' as LayoutKind },
        /layout nope is not a registered layout/,
      ],
      [
        'a plain-http URL',
        { ...base, files: [{ ...base.files[0]!, url: 'http://example.com/a.onnx' }] },
        /not an https URL/,
      ],
      ['zero compute', { ...base, gmacs: { encoder: 0, decoder: 1 } }, /gmacs must be positive/],
      [
        'two files to one path',
        { ...base, files: [base.files[0]!, { ...base.files[1]!, path: 'encoder.onnx' }] },
        /encoder\.onnx appears twice/,
      ],
      [
        'archive members to one path',
        archive([
          { member: 'a/x.encoder.onnx', path: 'encoder.onnx' },
          { member: 'a/y.encoder.onnx', path: 'encoder.onnx' },
        ]),
        /two members are extracted to encoder\.onnx/,
      ],
      [
        'an archive member written outside the folder',
        archive([{ member: 'a/x.onnx', path: '../x.onnx' }]),
        /has a "\.\." path segment/,
      ],
      ['an archive without members', archive([]), /one file with members/],
    ])('%s', (_, entry, problem) => {
      expect(catalogEntryProblems(entry).join('; ')).toMatch(problem);
    });

    it('a well-formed archive entry has none', () => {
      const ok = archive([
        { member: 'm/mobile_sam.encoder.onnx', path: 'encoder.onnx' },
        { member: 'm/sam_vit_h_4b8939.decoder.onnx', path: 'decoder.onnx' },
      ]);
      expect(catalogEntryProblems(ok)).toEqual([]);
      expect(planFromCatalog(ok, 'x', [])).toMatchObject({
        kind: 'archive',
        files: [{ path: 'model.zip', members: ok.files[0]!.members }],
      });
    });
  });
});
