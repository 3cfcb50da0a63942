/**
 * What an inference worker does: hold one onnxruntime session (encoder or decoder) and turn requests into
 * results. The encoder role decodes the image and runs the encoder on the layout's preprocessed feeds. The
 * decoder role keeps the embeddings of the last few images and, per prompt, runs the decoder and postprocesses
 * only the kept candidates to full resolution. Everything family-specific (preprocessing, the tensor set, prompt
 * feeds, token selection, postprocessing) is the layout adapter's (layouts/, issue 14); this file moves tensors.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { bestCandidate } from '../../common/candidate.ts';
import { UserError, describeError } from '../../common/errors.ts';
import { type ModelFrame, imagePoint } from '../../common/frames.ts';
import { isEmptyPrompt } from '../../common/prompts.ts';
import { EmbeddingCache } from '../embeddingCache.ts';
import { decodeImage } from '../imageLoader.ts';
import { detectLayout } from '../layouts/detect.ts';
import {
  type Candidate,
  type EmbeddingTensors,
  type Feeds,
  type LayoutAdapter,
  type Outputs,
  type Preprocessed,
  tensorSetMismatch,
} from '../layouts/layout.ts';
import type { GraphSignature, TensorSignature } from '../layouts/signature.ts';
import { type DecoderSource, decoderSource, uneditedSource } from '../graphEdit/decoderSource.ts';
import { withProviderFallback } from '../providers.ts';
import { sessionOptionsFor } from '../sessionOptions.ts';
import { GridLanes, LANE_BATCH } from './gridLanes.ts';
import { ImageSideDecoder } from './imageSideDecoder.ts';
import { lowerThisThreadForEncodes } from './threadPriority.ts';
import { gridFilter } from './gridPost.ts';
import type {
  DecodeArgs,
  DecodeGridArgs,
  DecodeGridResult,
  DecodeResult,
  EncodeArgs,
  EncodePixelsArgs,
  EncodeResult,
  GridCandidate,
  InitArgs,
  InitResult,
  MaskForms,
  SetEmbeddingArgs,
  SetEmbeddingResult,
  UpsampleArgs,
} from './protocol.ts';
import { maskForms, undrawnForms } from './maskForms.ts';
import { deserializePrompt } from './serializedPrompt.ts';

/**
 * Bytes of embeddings the decoder worker keeps: the current image and a few recent ones (8 SAM 1 ViT images at
 * 4 MiB, 4 in the transformers.js layout at 8 MiB, 2 SAM 2 images at 16 MiB; the newest always stays).
 */
export const DECODER_EMBEDDING_BYTES = 32 * 1024 ** 2;

/** Grid lane workers stop after this long without grid work (the next automatic pass starts them again). */
const GRID_LANES_IDLE_MS = 30_000;

function toTensors(feeds: Feeds): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds)) out[name] = new ort.Tensor(f.type, f.data, [...f.dims]);
  return out;
}

function fromTensors(results: ort.InferenceSession.OnnxValueMapType, names: readonly string[]): Outputs {
  const out: Outputs = {};
  for (const name of names) {
    const t = results[name] as ort.Tensor | undefined;
    if (!t) throw new Error(`output ${name} missing from the run`);
    if (t.type !== 'float32') throw new UserError(`model output ${name} is ${t.type}, expected float32`);
    // Copied: the runtime's buffers are not always transferable between threads.
    out[name] = { data: (t.data as Float32Array).slice(), dims: [...t.dims] };
  }
  return out;
}

function liveSignature(session: ort.InferenceSession): GraphSignature {
  const describe = (m: ort.InferenceSession.ValueMetadata): TensorSignature =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: [...m.shape] }
      : { name: m.name, type: 'non-tensor', shape: [] };
  return { inputs: session.inputMetadata.map(describe), outputs: session.outputMetadata.map(describe) };
}

