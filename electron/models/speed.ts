/**
 * How fast models run on this machine (issue 15), measured here rather than guessed:
 *
 * - The benchmark (once per machine and app version, `rerun` to repeat): the built-in demo model in the
 *   inference service's own workers (the event loop stays free) — the faster of two encodes, and the lower
 *   quartile of about one second of clicks on the decoder. Divided into the demo model's multiply-accumulates, counted from
 *   its ONNX graph at run time (macCount.ts: onnxruntime's profiler gives the shapes), that gives this machine's
 *   effective GMAC/s, separately for encoder-like and decoder-like work.
 * - The estimate for a catalog entry: its `gmacs` (catalog.ts) divided by those rates. A tiny model uses a
 *   machine less well than a big one, so the raw estimate is pessimistic; once real models have run, the
 *   measured/estimated ratio of those models corrects the estimates of the others.
 * - Measured times: the first encodes and clicks of every model the app runs are kept (the last SAMPLES of each,
 *   the median shown) in `<data dir>/speed.json`, keyed by model name and encoder sha256 (a new file under an old
 *   name starts over). A malformed speed.json is ignored with a warning and rewritten; it is only a cache.
 */
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { describeError } from '../common/errors.ts';
import { imagePoint } from '../common/frames.ts';
import type { SpeedFigures } from '../common/modelSpeed.ts';
import { type JsonValue, JsonReader } from '../common/jsonReader.ts';
import { readOnnxHeader } from '../inference/onnxHeader.ts';
import { SamService, type SamServiceOptions } from '../inference/samService.ts';
import { writeFileAtomic } from '../node/atomicWrite.ts';
import { countMacs } from './macCount.ts';

export const SPEED_FILE = 'speed.json';
/** Measured times kept per model and kind (encode, click): the median of these is shown. */
export const SAMPLES = 5;
/** How long the benchmark clicks the demo decoder (ms). */
const CLICK_BENCHMARK_MS = 1000;

/** This machine's throughput, from the benchmark. */
export interface MachineSpeed {
  readonly appVersion: string;
  readonly measuredAt: string;
  readonly encoderGmacPerSecond: number;
  readonly decoderGmacPerSecond: number;
  /** What was measured: the demo model's MACs (billions) and times. */
  readonly builtin: {
    readonly encoderSha256: string;
    readonly encoderGmacs: number;
    readonly decoderGmacs: number;
    readonly encodeMs: number;
    readonly clickMs: number;
  };
}

/** Times measured on real work of one model (newest last, at most SAMPLES each). */
export interface ModelTimes {
  readonly name: string;
  readonly encoderSha256: string;
  readonly encodeMs: readonly number[];
  readonly clickMs: readonly number[];
}

export interface SpeedData {
  readonly machine: MachineSpeed | null;
  readonly models: readonly ModelTimes[];
}

export interface Gmacs {
  readonly encoder: number;
  readonly decoder: number;
}

/** Measured ÷ estimated time, for encodes and clicks (1 = the raw estimate stands). */
export interface Correction {
  readonly encode: number;
  readonly click: number;
}

export const NO_CORRECTION: Correction = { encode: 1, click: 1 };

/**
 * The benchmark's click time: the lower quartile of the runs, so the app's own start-up work (loading its model,
 * the first encode) running beside the benchmark weighs less than in a median, without trusting one lucky run.
 */
export function lowerQuartile(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 4)]!;
}

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The raw estimate: an entry's MACs at this machine's measured GMAC/s. */
export function estimate(gmacs: Gmacs, machine: MachineSpeed, correction = NO_CORRECTION): SpeedFigures {
  return {
    encodeSeconds: (gmacs.encoder / machine.encoderGmacPerSecond) * correction.encode,
    clickMs: (gmacs.decoder / machine.decoderGmacPerSecond) * 1000 * correction.click,
    encodeMeasured: false,
    clickMeasured: false,
  };
}

/**
 * The geometric mean of measured ÷ estimated over the models measured here (each kind on its own); 1 where none
 * was measured. `models`: each measured model's catalog MACs and its times.
 */
