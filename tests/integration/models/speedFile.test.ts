/**
 * speed.json (issue 15): the benchmark runs on the first listing of a fresh data folder and is kept (not run
 * again until asked); a malformed or missing file is ignored with a warning, never a crash; real encodes and
 * clicks of a model replace its estimate ("measured") and correct the other catalog entries' estimates.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileHashCache } from '../../../electron/inference/fileHash.ts';
import { findCatalogEntry } from '../../../electron/models/catalog.ts';
import { ModelRegistry, builtinModelDir } from '../../../electron/models/registry.ts';
import { SAMPLES, SpeedStore, estimate, median } from '../../../electron/models/speed.ts';
import { AppBackend } from '../../../electron/services/appBackend.ts';
import { sampleImage } from '../../../electron/services/sampleImages.ts';
import { fixturesDir } from '../../helpers/paths.ts';

/** A catalog name the SAM 2.1 fixture stands in for (same layout), and another entry it corrects. */
const MEASURED = 'sam2.1-hiera-tiny-onnx';
const OTHER = 'sam2.1-hiera-large-onnx';

let tmp: string;
let data: string;
let backend: AppBackend;
const warnings: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-speed-'));
  data = path.join(tmp, 'data');
  cpSync(
    path.join(fixturesDir, 'models', 'sam2-tiny-random-samexporter'),
    path.join(data, 'models', MEASURED),
    {
      recursive: true,
    },
  );
  const images = path.join(tmp, 'images');
  await mkdir(images);
  await writeFile(path.join(images, 'a.png'), await sampleImage(0, 320, 240));
  backend = new AppBackend({
    mode: 'serve',
    dataDir: data,
    modelDir: path.join(data, 'models', MEASURED),
    inference: { providers: ['cpu'] },
    registry: new ModelRegistry(data, new FileHashCache(), builtinModelDir()),
  });
  await backend.createProject(path.join(images, 'p.samproj'), images);
}, 60_000);

afterAll(async () => {
  await backend?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const speedFile = () => path.join(data, 'speed.json');
const stored = () => JSON.parse(readFileSync(speedFile(), 'utf8'));

describe('speed.json', () => {
  it('a missing file reads as nothing measured, without a warning', async () => {
    const store = new SpeedStore(path.join(tmp, 'nowhere'), (m) => warnings.push(m));
    expect(await store.read()).toEqual({ machine: null, models: [] });
    expect(warnings).toEqual([]);
  });

  it('benchmarks on the first listing, keeps it, and measures again only when asked', async () => {
    expect(existsSync(speedFile())).toBe(false);
    const first = await backend.listModels();
    expect(first.speedProblem).toBeNull();
    expect(first.machine!.encoderGmacPerSecond).toBeGreaterThan(0);
    const machine = stored().machine;
    expect(machine.builtin.encoderGmacs).toBeGreaterThan(0);
    // Every catalog entry gets the raw estimate (nothing real measured yet).
    const other = first.catalog.find((c) => c.name === OTHER)!;
    expect(other.speed).toEqual(estimate(findCatalogEntry(OTHER)!.gmacs, machine));
    const again = await backend.listModels();
    expect(again.machine!.measuredAt).toBe(first.machine!.measuredAt);
    const rerun = await backend.measureModelSpeed();
    expect(rerun.machine!.measuredAt).not.toBe(first.machine!.measuredAt);
    expect(stored().machine.measuredAt).toBe(rerun.machine!.measuredAt);
  });

  it('an encode and clicks of the model in use make its speed "measured" and correct the others', async () => {
    const [image] = (await backend.listImages({ offset: 0, limit: 1 })).items;
    await backend.prepareImage(image!.id);
    for (let i = 0; i < SAMPLES + 2; i++)
      await backend.decode({
        imageId: image!.id,
        points: [{ x: 100 + i, y: 80, label: 1 }],
        multimask: true,
      });
    const list = await backend.listModels();
    const kept = stored().models.find((m: { name: string }) => m.name === MEASURED);
    expect(kept.encodeMs).toHaveLength(1);
    expect(kept.clickMs).toHaveLength(SAMPLES);
    const row = list.installed.find((m) => m.name === MEASURED)!;
    expect(row.speed).toEqual({
      encodeSeconds: kept.encodeMs[0] / 1000,
      clickMs: median(kept.clickMs),
      encodeMeasured: true,
      clickMeasured: true,
    });
    // The other entries' estimates are scaled by measured ÷ estimated of the measured one.
    const machine = stored().machine;
    const raw = (name: string) => estimate(findCatalogEntry(name)!.gmacs, machine);
    const ratio = {
      encode: row.speed!.encodeSeconds / raw(MEASURED).encodeSeconds,
      click: row.speed!.clickMs / raw(MEASURED).clickMs,
    };
    const other = list.catalog.find((c) => c.name === OTHER)!.speed!;
    expect(other.encodeSeconds).toBeCloseTo(raw(OTHER).encodeSeconds * ratio.encode, 9);
    expect(other.clickMs).toBeCloseTo(raw(OTHER).clickMs * ratio.click, 9);
    expect(other.encodeMeasured).toBe(false);
  });

  it('a malformed file is ignored with a warning naming it and what is wrong, then rewritten', async () => {
    const store = new SpeedStore(data, (m) => warnings.push(m));
    for (const [text, problem] of [
      ['{"version": 1, "models": [', /speed\.json/],
      [
        '{"version": 1, "models": [{"name": "x", "encoderSha256": "y", "encodeMs": [-1], "clickMs": []}]}',
        /encodeMs\[0\]/,
      ],
      ['{"version": 2}', /version/],
    ] as const) {
      warnings.length = 0;
      writeFileSync(speedFile(), text);
      expect(await store.read()).toEqual({ machine: null, models: [] });
      expect(warnings).toEqual([expect.stringMatching(problem)]);
      expect(warnings[0]).toContain(speedFile());
    }
    // The app lists its models all the same (measuring again) and writes a good file.
    const list = await backend.listModels();
    expect(list.machine).not.toBeNull();
    expect(stored().version).toBe(1);
    expect(stored().machine.encoderGmacPerSecond).toBe(list.machine!.encoderGmacPerSecond);
  });
});