/** The live session must have exactly the signature the folder was detected from (STYLE: check at load time). */
function checkLive(file: string, expected: GraphSignature, live: GraphSignature): void {
  const names = (list: readonly TensorSignature[]) =>
    list
      .map((s) => s.name)
      .sort()
      .join(', ');
  for (const kind of ['inputs', 'outputs'] as const) {
    if (names(expected[kind]) !== names(live[kind])) {
      throw new UserError(
        `${file}: onnxruntime reports ${kind} (${names(live[kind])}), the file header says (${names(expected[kind])})`,
      );
    }
  }
}

export class Engine {
  /** @param spawnLane starts a worker like this one, for grid lanes (none: grids decode in this worker). */
  constructor(private readonly spawnLane?: () => Worker) {}

  private session: ort.InferenceSession | undefined;
  /** The decoder split into its image and prompt parts (decoder role; absent when the graph cannot be split). */
  private imageSide: ImageSideDecoder | undefined;
  /** The batch decoder graph (decoder role, created on the first grid decode that wants it). */
  private gridSession: Promise<ort.InferenceSession> | undefined;
  private provider = 'cpu';
  private layout: LayoutAdapter | undefined;
  private args: InitArgs | undefined;
  private readonly embeddings = new EmbeddingCache(DECODER_EMBEDDING_BYTES);
  private lanes: GridLanes | undefined;
  private lanesIdle: ReturnType<typeof setTimeout> | undefined;

  async init(args: InitArgs): Promise<InitResult> {
    const started = performance.now();
    const layout = detectLayout(args.dir, args.graphs, args.manifest);
    const role = args.role;
    if (role === 'masks') return this.initMasks(args, layout, started);
    // Before the session starts its threads: they inherit the priority (threadPriority.ts).
    if (role === 'encoder') lowerThisThreadForEncodes();
    const relative = role === 'encoder' ? layout.encoder.file : layout.decoder.file;
    const file = path.join(args.dir, relative);
    const graph = args.graphs.find((g) => g.file === relative)!;
    ort.env.logLevel = 'fatal';
    const load = (model: string | Uint8Array) =>
      withProviderFallback(args.session.providers, (provider) => {
        const options = sessionOptionsFor(role, { provider, threads: args.session.threads });
        return typeof model === 'string'
          ? ort.InferenceSession.create(model, options)
          : ort.InferenceSession.create(model, options);
      }).catch((error: unknown) => {
        throw new UserError(`cannot load model file ${file}: ${describeError(error)}`, { cause: error });
      });
    // The decoder edited for speed, same results (issue 16, graphEdit/decoderSource.ts): without the outputs
    // nobody fetches (Meta's in-graph full-size `masks`), channel means as 1×1 convolutions.
    let source: DecoderSource =
      args.role === 'decoder'
        ? await decoderSource(file, graph, layout.decoder.outputNames)
        : { model: file, outputs: graph.graph.outputs.map((o) => o.name) };
    const attempt = await load(source.model).catch(async (error: unknown) => {
      if (typeof source.model === 'string') throw error;
      source = uneditedSource(file, graph, `onnxruntime refused the edited graph: ${describeError(error)}`);
      return load(source.model);
    });
    if (source.fallback) console.error(`sam-annotate: ${source.note}`);
    const session = attempt.value;
    this.provider = attempt.provider;
    const live = liveSignature(session);
    const outputs = new Set(source.outputs);
    checkLive(
      file,
      { ...graph.graph, outputs: graph.graph.outputs.filter((o) => outputs.has(o.name)) },
      live,
    );
    let note = source.note;
    if (role === 'decoder' && !source.fallback && args.splitDecoder !== false) {
      // Clicks without a mask input run only the prompt's part (issue 16, imageSideDecoder.ts).
      const split = await ImageSideDecoder.create({
        model: typeof source.model === 'string' ? await readFile(source.model) : source.model,
        layout,
        whole: session,
        load: async (model) => (await load(model)).value,
      });
      this.imageSide = split.decoder;
      note = `${note ?? `${file}: decoder graph as exported`}; ${split.note}`;
    }
    this.session = session;
    this.layout = layout;
    this.args = args;
    return {
      provider: attempt.provider,
      fallbacks: attempt.fallbacks,
      loadMs: performance.now() - started,
      geometry: layout.geometry,
      capabilities: layout.capabilities,
      inputs: live.inputs,
      outputs: live.outputs,
      ...(note ? { graphNote: note } : {}),
    };
  }

