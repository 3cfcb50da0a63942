/**
 * `sam-annotate convert` for SAM 2 / 2.1 (issue 14 §2): a Meta-format SAM 2.1 checkpoint (the conformance data's
 * reduced Hiera-T) goes through native-models/export_sam2.py, with its smoke check, into a folder or the registry;
 * a checkpoint of the other family than --type says in one line which family it is.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.ts';
import { writeTinyCheckpoint } from '../../helpers/models.ts';
import { tempDir } from '../../helpers/projects.ts';

const conformance = '/work/shared/conformance/sam2';
const checkpoint = path.join(conformance, 'sam2.1_test.pt');
const config = path.join(conformance, 'sam2.1_test.json');
const haveConformance = existsSync(checkpoint) && existsSync(config);

/** Exporting and smoke-checking even the reduced Hiera-T takes a minute on a busy 2-core machine. */
const CONVERT_MS = 300_000;

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';
const manifestOf = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;

describe.skipIf(!haveConformance)(
  'convert a SAM 2.1 checkpoint (needs /work/shared/conformance/sam2: absent here)',
  () => {
    it(
      'writes a smoke-checked SAM 2.1 folder',
      () => {
        const dir = tempDir('sam2-convert-');
        const out = path.join(dir, 'out');
        const r = cli(['convert', '--checkpoint', checkpoint, '--config', config, '--out', out], {
          SAM_ANNOTATE_DATA: path.join(dir, 'data'),
        });
        expect(r.stderr).toContain('wrote model folder');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/smoke run passed/);
        const manifest = manifestOf(out);
        expect(manifest.family).toBe('sam2.1');
        expect(manifest.layout).toBe('sam-annotate');
        expect(existsSync(path.join(out, 'encoder.onnx'))).toBe(true);
        expect(existsSync(path.join(out, 'decoder.onnx'))).toBe(true);
      },
      CONVERT_MS,
    );

    it(
      'installs into the registry in the layout asked for, and models list names its family',
      () => {
        const dir = tempDir('sam2-install-');
        const env = {
          SAM_ANNOTATE_DATA: path.join(dir, 'data'),
          SAM_ANNOTATE_CACHE: path.join(dir, 'cache'),
        };
        const r = cli(
          [
            'convert',
            '--checkpoint',
            checkpoint,
            '--config',
            config,
            '--layout',
            'samexporter',
            '--install',
            'my-sam2',
            '--no-smoke',
          ],
          env,
        );
        expect(r.code).toBe(0);
        const target = path.join(dir, 'data', 'models', 'my-sam2');
        expect(lastLine(r.stderr)).toBe(`installed model my-sam2 at ${target}`);
        expect(manifestOf(target)).toMatchObject({
          name: 'my-sam2',
          family: 'sam2.1',
          layout: 'samexporter',
        });
        const list = cli(['models', 'list', '--json'], env);
        expect(list.code).toBe(0);
        const row = (JSON.parse(list.stdout) as Array<Record<string, unknown>>).find(
          (m) => m.name === 'my-sam2',
        );
        expect(row).toMatchObject({ family: 'sam2.1', family_label: 'SAM 2.1', source: 'installed' });
      },
      CONVERT_MS,
    );

    it(
      'a SAM 1 --type on a SAM 2.1 checkpoint: one line saying it is SAM 2.1 and which --type to use',
      () => {
        const dir = tempDir('sam2-as-sam1-');
        const out = path.join(dir, 'out');
        const r = cli(['convert', '--checkpoint', checkpoint, '--type', 'vit_b', '--out', out], {
          SAM_ANNOTATE_DATA: path.join(dir, 'data'),
        });
        expect(r.code).not.toBe(0);
        expect(lastLine(r.stderr)).toBe(
          `sam-annotate: error: ${checkpoint} is a SAM 2.1 checkpoint, not SAM 1: convert it with ` +
            '--type sam2.1_hiera_t|sam2.1_hiera_s|sam2.1_hiera_b+|sam2.1_hiera_l (or a SAM 2.1 --config)',
        );
        expect(existsSync(out)).toBe(false);
      },
      CONVERT_MS,
    );
  },
);

describe('convert: family checks that need no SAM 2 data', () => {
  let sam1: string;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sam1-as-sam2-'));
    [sam1] = writeTinyCheckpoint(dir);
  }, CONVERT_MS);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'a SAM 2 --type on a SAM 1 checkpoint: one line saying it is SAM 1',
    () => {
      const out = path.join(dir, 'out');
      const r = cli(['convert', '--checkpoint', sam1, '--type', 'sam2.1_hiera_t', '--out', out], {
        SAM_ANNOTATE_DATA: path.join(dir, 'data'),
      });
      expect(r.code).not.toBe(0);
      expect(lastLine(r.stderr)).toBe(
        `sam-annotate: error: ${sam1} is a SAM 1 checkpoint, not SAM 2: convert it with --type vit_b|vit_l|vit_h (or a SAM 1 --config)`,
      );
      expect(existsSync(out)).toBe(false);
    },
    CONVERT_MS,
  );

  it('an unknown --type lists both families', () => {
    const r = cli(['convert', '--checkpoint', sam1, '--type', 'hiera_t', '--out', path.join(dir, 'x')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      '--type hiera_t: expected one of vit_b, vit_l, vit_h (SAM 1) or sam2.1_hiera_t',
    );
  });

  it("a layout the family's converter does not write is refused before anything runs", () => {
    const r = cli([
      'convert',
      '--checkpoint',
      sam1,
      '--type',
      'vit_b',
      '--layout',
      'rectlabel',
      '--out',
      path.join(dir, 'y'),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--layout rectlabel: SAM 1 converts to sam-annotate, transformers.js');
    expect(existsSync(path.join(dir, 'y'))).toBe(false);
  });

  it('a config of neither family is named', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"encoder": 1}');
    const r = cli(['convert', '--checkpoint', sam1, '--config', bad, '--out', path.join(dir, 'z')]);
    expect(r.code).not.toBe(0);
    expect(lastLine(r.stderr)).toContain(`config ${bad}: neither a SAM 1 config`);
  });
});
