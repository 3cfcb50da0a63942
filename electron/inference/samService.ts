/**
 * The inference service: one model, two worker threads (encoder and decoder), embedding caches in memory and on
 * disk, background prefetch, and decodes where the newest request of a lane wins. Plain Node: the CLI and serve
 * mode use it in-process; the Electron app hosts it in a utility process.
 *
 * Frames: prompts and masks are in original-image pixels (after EXIF orientation); the model frame never leaves
 * the workers except inside `ModelFrame`.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import path from 'node:path';
import { UserError } from '../common/errors.ts';
import type { Prompt } from '../common/prompts.ts';
import { DiskEmbeddingCache } from './diskCache.ts';
import { type Embedding, EmbeddingCache } from './embeddingCache.ts';
import { FileHashCache } from './fileHash.ts';
import { hashBytes, readImageFile } from './imageLoader.ts';
import {
  type Family,
  type LayoutCapabilities,
  type ModelGeometry,
  tensorSetBytes,
} from './layouts/layout.ts';
import type { LayoutKind } from './layouts/registry.ts';
import { type ModelFolder, openModelFolder } from './modelFolder.ts';
import { defaultProviders, gpuProvidersOnMachine, reportedFallbacks } from './providers.ts';
import type { BoxXyxy } from '../common/amg/boxes.ts';
import type {
  DecodeGridArgs,
  DecodeGridResult,
  DecodeResult,
  DecodedCandidate,
  EncodePixelsArgs,
  InitArgs,
  InitResult,
  MaskForms,
  ProviderFallback,
  WorkerRole,
} from './worker/protocol.ts';
import { serializePrompt } from './worker/serializedPrompt.ts';
import { WorkerHost, spawnInferenceWorker } from './workerHost.ts';

/**
 * Grid prompts per decoder request when an automatic pass decodes prompt by prompt: the most a click waits for
 * (8 × ~10 ms on the demo model on 2 cores) against one message round trip per slice.
 */
export const GRID_SLICE_PROMPTS = 8;

export interface SamServiceOptions {
  /** Execution providers in order of preference (default: per platform, then cpu). */
  readonly providers?: readonly string[];
  /**
   * The user named `providers` (--providers, SAM_PROVIDERS): every fallback is reported. Otherwise only those of
   * a GPU this machine has (issue 17: a CPU-only install does not warn about CUDA on every start).
   */
  readonly providersRequested?: boolean;
  /** onnxruntime intra-op threads per worker; 0 = all cores. */
  readonly threads?: number;
  /**
   * Memory budget of the embedding LRU in bytes (default 1 GiB: 256 SAM 1 ViT images at 4 MiB, 64 SAM 2 images
   * at 16 MiB).
   */
  readonly memoryBudgetBytes?: number;
  /** Folder of the disk embedding cache; undefined disables it. */
  readonly diskCacheDir?: string;
  /** Byte budget of the disk cache (default 2 GiB: about 510 SAM 1 ViT images, 127 SAM 2 images). */
  readonly diskCacheBudgetBytes?: number;
  /** JSON file remembering model file hashes across runs. */
  readonly hashStore?: string;
  readonly onEvent?: (event: ServiceEvent) => void;
  /** Starts a worker thread (default: worker/main from this folder). */
  readonly spawnWorker?: (role: WorkerRole) => Worker;
}

export type EmbeddingState = 'missing' | 'queued' | 'encoding' | 'ready' | 'error';

/**
 * Who waits for an encode: the annotator ('interactive', first in line), the prefetch of the next images
 * ('prefetch', dropped by `cancelPrefetch`), or an automatic pass ('background': after interactive work, never
 * dropped). A running encode is never stopped: terminating a worker inside onnxruntime aborts the process
 * (workerHost.ts); an interactive encode waits for it, with clicks first (the encoder runs at a lower priority).
 */
export type EncodePriority = 'interactive' | 'prefetch' | 'background';

export type ServiceEvent =
  | {
      readonly type: 'embedding';
      readonly file: string;
      readonly state: EmbeddingState;
      readonly error?: string;
    }
  | { readonly type: 'worker-crash'; readonly role: WorkerRole; readonly message: string };

export interface SessionInfo {
  readonly file: string;
  readonly provider: string;
  readonly fallbacks: readonly ProviderFallback[];
  readonly loadMs: number;
}