  async encode({ file, bytes }: EncodeArgs): Promise<EncodeResult> {
    const { layout } = this.ready('encoder');
    const t0 = performance.now();
    const image = await decodeImage(file, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const t1 = performance.now();
    const pre = layout.preprocess(image.rgb, image.width, image.height);
    const t2 = performance.now();
    const tensors = await this.runEncoder(pre);
    const t3 = performance.now();
    return {
      tensors,
      frame: pre.frame,
      contentHash: image.contentHash,
      timings: { decodeMs: t1 - t0, preprocessMs: t2 - t1, encodeMs: t3 - t2 },
    };
  }

  /** Encode an RGB buffer (a crop of an image the caller decoded): the same steps as `encode` after decoding. */
  async encodePixels({ rgb, width, height }: EncodePixelsArgs): Promise<EncodeResult> {
    const { layout } = this.ready('encoder');
    if (rgb.length !== width * height * 3)
      throw new Error(`encodePixels: ${rgb.length} bytes for ${width}×${height} RGB`);
    const t1 = performance.now();
    const pre = layout.preprocess(rgb, width, height);
    const t2 = performance.now();
    const tensors = await this.runEncoder(pre);
    const t3 = performance.now();
    // No file: the caller names the pixels (its cache key); there is no content hash to report.
    return {
      tensors,
      frame: pre.frame,
      contentHash: '',
      timings: { decodeMs: 0, preprocessMs: t2 - t1, encodeMs: t3 - t2 },
    };
  }

  /** The encoder on preprocessed feeds → the layout's image tensor set, checked against what it declares. */
  private async runEncoder({ feeds }: Preprocessed): Promise<EmbeddingTensors> {
    const { session, layout } = this.ready('encoder');
    const results = await session.run(toTensors(feeds), [...layout.encoder.outputNames]);
    const tensors = layout.embeddingFrom(fromTensors(results, layout.encoder.outputNames));
    const mismatch = tensorSetMismatch(layout.imageTensors, tensors);
    if (mismatch) throw new UserError(`${layout.encoder.file}: the encoder returned ${mismatch}`);
    return tensors;
  }

  /** Keep an embedding for decodes; returns the keys kept, so the host knows what to send again. */
  setEmbedding({ key, tensors, frame }: SetEmbeddingArgs): SetEmbeddingResult {
    this.embeddings.set({ key, tensors, frame });
    return { kept: this.embeddings.keys() };
  }

  hasEmbedding(key: string): boolean {
    return this.embeddings.has(key);
  }

  async decode({ key, prompt: serialized, multimask, output }: DecodeArgs): Promise<DecodeResult> {
    const { layout, args } = this.ready('decoder');
    const embedding = this.embeddings.get(key);
    if (!embedding) throw new Error(`no embedding ${key} in the decoder worker`);
    const prompt = deserializePrompt(serialized);
    if (isEmptyPrompt(prompt)) throw new UserError('a prompt needs at least one point or a box');
    const t0 = performance.now();
    const feeds = layout.decoderFeeds(embedding.tensors, embedding.frame, prompt, multimask);
    const results = await this.runDecoder(key, feeds, !prompt.maskInput);
    const candidates = layout.selectCandidates(fromTensors(results, layout.decoder.outputNames), multimask);
    const t1 = performance.now();
    const { width, height } = embedding.frame.image;
    const formsOf = (lowRes: Float32Array) =>
      this.masksOf(layout, lowRes, embedding.frame, output, args.maskThreshold);
    const decoded = candidates.map((c) => ({
      token: c.token,
      predictedIou: c.predictedIou,
      rankScore: c.rankScore ?? c.predictedIou,
      lowRes: c.lowRes,
      ...(output.previewBestOnly
        ? undrawnForms(layout.postprocess, c.lowRes, embedding.frame, args.maskThreshold)
        : formsOf(c.lowRes)),
    }));
    if (output.previewBestOnly) {
      // Counted small first, so the one the renderer shows first (bestCandidate) is the one previewed.
      const best = bestCandidate(decoded);
      decoded[best] = { ...decoded[best]!, ...formsOf(decoded[best]!.lowRes) };
    }
    return {
      candidates: decoded,
      size: { width, height },
      timings: { decodeMs: t1 - t0, postprocessMs: performance.now() - t1 },
    };
  }

  /**
   * One batch of Meta's automatic mask generation on one crop (see `DecodeGridArgs`). With a batch graph all
   * prompts go through one run; without, one run per prompt, spread over the lane workers when there are
   * several (gridLanes.ts). Only survivors leave the worker, as RLE.
   */
  async decodeGrid(a: DecodeGridArgs): Promise<DecodeGridResult> {
    const { session, layout, args } = this.ready('decoder');
    const embedding = this.embeddings.get(a.key);
    if (!embedding) throw new Error(`no embedding ${a.key} in the decoder worker`);
    const { frame, tensors } = embedding;
    const count = a.points.length / 2;
    const [x0, y0, x1, y1] = a.cropBox;
    if (frame.image.width !== x1 - x0 || frame.image.height !== y1 - y0)
      throw new Error(
        `embedding ${a.key} is ${frame.image.width}×${frame.image.height}, not the crop's size`,
      );
    const grid = a.batched ? layout.grid : undefined;
    if (count > 1) {
      const lanes = this.gridLanes(a.lanes);
      if (lanes) {
        try {
          return await lanes.decodeGrid(embedding, a, grid ? LANE_BATCH : 1);
        } finally {
          this.closeLanesWhenIdle(lanes);
        }
      }
    }
    const filter = gridFilter(layout.postprocess, frame, a, args.maskThreshold);
    let decodeMs = 0;
    let postprocessMs = 0;
    let decoded = 0;
    let upsampled = 0;
    const out: GridCandidate[] = [];
    const keep = (pointIndex: number, candidates: readonly Candidate[]) => {
      const kept = filter(pointIndex, candidates);
      decoded += kept.decoded;
      upsampled += kept.upsampled;
      out.push(...kept.candidates);
    };
    if (grid) {
      const runner = await this.gridRunner(layout, session, grid.file);
      const t0 = performance.now();
      const results = await runner.run(toTensors(grid.feeds(tensors, frame, a.points)), [
        ...grid.outputNames,
      ]);
      const perPrompt = grid.candidates(fromTensors(results, grid.outputNames), count);
      const t1 = performance.now();
      perPrompt.forEach((candidates, i) => keep(i, candidates));
      decodeMs = t1 - t0;
      postprocessMs = performance.now() - t1;
    } else {
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const prompt = {
          points: [{ point: imagePoint(a.points[2 * i]!, a.points[2 * i + 1]!), label: 1 as const }],
        };
        const feeds = layout.decoderFeeds(tensors, frame, prompt, true);
        const results = await this.runDecoder(a.key, feeds, true);
        const candidates = layout.selectCandidates(fromTensors(results, layout.decoder.outputNames), true);
        const t1 = performance.now();
        keep(i, candidates);
        decodeMs += t1 - t0;
        postprocessMs += performance.now() - t1;
      }
    }
    return { candidates: out, decoded, upsampled, batched: !!grid, timings: { decodeMs, postprocessMs } };
  }