export function correctionFrom(
  models: ReadonlyArray<{ readonly gmacs: Gmacs; readonly times: ModelTimes }>,
  machine: MachineSpeed,
): Correction {
  const logs = { encode: [] as number[], click: [] as number[] };
  for (const { gmacs, times } of models) {
    const raw = estimate(gmacs, machine);
    const encode = median(times.encodeMs);
    const click = median(times.clickMs);
    // Only positive times on both sides: a 0 ms measurement would make every estimate 0.
    const ratio = (measured: number | null, estimated: number) =>
      measured !== null && measured > 0 && estimated > 0 ? Math.log(measured / estimated) : NaN;
    const e = ratio(encode === null ? null : encode / 1000, raw.encodeSeconds);
    const c = ratio(click, raw.clickMs);
    if (Number.isFinite(e)) logs.encode.push(e);
    if (Number.isFinite(c)) logs.click.push(c);
  }
  const mean = (xs: number[]) => (xs.length ? Math.exp(xs.reduce((a, b) => a + b, 0) / xs.length) : 1);
  return { encode: mean(logs.encode), click: mean(logs.click) };
}

/** Measured times where there are any, the corrected estimate for the rest; null when neither is known. */
export function speedFigures(
  gmacs: Gmacs | undefined,
  times: ModelTimes | undefined,
  machine: MachineSpeed | null,
  correction = NO_CORRECTION,
): SpeedFigures | null {
  const encode = times ? median(times.encodeMs) : null;
  const click = times ? median(times.clickMs) : null;
  const guess = gmacs && machine ? estimate(gmacs, machine, correction) : null;
  if ((encode === null || click === null) && !guess) return null;
  const figures = {
    encodeSeconds: encode !== null ? encode / 1000 : guess!.encodeSeconds,
    clickMs: click ?? guess!.clickMs,
    encodeMeasured: encode !== null,
    clickMeasured: click !== null,
  };
  // A zero or infinite rate (a benchmark that measured nothing) gives no usable figure, not Infinity or NaN.
  const usable = (x: number) => Number.isFinite(x) && x >= 0;
  return usable(figures.encodeSeconds) && usable(figures.clickMs) ? figures : null;
}

export function appVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

function parseSpeedFile(file: string, text: string): SpeedData {
  const r = new JsonReader(file);
  const root = r.object(r.parse(text), '$');
  if (root.version !== 1) throw new Error(`${file}: $.version: expected 1`);
  const numbers = (v: JsonValue, at: string) =>
    r.array(v, at).map((x, i) => r.numberIn(x, `${at}[${i}]`, 0, Infinity));
  const machine = r.optional(root.machine, (v) => {
    const m = r.object(v, '$.machine');
    const b = r.object(m.builtin, '$.machine.builtin');
    const positive = (x: JsonValue, at: string) => r.numberIn(x, at, Number.MIN_VALUE, Infinity);
    return {
      appVersion: r.string(m.appVersion, '$.machine.appVersion'),
      measuredAt: r.string(m.measuredAt, '$.machine.measuredAt'),
      encoderGmacPerSecond: positive(m.encoderGmacPerSecond, '$.machine.encoderGmacPerSecond'),
      decoderGmacPerSecond: positive(m.decoderGmacPerSecond, '$.machine.decoderGmacPerSecond'),
      builtin: {
        encoderSha256: r.string(b.encoderSha256, '$.machine.builtin.encoderSha256'),
        encoderGmacs: positive(b.encoderGmacs, '$.machine.builtin.encoderGmacs'),
        decoderGmacs: positive(b.decoderGmacs, '$.machine.builtin.decoderGmacs'),
        encodeMs: positive(b.encodeMs, '$.machine.builtin.encodeMs'),
        clickMs: positive(b.clickMs, '$.machine.builtin.clickMs'),
      },
    };
  });
  const models = (r.optional(root.models, (v) => r.array(v, '$.models')) ?? []).map((item, i) => {
    const o = r.object(item, `$.models[${i}]`);
    return {
      name: r.string(o.name, `$.models[${i}].name`),
      encoderSha256: r.string(o.encoderSha256, `$.models[${i}].encoderSha256`),
      encodeMs: numbers(o.encodeMs, `$.models[${i}].encodeMs`),
      clickMs: numbers(o.clickMs, `$.models[${i}].clickMs`),
    };
  });
  return { machine: machine ?? null, models };
}

