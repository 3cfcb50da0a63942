/**
 * Issue 15: a downloaded X-AnyLabeling / samexporter folder holds `<model>.encoder.onnx` and `<model>.decoder.onnx`,
 * often next to their quantized twins (`*.quant.onnx`). Such a folder opens without a manifest: the full-precision
 * pair is chosen; a folder where the pair is still ambiguous says so, naming the files.
 */
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileHashCache } from '../../electron/inference/fileHash.ts';
import { openModelFolder } from '../../electron/inference/modelFolder.ts';
import { fixturesDir } from '../helpers/paths.ts';

const source = path.join(fixturesDir, 'models', 'mobile-sam-preprocess');
const dirs: string[] = [];

function folderWith(extra: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-fast-'));
  dirs.push(dir);
  cpSync(source, dir, { recursive: true });
  for (const [copy, of] of Object.entries(extra)) copyFileSync(path.join(dir, of), path.join(dir, copy));
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true });
});

describe('<model>.encoder.onnx + <model>.decoder.onnx folders', () => {
  it('prefer the full-precision pair over the quantized twins', async () => {
    const dir = folderWith({
      'sam_vit_tiny.decoder.quant.onnx': 'sam_vit_tiny.decoder.onnx',
      'mobile_sam.encoder.quant.onnx': 'mobile_sam.encoder.onnx',
    });
    const folder = await openModelFolder(dir, new FileHashCache());
    expect(folder.layout.kind).toBe('preprocess-in-graph');
    expect([folder.layout.encoder.file, folder.layout.decoder.file]).toEqual([
      'mobile_sam.encoder.onnx',
      'sam_vit_tiny.decoder.onnx',
    ]);
  });

  it('take the quantized decoder when it is the only one, whatever other .onnx files lie there', async () => {
    const dir = folderWith({
      'sam_vit_tiny.decoder.quant.onnx': 'sam_vit_tiny.decoder.onnx',
      'yolov5s.onnx': 'sam_vit_tiny.decoder.onnx',
    });
    rmSync(path.join(dir, 'sam_vit_tiny.decoder.onnx'));
    const folder = await openModelFolder(dir, new FileHashCache());
    expect(folder.layout.decoder.file).toBe('sam_vit_tiny.decoder.quant.onnx');
  });

  it('still ask for a manifest when two full-precision encoders compete', async () => {
    const dir = folderWith({ 'other.encoder.onnx': 'mobile_sam.encoder.onnx' });
    await expect(openModelFolder(dir, new FileHashCache())).rejects.toThrow(
      /3 \.onnx files \(mobile_sam\.encoder\.onnx, other\.encoder\.onnx, sam_vit_tiny\.decoder\.onnx\); add a manifest\.json/,
    );
  });
});