  /**
   * One decoder run: through the prompt graph when the image's part is kept or may be computed now (a prompt
   * without mask input), else the whole graph.
   */
  private async runDecoder(
    key: string,
    feeds: Feeds,
    mayCompute: boolean,
  ): Promise<ort.InferenceSession.OnnxValueMapType> {
    const { session, layout } = this.ready('decoder');
    try {
      const split = await this.imageSide?.run(key, feeds, mayCompute);
      if (split) return split;
    } catch (error) {
      // The split passed its check at load; should this image still trip it, the whole graph takes over.
      console.error(
        `sam-annotate: the split decoder failed (${describeError(error)}); using the whole graph`,
      );
      this.imageSide = undefined;
    }
    return session.run(toTensors(feeds), [...layout.decoder.outputNames]);
  }

  /**
   * The lane workers for `requested` lanes (undefined: 2 on the CPU when this session may use 2 or more threads),
   * or undefined for one lane: this worker alone. Started on first use and kept (they hold the image's embedding).
   */
  private gridLanes(requested: number | undefined): GridLanes | undefined {
    const args = this.args!;
    const threads = args.session.threads || os.availableParallelism();
    const lanes = requested ?? (this.provider === 'cpu' && threads >= 2 ? 2 : 1);
    if (lanes < 2 || !this.spawnLane) return undefined;
    clearTimeout(this.lanesIdle);
    if (this.lanes?.count !== lanes) {
      void this.lanes?.close();
      const laneArgs = { ...args, splitDecoder: !this.layout?.grid };
      this.lanes = new GridLanes(laneArgs, lanes, Math.max(1, Math.floor(threads / lanes)), this.spawnLane);
    }
    return this.lanes;
  }