export interface ModelInfo {
  readonly dir: string;
  readonly name: string;
  readonly layout: LayoutKind;
  /** The model family the layout adapter serves (issue 14). */
  readonly modelFamily: Family;
  /** Bytes one image's embedding tensors take in the caches. */
  readonly embeddingBytes: number;
  readonly family?: string;
  readonly variant?: string;
  readonly demo: boolean;
  readonly geometry: ModelGeometry;
  readonly capabilities: LayoutCapabilities;
  /** The model decodes many prompts per run (automatic mask generation): a batch graph, or its own decoder. */
  readonly gridBatching: boolean;
  readonly encoder: SessionInfo;
  readonly decoder: SessionInfo;
  readonly encoderSha256: string;
}

export interface EmbeddingInfo {
  readonly embedding: Embedding;
  readonly source: 'memory' | 'disk' | 'encoder';
  /** Encoder run time when this call ran the encoder. */
  readonly encodeMs?: number;
}

export interface PredictOptions {
  /** Three candidates (Meta's multimask tokens 1..3) or one (token 0). Default true. */
  readonly multimask?: boolean;
  readonly output?: { readonly rle: boolean; readonly bitmap: boolean; readonly previewMaxSide?: number };
  /**
   * Requests sharing a lane (e.g. 'hover') supersede each other: a request still waiting when a newer one of
   * its lane arrives is dropped with a SupersededError instead of running.
   */
  readonly lane?: string;
}

export interface Prediction {
  readonly image: { readonly file: string; readonly width: number; readonly height: number };
  readonly candidates: readonly DecodedCandidate[];
  readonly embeddingSource: EmbeddingInfo['source'];
  readonly timings: DecodeResult['timings'] & { readonly encodeMs?: number; readonly totalMs: number };
}

export class SupersededError extends Error {
  override readonly name = 'SupersededError';
}

interface ImageIdentity {
  readonly key: string;
  readonly imageSha: string;
  readonly size: number;
  readonly mtimeMs: number;
}

interface EncodeJob {
  readonly key: string;
  readonly file: string;
  readonly imageSha: string;
  /** A crop of the image (its own pixels, no state events); the crop's pixels come from `pixels`. */
  readonly crop?: { readonly box: BoxXyxy; readonly pixels: () => Promise<EncodePixelsArgs> };
  priority: EncodePriority;
  bytes?: Uint8Array;
  readonly promise: Promise<EmbeddingInfo>;
  resolve(value: EmbeddingInfo): void;
  reject(error: Error): void;
}

interface LoadedModel {
  readonly folder: ModelFolder;
  readonly info: ModelInfo;
}

export class SamService {
  private readonly encoder: WorkerHost;
  private readonly decoder: WorkerHost;
  /** Full-resolution masks of earlier decodes (started on first use, for the model loaded then). */
  private readonly masks: WorkerHost;
  private masksReady: Promise<unknown> | undefined;
  private masksArgs: InitArgs | undefined;
  private readonly memory: EmbeddingCache;
  private readonly disk: DiskEmbeddingCache | undefined;
  private readonly hashes: FileHashCache;
  private model: LoadedModel | undefined;
  private readonly identities = new Map<string, ImageIdentity>();
  private readonly states = new Map<string, EmbeddingState>();
  private readonly queue: EncodeJob[] = [];
  private running: EncodeJob | undefined;
  /** Keys the decoder worker holds (it keeps the last few), valid for one worker lifetime. */
  private decoderKeys: string[] = [];
  private decoderLife = -1;
  private decodeChain: Promise<unknown> = Promise.resolve();
  private readonly laneSeq = new Map<string, number>();
  /** Interactive decodes called but not yet queued (fetching their embedding); grid batches let them go first. */
  private arriving = 0;
  private arrivalWaiters: (() => void)[] = [];
  /** Interactive decodes called and not yet answered: no prefetch or background encode starts meanwhile. */
  private clicksInFlight = 0;

  constructor(private readonly options: SamServiceOptions = {}) {
    const crash = (role: WorkerRole) => (error: Error) =>
      this.options.onEvent?.({ type: 'worker-crash', role, message: error.message });
    const spawn = (role: WorkerRole) => () => (options.spawnWorker ?? spawnInferenceWorker)(role);
    this.encoder = new WorkerHost('encoder', crash('encoder'), spawn('encoder'));
    this.decoder = new WorkerHost('decoder', crash('decoder'), spawn('decoder'));
    this.masks = new WorkerHost('masks', crash('masks'), spawn('masks'));
    this.memory = new EmbeddingCache(options.memoryBudgetBytes ?? 1024 ** 3);
    this.disk = options.diskCacheDir
      ? new DiskEmbeddingCache(options.diskCacheDir, options.diskCacheBudgetBytes)
      : undefined;
    this.hashes = new FileHashCache(options.hashStore);
  }