/** `<data dir>/speed.json`: the benchmark and the measured times (module doc). */
export class SpeedStore {
  readonly file: string;
  /** Writes run one after the other (read-modify-write of one file). */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {
    this.file = path.join(dataDir, SPEED_FILE);
  }

  async read(): Promise<SpeedData> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.warn(`ignoring ${this.file}: ${describeError(error)}`);
      return { machine: null, models: [] };
    }
    try {
      return parseSpeedFile(this.file, text);
    } catch (error) {
      this.warn(`ignoring ${this.file} (speeds are measured again): ${describeError(error)}`);
      return { machine: null, models: [] };
    }
  }

  /** Read, change and write back, one change at a time; `change` returns undefined for "nothing to write". */
  private update(change: (data: SpeedData) => SpeedData | undefined): Promise<void> {
    const run = this.writing.then(async () => {
      const next = change(await this.read());
      if (!next) return;
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, ...next }, null, 2)}\n`);
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  saveMachine(machine: MachineSpeed): Promise<void> {
    return this.update((data) => ({ ...data, machine }));
  }

  /**
   * Add measured times of a model's real work (ms); nothing is written once SAMPLES of each kind are kept (the
   * speed is known; a click must not cost a file write). `complete`: nothing more will be kept.
   */
  async record(
    name: string,
    encoderSha256: string,
    times: { encodeMs?: number; clickMs?: number },
  ): Promise<{ complete: boolean }> {
    const add = (list: readonly number[], value: number | undefined) =>
      value === undefined || !(value > 0) || list.length >= SAMPLES ? list : [...list, value];
    let complete = false;
    await this.update((data) => {
      const current = data.models.find((m) => m.name === name && m.encoderSha256 === encoderSha256);
      const encodeMs = add(current?.encodeMs ?? [], times.encodeMs);
      const clickMs = add(current?.clickMs ?? [], times.clickMs);
      complete = encodeMs.length >= SAMPLES && clickMs.length >= SAMPLES;
      if (current && encodeMs === current.encodeMs && clickMs === current.clickMs) return undefined;
      const others = data.models.filter((m) => m.name !== name);
      return { ...data, models: [...others, { name, encoderSha256, encodeMs, clickMs }] };
    });
    return { complete };
  }
}

/** Zero feeds for one run of a graph: dynamic sizes 2 (one click and its padding point), SAM's size inputs. */
function benchmarkFeeds(
  inputs: ReadonlyArray<{ name: string; type: string; shape: ReadonlyArray<number | string> }>,
  inputSize: number,
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of inputs) {
    const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 2));
    const count = dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(count);
    if (input.name === 'orig_im_size') values.fill(inputSize);
    if (input.name === 'point_labels') values.fill(1).fill(-1, count - 1);
    if (input.type === 'int64')
      feeds[input.name] = new ort.Tensor(
        'int64',
        BigInt64Array.from(values, (v) => BigInt(v)),
        dims,
      );
    else feeds[input.name] = new ort.Tensor('float32', values, dims);
  }
  return feeds;
}

/** A noise picture of `size`² pixels (PNG), something for the encoder to chew on. */
async function noiseImage(file: string, size: number, seed: number): Promise<void> {
  const rgb = new Uint8Array(size * size * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < rgb.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    rgb[i] = x >>> 24;
  }
  await writeFile(
    file,
    await sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/**
 * Measure this machine on the demo model (module doc). `inference`: the host's worker options (the Electron app
 * bundles its worker), without caches.
 */
export async function benchmarkMachine(
  builtinDir: string,
  inference: Pick<SamServiceOptions, 'providers' | 'threads' | 'spawnWorker'> = {},
): Promise<MachineSpeed> {
  const service = new SamService({ ...inference, memoryBudgetBytes: 64 * 1024 * 1024 });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sam-speed-'));
  try {
    const info = await service.loadModel(builtinDir);
    const size = info.geometry.inputSize;
    const images = [path.join(tmp, 'a.png'), path.join(tmp, 'b.png')];
    for (const [i, file] of images.entries()) await noiseImage(file, size, i + 1);
    const encodes: number[] = [];
    for (const file of images) encodes.push((await service.embed(file, 'interactive')).encodeMs ?? Infinity);
    const clicks: number[] = [];
    const until = performance.now() + CLICK_BENCHMARK_MS;
    const prompt = { points: [{ point: imagePoint(size / 2, size / 2), label: 1 as const }] };
    while (performance.now() < until || clicks.length < 3) {
      const p = await service.predict(images[0]!, prompt, { output: { rle: false, bitmap: false } });
      clicks.push(p.timings.decodeMs);
    }
    const macsOf = async (file: string) => {
      const full = path.join(builtinDir, file);
      return countMacs(full, benchmarkFeeds((await readOnnxHeader(full)).inputs, size));
    };
    const encoderGmacs = (await macsOf(info.encoder.file)) / 1e9;
    const decoderGmacs = (await macsOf(info.decoder.file)) / 1e9;
    const encodeMs = Math.min(...encodes);
    const clickMs = lowerQuartile(clicks);
    if (!(encodeMs > 0 && Number.isFinite(encodeMs) && clickMs > 0 && encoderGmacs > 0 && decoderGmacs > 0))
      throw new Error(
        `the benchmark measured no usable time (encode ${encodeMs} ms, click ${clickMs} ms, ` +
          `${encoderGmacs} + ${decoderGmacs} GMAC)`,
      );
    return {
      appVersion: appVersion(),
      measuredAt: new Date().toISOString(),
      encoderGmacPerSecond: encoderGmacs / (encodeMs / 1000),
      decoderGmacPerSecond: decoderGmacs / (clickMs / 1000),
      builtin: { encoderSha256: info.encoderSha256, encoderGmacs, decoderGmacs, encodeMs, clickMs },
    };
  } finally {
    await service.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

/** One benchmark at a time per speed file in this process. */
const running = new Map<string, Promise<MachineSpeed>>();

/**
 * This machine's speed: the stored benchmark when it was made by this app version, else (or with `rerun`) a new
 * one, stored.
 */
export function machineSpeed(
  store: SpeedStore,
  builtinDir: string,
  options: { rerun?: boolean; inference?: Parameters<typeof benchmarkMachine>[1] } = {},
): Promise<MachineSpeed> {
  const pending = running.get(store.file);
  if (pending) return pending;
  const run = (async () => {
    const stored = (await store.read()).machine;
    if (stored && !options.rerun && stored.appVersion === appVersion()) return stored;
    const measured = await benchmarkMachine(builtinDir, options.inference);
    await store.saveMachine(measured);
    return measured;
  })().finally(() => running.delete(store.file));
  running.set(store.file, run);
  return run;
}

/** The speed figures of catalog entries and installed models, from one read of speed.json and the benchmark. */
export interface SpeedView {
  /** A catalog entry's estimate (corrected by what was measured here). */
  estimateFor(name: string): SpeedFigures | null;
  /**
   * A model's figures: measured when its times (same name and, when given, encoder sha256) are kept, else the
   * estimate of the catalog entry of that name.
   */
  figuresFor(name: string, encoderSha256?: string): SpeedFigures | null;
  /** Whether measured times are kept under this name (the caller then checks the encoder's sha256). */
  hasTimes(name: string): boolean;
}

/** `builtinName`: the demo model, whose times the benchmark measured. */
export function speedView(
  catalog: ReadonlyArray<{ readonly name: string; readonly gmacs: Gmacs }>,
  data: SpeedData,
  machine: MachineSpeed | null,
  builtinName?: string,
): SpeedView {
  const gmacsOf = (name: string) => catalog.find((e) => e.name === name)?.gmacs;
  const measuredCatalog = data.models.flatMap((times) => {
    const gmacs = gmacsOf(times.name);
    return gmacs ? [{ gmacs, times }] : [];
  });
  const correction = machine ? correctionFrom(measuredCatalog, machine) : NO_CORRECTION;
  return {
    estimateFor: (name) => speedFigures(gmacsOf(name), undefined, machine, correction),
    figuresFor: (name, sha) => {
      if (machine && name === builtinName && (!sha || sha === machine.builtin.encoderSha256)) {
        const { encodeMs, clickMs } = machine.builtin;
        return { encodeSeconds: encodeMs / 1000, clickMs, encodeMeasured: true, clickMeasured: true };
      }
      const times = data.models.find((m) => m.name === name && (!sha || m.encoderSha256 === sha));
      return speedFigures(gmacsOf(name), times, machine, correction);
    },
    hasTimes: (name) => data.models.some((m) => m.name === name),
  };
}
