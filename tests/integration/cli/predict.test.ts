/** `sam-annotate predict`, `models DIR` and `convert` as a user runs them. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRle } from '../../../electron/common/rle.ts';
import { cli } from '../../helpers/cli.ts';
import { writeTinyCheckpoint } from '../../helpers/models.ts';
import { fixturesDir } from '../../helpers/paths.ts';

const model = path.join(fixturesDir, 'models', 'tiny-random');
const image = path.join(fixturesDir, 'reference', 'wide.png');
const reference = JSON.parse(readFileSync(path.join(fixturesDir, 'reference', 'index.json'), 'utf8'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-cli-'));
const env = { SAM_ANNOTATE_CACHE: path.join(tmp, 'cache') };

function oneLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('sam-annotate predict', () => {
  it('writes COCO RLE masks equal to the PyTorch reference, in token order', () => {
    const out = path.join(tmp, 'one.json');
    const r = cli(
      ['predict', '--model', model, '--image', image, '--point', '90,80,1', '--multimask', '--out', out],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.image).toEqual({ file_name: 'wide.png', width: 320, height: 183 });
    expect(result.provider).toBe('cpu');
    expect(result.model).toMatchObject({ name: 'tiny-random', layout: 'sam-annotate', input_size: 256 });
    const expected = reference.images.wide.prompts.find(
      (p: { name: string }) => p.name === 'point1_multi',
    ).expected;
    expect(result.masks.map((m: { segmentation: { counts: string } }) => m.segmentation.counts)).toEqual(
      expected.masks.map((m: { counts: string }) => m.counts),
    );
    for (const [i, m] of result.masks.entries()) {
      expect(m.segmentation.size).toEqual([183, 320]);
      expect(m.area).toBe(expected.masks[i].area);
      expect(m.predicted_iou).toBeCloseTo(expected.iou_predictions[i], 4);
      expect(decodeRle(m.segmentation).data.reduce((a: number, b: number) => a + b, 0)).toBe(m.area);
    }
  });

  it('refines from a logits file written by an earlier run (--logits-out → --mask-input FILE#N)', () => {
    const logits = path.join(tmp, 'first.f32');
    const first = cli(
      [
        'predict',
        '--model',
        model,
        '--image',
        image,
        '--point',
        '90,80,1',
        '--multimask',
        '--logits-out',
        logits,
        '--out',
        path.join(tmp, 'a.json'),
      ],
      env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(readFileSync(`${logits}.json`, 'utf8')).shape).toEqual([3, 64, 64]);
    const out = path.join(tmp, 'refined.json');
    const refined = cli(
      [
        'predict',
        '--model',
        model,
        '--image',
        image,
        '--point',
        '90,80,1',
        '--point',
        '200,100,0',
        '--mask-input',
        `${logits}#2`,
        '--out',
        out,
      ],
      env,
    );
    expect(refined.code, refined.stderr).toBe(0);
    const plain = path.join(tmp, 'plain.json');
    cli(
      [
        'predict',
        '--model',
        model,
        '--image',
        image,
        '--point',
        '90,80,1',
        '--point',
        '200,100,0',
        '--out',
        plain,
      ],
      env,
    );
    const a = JSON.parse(readFileSync(out, 'utf8')).masks[0].segmentation.counts;
    const b = JSON.parse(readFileSync(plain, 'utf8')).masks[0].segmentation.counts;
    expect(a).not.toBe(b); // the mask input changed the result
    const missing = cli(
      [
        'predict',
        '--model',
        model,
        '--image',
        image,
        '--point',
        '1,1,1',
        '--mask-input',
        `${logits}#3`,
        '--out',
        out,
      ],
      env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/holds 3 candidates; #3 does not exist/);
  });

  it('runs many prompt sets in one encoder pass (--prompts, --logits-dir)', () => {
    const prompts = path.join(fixturesDir, 'reference', 'index.json');
    const out = path.join(tmp, 'many.json');
    const dir = path.join(tmp, 'logits');
    mkdirSync(dir);
    const r = cli(
      [
        'predict',
        '--model',
        model,
        '--image',
        path.join(fixturesDir, 'reference', 'tall.png'),
        '--prompts',
        prompts,
        '--logits-dir',
        dir,
        '--out',
        out,
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    const expected = reference.images.tall.prompts;
    expect(result.results.map((x: { name: string }) => x.name)).toEqual(
      expected.map((p: { name: string }) => p.name),
    );
    for (const [i, set] of result.results.entries()) {
      expect(set.masks.map((m: { segmentation: { counts: string } }) => m.segmentation.counts)).toEqual(
        expected[i].expected.masks.map((m: { counts: string }) => m.counts),
      );
      expect(existsSync(path.join(dir, `${set.name}.low_res_logits.f32`))).toBe(true);
    }
  });

  it('fails in one clear line, without a stack: bad flags (exit 2), bad files (exit 1)', () => {
    const out = path.join(tmp, 'x.json');
    const cases: Array<[string[], number, RegExp]> = [
      [
        ['predict', '--model', model, '--image', image, '--out', out],
        2,
        /give at least one --point or a --box/,
      ],
      [
        ['predict', '--model', model, '--image', image, '--point', '1,2', '--out', out],
        2,
        /--point 1,2: expected 3 comma-separated numbers/,
      ],
      [
        ['predict', '--model', model, '--image', image, '--point', '1,2,5', '--out', out],
        2,
        /LABEL must be 1 \(positive\) or 0 \(negative\)/,
      ],
      [['predict', '--frobnicate'], 2, /Unknown option '--frobnicate'/],
      [
        [
          'predict',
          '--model',
          model,
          '--image',
          path.join(tmp, 'none.jpg'),
          '--point',
          '1,1,1',
          '--out',
          out,
        ],
        1,
        /cannot read image .*none\.jpg: no such file/,
      ],
      [
        [
          'predict',
          '--model',
          model,
          '--image',
          path.join(fixturesDir, 'images', 'truncated.png'),
          '--point',
          '1,1,1',
          '--out',
          out,
        ],
        1,
        /cannot decode image .*truncated\.png/,
      ],
      [
        ['predict', '--model', tmp, '--image', image, '--point', '1,1,1', '--out', out],
        1,
        /expected an encoder and a decoder \.onnx file, found none/,
      ],
      [
        [
          'predict',
          '--model',
          model,
          '--image',
          image,
          '--point',
          '1,1,1',
          '--out',
          path.join(tmp, 'no', 'dir', 'x.json'),
        ],
        1,
        /cannot write .*x\.json: its folder does not exist/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = cli(args, env);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(code);
      expect(r.stderr).toMatch(message);
      oneLine(r.stderr);
    }
  });

  it('names the file when a model file is not ONNX or does not match its manifest', () => {
    const broken = path.join(tmp, 'broken-model');
    mkdirSync(broken);
    for (const f of ['encoder.onnx', 'decoder.onnx', 'manifest.json'])
      copyFileSync(path.join(model, f), path.join(broken, f));
    writeFileSync(
      path.join(broken, 'decoder.onnx'),
      readFileSync(path.join(model, 'decoder.onnx')).subarray(0, 5000),
    );
    const r = cli(['models', broken, '--no-load'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/decoder\.onnx is not a readable ONNX model/);
    oneLine(r.stderr);
    copyFileSync(path.join(model, 'decoder.onnx'), path.join(broken, 'decoder.onnx'));
    const encoder = readFileSync(path.join(model, 'encoder.onnx'));
    encoder[Math.floor(encoder.length / 2)]! ^= 0xff; // a flipped byte inside the weights
    writeFileSync(path.join(broken, 'encoder.onnx'), encoder);
    const changed = cli(['models', broken, '--no-load'], env);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/encoder\.onnx does not match the sha256 in manifest\.json/);
  });
});

describe('sam-annotate models DIR', () => {
  it('describes both layouts and the provider that loaded them', () => {
    const r = cli(['models', model, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({
      layout: 'sam-annotate',
      input_size: 256,
      embedding: [32, 16, 16],
      manifest: true,
    });
    expect(d.providers.encoder).toBe('cpu');
    const hf = cli(['models', path.join(fixturesDir, 'models', 'tiny-random-hf')], env);
    expect(hf.code, hf.stderr).toBe(0);
    expect(hf.stdout).toMatch(/transformers\.js layout/);
    expect(hf.stdout).toMatch(/mask input: no, box: no, single-mask token: no/);
  });

  it('works on a folder with only an ONNX pair, whatever the files are called', () => {
    const bare = path.join(tmp, 'bare');
    mkdirSync(bare);
    copyFileSync(path.join(model, 'encoder.onnx'), path.join(bare, 'my_image_encoder.onnx'));
    copyFileSync(path.join(model, 'decoder.onnx'), path.join(bare, 'sam_decoder.onnx'));
    const r = cli(['models', bare, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(
      JSON.parse(r.stdout)
        .files.map((f: { file: string; role: string }) => `${f.role}:${f.file}`)
        .sort(),
    ).toEqual(['decoder:sam_decoder.onnx', 'encoder:my_image_encoder.onnx']);
  });

  it('says what it found and what it expected for an unknown layout', () => {
    const odd = path.join(tmp, 'odd');
    mkdirSync(odd);
    copyFileSync(path.join(model, 'decoder.onnx'), path.join(odd, 'a.onnx'));
    copyFileSync(path.join(model, 'decoder.onnx'), path.join(odd, 'b.onnx'));
    const r = cli(['models', odd], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /unknown model layout\. Found a\.onnx: inputs \(image_embeddings: float32\[1,32,16,16\]/,
    );
    expect(r.stderr).toMatch(/expected either Meta's SAM decoder export/);
    oneLine(r.stderr);
  });
});

describe('sam-annotate convert', () => {
  it('converts a checkpoint saved as Meta saves theirs into a model folder that predicts', () => {
    // A tiny architecture (config JSON in the conformance format) with seeded weights, saved as a state_dict.
    const [pth, config] = writeTinyCheckpoint(tmp);
    const out = path.join(tmp, 'converted');
    const r = cli(['convert', '--checkpoint', pth, '--config', config, '--out', out], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/smoke run passed/);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.source.checkpoint_sha256).toMatch(/^[0-9a-f]{64}$/);
    // Automatic mask generation decodes its grid with the batch decoder (issue 16).
    expect(manifest.files.decoder_batch.path).toBe('decoder_batch.onnx');
    const predicted = cli(
      ['predict', '--model', out, '--image', image, '--point', '90,80,1', '--out', path.join(tmp, 'c.json')],
      env,
    );
    expect(predicted.code, predicted.stderr).toBe(0);

    const wrong = cli(
      ['convert', '--checkpoint', pth, '--type', 'vit_b', '--out', path.join(tmp, 'wrong')],
      env,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/convert failed: .*tiny\.pth/);
    expect(existsSync(path.join(tmp, 'wrong', 'manifest.json'))).toBe(false);
    const notPth = path.join(tmp, 'notes.pth');
    writeFileSync(notPth, 'hello');
    const garbage = cli(
      ['convert', '--checkpoint', notPth, '--type', 'vit_b', '--out', path.join(tmp, 'g')],
      env,
    );
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(/notes\.pth/);
  }, 120_000);
});