  /** An app that ran one automatic pass does not keep two more sessions and embeddings for good. */
  private closeLanesWhenIdle(lanes: GridLanes): void {
    clearTimeout(this.lanesIdle);
    this.lanesIdle = setTimeout(() => {
      if (this.lanes !== lanes) return;
      this.lanes = undefined;
      void lanes.close();
    }, GRID_LANES_IDLE_MS);
    this.lanesIdle.unref();
  }

  /** The session of the grid graph: the decoder's own, or the batch graph's (loaded once, same provider). */
  private gridRunner(
    layout: LayoutAdapter,
    decoder: ort.InferenceSession,
    file: string,
  ): Promise<ort.InferenceSession> {
    if (file === layout.decoder.file) return Promise.resolve(decoder);
    this.gridSession ??= (async () => {
      const args = this.args!;
      const full = path.join(args.dir, file);
      const attempt = await withProviderFallback([...new Set([this.provider, 'cpu'])], (provider) =>
        ort.InferenceSession.create(
          full,
          sessionOptionsFor('decoder', { provider, threads: args.session.threads }),
        ),
      ).catch((error: unknown) => {
        throw new UserError(`cannot load model file ${full}: ${describeError(error)}`, { cause: error });
      });
      const expected = args.graphs.find((g) => g.file === file);
      if (expected) checkLive(full, expected.graph, liveSignature(attempt.value));
      return attempt.value;
    })();
    return this.gridSession;
  }

  /** The masks role needs the layout's postprocessing only: no session, no embeddings. */
  private initMasks(args: InitArgs, layout: LayoutAdapter, started: number): InitResult {
    this.layout = layout;
    this.args = args;
    return {
      provider: 'cpu',
      fallbacks: [],
      loadMs: performance.now() - started,
      geometry: layout.geometry,
      capabilities: layout.capabilities,
      inputs: [],
      outputs: [],
    };
  }

  /** Full-resolution forms of one candidate, for a decode that asked only for previews. */
  upsample({ frame, lowRes, output }: UpsampleArgs): MaskForms {
    if (!this.layout || this.args?.role !== 'masks')
      throw new Error('this is not an initialised masks worker');
    return this.masksOf(this.layout, lowRes, frame, output, this.args.maskThreshold);
  }

  private masksOf(
    layout: LayoutAdapter,
    lowRes: Float32Array,
    frame: ModelFrame,
    output: DecodeArgs['output'],
    threshold: number,
  ): MaskForms {
    return maskForms(layout.postprocess, lowRes, frame, output, threshold);
  }

  private ready(role: 'encoder' | 'decoder') {
    if (!this.session || !this.layout || !this.args) throw new Error('worker not initialised');
    if (this.args.role !== role)
      throw new Error(`this is the ${this.args.role} worker, not the ${role} worker`);
    return { session: this.session, layout: this.layout, args: this.args };
  }
}