  get modelInfo(): ModelInfo | undefined {
    return this.model?.info;
  }

  /** Open a model folder and load its encoder and decoder, each in its own worker. */
  async loadModel(dir: string): Promise<ModelInfo> {
    const folder = await openModelFolder(dir, this.hashes);
    this.dropQueue(new UserError('the model was changed'));
    this.memory.clear();
    this.model = undefined;
    const base: Omit<InitArgs, 'role'> = {
      dir: folder.dir,
      graphs: folder.graphs,
      manifest: folder.manifest,
      maskThreshold: folder.maskThreshold,
      session: {
        providers: this.options.providers ?? defaultProviders(),
        threads: this.options.threads ?? 0,
      },
    };
    this.masksArgs = { ...base, role: 'masks' };
    this.masksReady = undefined;
    const [enc, dec] = await Promise.all([
      this.encoder.init({ ...base, role: 'encoder' }),
      this.decoder.init({ ...base, role: 'decoder' }),
    ]);
    const shown = {
      requested: this.options.providersRequested ?? false,
      present: gpuProvidersOnMachine(process.platform, existsSync),
    };
    const session = (file: string, r: InitResult): SessionInfo => ({
      file,
      provider: r.provider,
      fallbacks: reportedFallbacks(r.fallbacks, shown),
      loadMs: r.loadMs,
    });
    const info: ModelInfo = {
      dir: folder.dir,
      name: folder.name,
      layout: folder.layout.kind,
      modelFamily: folder.layout.family,
      embeddingBytes: tensorSetBytes(folder.layout.imageTensors),
      family: folder.manifest?.family,
      variant: folder.manifest?.variant,
      demo: folder.demo,
      geometry: folder.layout.geometry,
      capabilities: folder.layout.capabilities,
      gridBatching: !!folder.layout.grid,
      encoder: session(folder.layout.encoder.file, enc),
      decoder: session(folder.layout.decoder.file, dec),
      encoderSha256: folder.encoderSha256,
    };
    this.model = { folder, info };
    this.decoderKeys = [];
    return info;
  }

  /** Embedding state of an image, for status bars. */
  state(file: string): EmbeddingState {
    return this.states.get(path.resolve(file)) ?? 'missing';
  }

  /** The embedding of an image: from memory, from disk, or from the encoder (interactive requests first). */
  async embed(fileArg: string, priority: EncodePriority = 'interactive'): Promise<EmbeddingInfo> {
    const model = this.requireModel();
    const file = path.resolve(fileArg);
    const { identity, bytes } = await this.identify(file, model);
    const cached = this.memory.get(identity.key);
    if (cached) {
      this.setState(file, 'ready', undefined, true);
      return { embedding: cached, source: 'memory' };
    }
    const existing =
      this.queue.find((j) => j.key === identity.key) ??
      (this.running?.key === identity.key ? this.running : undefined);
    if (existing) {
      if (priority === 'interactive' && existing.priority !== 'interactive') this.promote(existing);
      return existing.promise;
    }
    const fromDisk = await this.disk?.get(
      identity.key,
      model.info.encoderSha256,
      identity.imageSha,
      model.folder.layout.imageTensors,
    );
    if (fromDisk) {
      this.memory.set(fromDisk);
      this.setState(file, 'ready', undefined, true);
      return { embedding: fromDisk, source: 'disk' };
    }
    return this.enqueue(file, identity, bytes, priority);
  }

  /**
   * The embedding of a crop of an image, the crop being its own image (Meta's AMG runs `set_image` on each crop).
   * Cached in memory and on disk like image embeddings, under the image's content and the crop box; `pixels`
   * is called only when the encoder has to run, and must return the crop's RGB (row-major, crop size).
   */
  async embedCrop(
    fileArg: string,
    box: BoxXyxy,
    pixels: () => Promise<EncodePixelsArgs>,
    priority: Exclude<EncodePriority, 'prefetch'> = 'interactive',
  ): Promise<EmbeddingInfo> {
    const model = this.requireModel();
    const file = path.resolve(fileArg);
    const { identity } = await this.identify(file, model);
    const suffix = `crop-${box.join('-')}`;
    const key = `${identity.key}#${suffix}`;
    const cached = this.memory.get(key);
    if (cached) return { embedding: cached, source: 'memory' };
    const existing =
      this.queue.find((j) => j.key === key) ?? (this.running?.key === key ? this.running : undefined);
    if (existing) {
      if (priority === 'interactive' && existing.priority !== 'interactive') this.promote(existing);
      return existing.promise;
    }
    const imageSha = `${identity.imageSha}.${suffix}`;
    const fromDisk = await this.disk?.get(
      key,
      model.info.encoderSha256,
      imageSha,
      model.folder.layout.imageTensors,
    );
    if (fromDisk) {
      this.memory.set(fromDisk);
      return { embedding: fromDisk, source: 'disk' };
    }
    return this.enqueue(file, { ...identity, key, imageSha }, undefined, priority, { box, pixels });
  }

  /**
   * One batch of grid points of automatic mask generation on an embedding (see `DecodeGridArgs`); decoder work,
   * one request at a time with the interactive decodes. Decoded prompt by prompt (no batch graph), the batch is
   * sent to the decoder in slices of `GRID_SLICE_PROMPTS`: an interactive decode called meanwhile goes before the
   * next slice, even while it is still fetching its embedding, so an automatic pass running in the background
   * delays a click by one slice, not by a whole batch (issue 17: 64 prompts took 0.6 s on the demo model). The
   * candidates are those of one request: prompts are decoded independently, in the same order.
   */
  async decodeGrid(embedding: Embedding, args: Omit<DecodeGridArgs, 'key'>): Promise<DecodeGridResult> {
    const count = args.points.length / 2;
    // A batch graph decodes the batch in one run; slicing it would change its batch size, so it stays whole.
    const oneRun = args.batched && this.model?.info.gridBatching;
    if (oneRun || count <= GRID_SLICE_PROMPTS) return this.decodeGridSlice(embedding, args);
    const candidates: DecodeGridResult['candidates'][number][] = [];
    let decoded = 0;
    let upsampled = 0;
    let batched = false;
    let decodeMs = 0;
    let postprocessMs = 0;
    for (let start = 0; start < count; start += GRID_SLICE_PROMPTS) {
      const end = Math.min(count, start + GRID_SLICE_PROMPTS);
      const part = await this.decodeGridSlice(embedding, {
        ...args,
        points: args.points.slice(2 * start, 2 * end),
      });
      for (const c of part.candidates) candidates.push({ ...c, pointIndex: start + c.pointIndex });
      decoded += part.decoded;
      upsampled += part.upsampled;
      batched ||= part.batched;
      decodeMs += part.timings.decodeMs;
      postprocessMs += part.timings.postprocessMs;
    }
    return { candidates, decoded, upsampled, batched, timings: { decodeMs, postprocessMs } };
  }

  private async decodeGridSlice(
    embedding: Embedding,
    args: Omit<DecodeGridArgs, 'key'>,
  ): Promise<DecodeGridResult> {
    while (this.arriving > 0) await new Promise<void>((resolve) => this.arrivalWaiters.push(resolve));
    return this.serially(async () => {
      await this.ensureOnDecoder(embedding);
      return this.decoder.call('decodeGrid', { ...args, key: embedding.key }, 'decoding grid points');
    });
  }

  /** Encode these images in the background, in order, without delaying interactive work. */
  prefetch(files: readonly string[]): void {
    for (const file of files) {
      this.embed(file, 'prefetch').catch(() => {
        // Reported through the 'embedding' event; a prefetch failure is not the caller's error.
      });
    }
  }

  /** Drop queued background encodes (a running one finishes). */
  cancelPrefetch(): void {
    for (const job of [...this.queue]) {
      if (job.priority !== 'prefetch') continue;
      this.queue.splice(this.queue.indexOf(job), 1);
      this.setJobState(job, 'missing');
      job.reject(new UserError(`prefetch of ${job.file} was cancelled`));
    }
  }

  async predict(file: string, prompt: Prompt, options: PredictOptions = {}): Promise<Prediction> {
    const queued = this.announce(); // before the first await: grid batches queued from now on wait for this
    this.clicksInFlight++;
    try {
      return await this.predictAnnounced(file, prompt, options, queued);
    } finally {
      queued();
      this.clickAnswered();
    }
  }

  private async predictAnnounced(
    file: string,
    prompt: Prompt,
    options: PredictOptions,
    queued: () => void,
  ): Promise<Prediction> {
    const started = performance.now();
    const seq = options.lane ? (this.laneSeq.get(options.lane) ?? 0) + 1 : 0;
    if (options.lane) this.laneSeq.set(options.lane, seq);
    const { embedding, source, encodeMs } = await this.embed(file, 'interactive');
    const model = this.requireModel();
    if (prompt.box && !model.info.capabilities.box)
      throw new UserError(`model ${model.info.name} takes no box prompts`);
    if (prompt.maskInput && !model.info.capabilities.maskInput) {
      throw new UserError(`model ${model.info.name} cannot refine from an earlier mask`);
    }
    const run = async (): Promise<DecodeResult> => {
      if (options.lane && this.laneSeq.get(options.lane) !== seq)
        throw new SupersededError(`superseded in lane ${options.lane}`);
      await this.ensureOnDecoder(embedding);
      return this.decoder.call(
        'decode',
        {
          key: embedding.key,
          prompt: serializePrompt(prompt),
          multimask: options.multimask ?? true,
          output: options.output ?? { rle: true, bitmap: false },
        },
        `decoding a prompt on ${file}`,
      );
    };
    const pending = this.serially(run);
    queued();
    if (options.output && !options.output.rle) void this.startMasks().catch(() => undefined);
    const decoded = await pending;
    return {
      image: { file: path.resolve(file), ...decoded.size },
      candidates: decoded.candidates,
      embeddingSource: source,
      timings: { ...decoded.timings, encodeMs, totalMs: performance.now() - started },
    };
  }

  /**
   * The full-resolution forms of a candidate that an earlier preview-only decode of this image returned (its
   * low-res logits): what accepting a preview needs. Made in the masks worker, not the decoder's: a 20 MP mask
   * takes ~180 ms, and the next click must not wait for it (issue 16).
   */
  async fullMask(
    file: string,
    lowRes: Float32Array,
    output: PredictOptions['output'] = { rle: true, bitmap: false },
  ): Promise<MaskForms> {
    const { embedding } = await this.embed(file, 'interactive');
    await this.startMasks();
    // The worker gets a copy: the caller keeps its logits for refinement.
    const own = lowRes.slice();
    return this.masks.call(
      'upsample',
      { frame: embedding.frame, lowRes: own, output },
      `upsampling a mask of ${file}`,
      [own.buffer as ArrayBuffer],
    );
  }

  /** The masks worker, started once per model (a preview-only decode starts it: its full mask comes next). */
  private startMasks(): Promise<unknown> {
    const args = this.masksArgs;
    if (!args) return Promise.reject(new UserError('no model is loaded'));
    this.masksReady ??= this.masks.init(args).catch((error: unknown) => {
      this.masksReady = undefined;
      throw error;
    });
    return this.masksReady;
  }

  /**
   * A background encode started during a click shares the cores with the click's decode (issue 17: a click during
   * prefetches took twice as long); the queue waits for the click's answer instead.
   */
  private clickAnswered(): void {
    // After the caller got the answer (its continuations run first), like the click's next steps would.
    if (--this.clicksInFlight === 0) setImmediate(() => void this.pump());
  }

  /** Count an interactive decode as arriving; the returned function (idempotent) says it is queued or gone. */
  private announce(): () => void {
    this.arriving++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.arriving === 0) for (const wake of this.arrivalWaiters.splice(0)) wake();
    };
  }

  /**
   * Decoder work runs one request at a time, so a request's turn comes only when the previous one finished:
   * that is when a superseded request of a lane can still be dropped instead of run.
   */
  private serially<T>(run: () => Promise<T>): Promise<T> {
    const result = this.decodeChain.then(run, run);
    this.decodeChain = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.dropQueue(new UserError('the inference service was closed'));
    await Promise.all([this.encoder.close(), this.decoder.close(), this.masks.close()]);
  }

  private requireModel(): LoadedModel {
    if (!this.model) throw new UserError('no model is loaded');
    return this.model;
  }

  /** Crops have no state of their own (the image's state is about the image's embedding). */
  private setJobState(job: EncodeJob, state: EmbeddingState, error?: string): void {
    if (!job.crop) this.setState(job.file, state, error);
  }

  /** `always`: report even an unchanged state (a cache hit answers a listener that subscribed late). */
  private setState(file: string, state: EmbeddingState, error?: string, always = false): void {
    if (this.states.get(file) === state && !error && !always) return;
    this.states.set(file, state);
    this.options.onEvent?.({ type: 'embedding', file, state, error });
  }

  /** Content hash of an image, reusing the last one while the file's size and mtime are unchanged. */
  private async identify(
    file: string,
    model: LoadedModel,
  ): Promise<{ identity: ImageIdentity; bytes?: Uint8Array }> {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) await readImageFile(file); // throws the right UserError (missing, directory…)
    const known = this.identities.get(file);
    const prefix = `${model.info.encoderSha256.slice(0, 16)}:`;
    if (
      known &&
      known.size === info!.size &&
      known.mtimeMs === info!.mtimeMs &&
      known.key.startsWith(prefix)
    ) {
      return { identity: known };
    }
    const bytes = await readImageFile(file);
    const imageSha = hashBytes(bytes);
    const identity = { key: `${prefix}${imageSha}`, imageSha, size: info!.size, mtimeMs: info!.mtimeMs };
    this.identities.set(file, identity);
    return { identity, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  private enqueue(
    file: string,
    identity: ImageIdentity,
    bytes: Uint8Array | undefined,
    priority: EncodeJob['priority'],
    crop?: EncodeJob['crop'],
  ): Promise<EmbeddingInfo> {
    let resolve!: (value: EmbeddingInfo) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<EmbeddingInfo>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const job: EncodeJob = {
      key: identity.key,
      file,
      imageSha: identity.imageSha,
      crop,
      priority,
      bytes,
      promise,
      resolve,
      reject,
    };
    if (priority === 'interactive') this.insertInteractive(job);
    else this.queue.push(job);
    this.setJobState(job, 'queued');
    void this.pump();
    return promise;
  }

  private insertInteractive(job: EncodeJob): void {
    const firstBackground = this.queue.findIndex((j) => j.priority !== 'interactive');
    this.queue.splice(firstBackground === -1 ? this.queue.length : firstBackground, 0, job);
  }

  private promote(job: EncodeJob): void {
    job.priority = 'interactive';
    const index = this.queue.indexOf(job);
    if (index !== -1) {
      this.queue.splice(index, 1);
      this.insertInteractive(job);
    }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    if (this.clicksInFlight > 0 && this.queue[0]?.priority !== 'interactive') return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    this.setJobState(job, 'encoding');
    try {
      const info = await this.runEncode(job);
      this.setJobState(job, 'ready');
      job.resolve(info);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.setJobState(job, 'error', e.message);
      job.reject(e);
    } finally {
      this.running = undefined;
      void this.pump();
    }
  }

  private async runEncode(job: EncodeJob): Promise<EmbeddingInfo> {
    const model = this.requireModel();
    // Transferred to the worker: give it a buffer of its own.
    const own = (raw: Uint8Array) =>
      raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : raw.slice();
    let result;
    if (job.crop) {
      const pixels = await job.crop.pixels();
      const rgb = own(pixels.rgb);
      result = await this.encoder.call(
        'encodePixels',
        { ...pixels, rgb },
        `encoding crop [${job.crop.box.join(', ')}] of ${job.file}`,
        [rgb.buffer as ArrayBuffer],
      );
    } else {
      const bytes = own(job.bytes ?? (await readImageFile(job.file)));
      job.bytes = undefined;
      result = await this.encoder.call(
        'encode',
        { file: job.file, bytes: bytes as Uint8Array },
        `encoding ${job.file}`,
        [bytes.buffer as ArrayBuffer],
      );
    }
    if (this.model !== model) throw new UserError('the model was changed during encoding');
    const embedding: Embedding = { key: job.key, tensors: result.tensors, frame: result.frame };
    this.memory.set(embedding);
    if (this.disk) {
      // A failing disk cache (full disk, read-only folder) only costs a re-encode later.
      await this.disk.put(model.info.encoderSha256, job.imageSha, embedding).catch(() => undefined);
    }
    return { embedding, source: 'encoder', encodeMs: result.timings.encodeMs };
  }

  private async ensureOnDecoder(embedding: Embedding): Promise<void> {
    if (this.decoderLife !== this.decoder.restartCount) {
      this.decoderKeys = [];
      this.decoderLife = this.decoder.restartCount;
    }
    if (this.decoderKeys.includes(embedding.key)) return;
    const { kept } = await this.decoder.call(
      'setEmbedding',
      { key: embedding.key, tensors: embedding.tensors, frame: embedding.frame },
      'receiving an embedding',
    );
    // The worker keeps a byte budget of embeddings; it says which.
    this.decoderKeys = [...kept];
  }

  private dropQueue(error: Error): void {
    for (const job of this.queue.splice(0)) {
      this.setJobState(job, 'missing');
      job.reject(error);
    }
  }
}
