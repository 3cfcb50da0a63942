/**
 * Clicks without a mask input run only the prompt's part of the decoder (issue 16). The decoder graph is split
 * at load (graphEdit/imageSide.ts): the image graph runs once per image and its tensors are kept here; each
 * click then runs the prompt graph. Per click, in the decoder worker with 2 threads: SAM 1 ViT-B decoder 46.7 →
 * 38.4 ms p50, SAM 2.1 Hiera-T 47.0 → 39.0 ms; outputs identical on both.
 *
 * Which inputs are the image's is found, not declared: the layout's feeds for two different prompts (points,
 * a box, multimask on and off, no mask input) on the same image are compared, and those equal in both are
 * static. Before a click reuses kept tensors, its static feeds are compared with those they were computed
 * from, so a mask input, another image or anything a layout varies runs the right graph.
 */
import * as ort from 'onnxruntime-node';
import { describeError } from '../../common/errors.ts';
import { imageBox, imagePoint } from '../../common/frames.ts';
import type { Prompt } from '../../common/prompts.ts';
import type { EmbeddingTensors, FeedValue, Feeds, LayoutAdapter } from '../layouts/layout.ts';
import { type FrontierTensor, type ImageSideSplit, splitImageSide } from '../graphEdit/imageSide.ts';
import { GraphEditError } from '../graphEdit/protoFields.ts';

/** Bytes of image-side tensors kept: a few images (SAM 1: 10 MiB each); the newest always stays. */
export const IMAGE_SIDE_BYTES = 48 * 1024 ** 2;

type Session = ort.InferenceSession;

interface Kept {
  /** The static feeds the tensors were computed from. */
  readonly statics: Feeds;
  readonly tensors: Record<string, ort.Tensor>;
  /** Bytes held: the tensors and the static feeds (an embedding stays alive while its tensors are kept). */
  readonly bytes: number;
}

function toTensor(f: FeedValue): ort.Tensor {
  return new ort.Tensor(f.type, f.data, [...f.dims]);
}

function sameFeed(a: FeedValue, b: FeedValue): boolean {
  if (a.type !== b.type || a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i]))
    return false;
  if (a.data === b.data) return true;
  const bytes = (f: FeedValue) => Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength);
  return bytes(a).equals(bytes(b));
}

/** A deterministic embedding of the layout's shapes (values in [-1, 1)). */
function probeEmbedding(layout: LayoutAdapter): EmbeddingTensors {
  let seed = 12345;
  const random = () => (seed = (seed * 16807) % 2147483647) / 1073741823.5 - 1;
  const out: EmbeddingTensors = {};
  for (const spec of layout.imageTensors) {
    const count = spec.dims.reduce((a, b) => a * b, 1);
    out[spec.name] = { data: Float32Array.from({ length: count }, random), dims: spec.dims };
  }
  return out;
}

/** Names of the decoder inputs whose feeds do not change with the prompt (see the file comment). */
function staticInputs(a: Feeds, b: Feeds): string[] {
  return Object.keys(a).filter((name) => b[name] && sameFeed(a[name]!, b[name]!));
}

const FIRST_PROMPT: Prompt = { points: [{ point: imagePoint(1, 1), label: 1 }] };

function secondPrompt(layout: LayoutAdapter): Prompt {
  return {
    points: [
      { point: imagePoint(0, 1), label: 0 },
      { point: imagePoint(1, 0), label: 1 },
    ],
    ...(layout.capabilities.box ? { box: imageBox(0, 0, 2, 2) } : {}),
  };
}

export class ImageSideDecoder {
  private readonly kept = new Map<string, Kept>();

  private constructor(
    private readonly split: ImageSideSplit,
    private readonly image: Session,
    private readonly prompt: Session,
    private readonly statics: readonly string[],
  ) {}

  /**
   * The split decoder for `model` (the bytes the whole-graph session loaded), checked on a probe image against
   * `whole`; or the reason there is none (a graph the split cannot handle, outputs that differ), for the log.
   */
  static async create(args: {
    model: Uint8Array;
    layout: LayoutAdapter;
    whole: Session;
    load: (model: Uint8Array) => Promise<Session>;
  }): Promise<{ decoder?: ImageSideDecoder; note: string }> {
    const { model, layout, whole, load } = args;
    const fetched = layout.decoder.outputNames;
    try {
      const embedding = probeEmbedding(layout);
      const { frame } = layout.preprocess(new Uint8Array(2 * 2 * 3), 2, 2);
      const first = layout.decoderFeeds(embedding, frame, FIRST_PROMPT, true);
      const second = layout.decoderFeeds(embedding, frame, secondPrompt(layout), false);
      const statics = staticInputs(first, second);
      const split = splitImageSide(model, statics, fetched);
      if (!split) return { note: 'no decoder node depends on the image alone' };
      const sessions: Session[] = [];
      let adopted = false;
      try {
        const image = await load(split.imageModel);
        sessions.push(image);
        const frontier = await image.run(ImageSideDecoder.feedsOf(split.imageInputs, first));
        const types = new Map<string, FrontierTensor>();
        for (const name of split.computed) {
          const t = frontier[name] as ort.Tensor;
          types.set(name, { type: t.type, dims: [...t.dims] });
        }
        const prompt = await load(split.promptModel(types));
        sessions.push(prompt);
        const decoder = new ImageSideDecoder(split, image, prompt, statics);
        for (const feeds of [first, second]) {
          const names = Object.keys(feeds);
          const expected = await whole.run(ImageSideDecoder.feedsOf(names, feeds), [...fetched]);
          const mismatch = mismatchOf(expected, (await decoder.run('probe', feeds, true))!, fetched);
          if (mismatch) return { note: `the split graph's ${mismatch}; the whole graph runs every click` };
        }
        decoder.kept.clear();
        adopted = true;
        return { decoder, note: `${split.imageNodes} of ${split.totalNodes} nodes run once per image` };
      } finally {
        if (!adopted) await Promise.all(sessions.map((session) => session.release()));
      }
    } catch (error) {
      const why = error instanceof GraphEditError ? error.message : describeError(error);
      return { note: `the whole graph runs every click (${why})` };
    }
  }

  private static feedsOf(names: readonly string[], feeds: Feeds): Record<string, ort.Tensor> {
    const out: Record<string, ort.Tensor> = {};
    for (const name of names) out[name] = toTensor(feeds[name]!);
    return out;
  }

  /**
   * Run a decode of image `key` through the prompt graph; undefined when it must run the whole graph: its static
   * feeds differ from those kept and `mayCompute` is false (a prompt with a mask input: tensors computed for it
   * would serve no other click).
   */
  async run(
    key: string,
    feeds: Feeds,
    mayCompute: boolean,
  ): Promise<ort.InferenceSession.OnnxValueMapType | undefined> {
    let kept = this.kept.get(key);
    if (kept && !this.statics.every((name) => sameFeed(kept!.statics[name]!, feeds[name]!))) kept = undefined;
    if (!kept) {
      if (!mayCompute) return undefined;
      kept = await this.compute(feeds);
    }
    this.keep(key, kept); // the most recently used, last out
    const promptFeeds: Record<string, ort.Tensor> = {
      ...ImageSideDecoder.feedsOf([...this.split.promptInputs, ...this.split.passThrough], feeds),
      ...kept.tensors,
    };
    return this.prompt.run(promptFeeds, [...this.split.outputs]);
  }

  private async compute(feeds: Feeds): Promise<Kept> {
    const results = await this.image.run(ImageSideDecoder.feedsOf(this.split.imageInputs, feeds));
    const tensors: Record<string, ort.Tensor> = {};
    let bytes = 0;
    for (const name of this.split.computed) {
      const t = results[name] as ort.Tensor;
      tensors[name] = t;
      bytes += (t.data as ArrayBufferView).byteLength;
    }
    const statics: Feeds = {};
    for (const name of this.statics) {
      statics[name] = feeds[name]!;
      bytes += feeds[name]!.data.byteLength;
    }
    return { statics, tensors, bytes };
  }

  private keep(key: string, entry: Kept): void {
    this.kept.delete(key);
    this.kept.set(key, entry);
    let total = 0;
    for (const e of this.kept.values()) total += e.bytes;
    for (const [oldKey, e] of this.kept) {
      if (total <= IMAGE_SIDE_BYTES || oldKey === key) break;
      this.kept.delete(oldKey);
      total -= e.bytes;
    }
  }
}

/** "output X differs by D" when the split's outputs are not the whole graph's, else undefined. */
function mismatchOf(
  expected: ort.InferenceSession.OnnxValueMapType,
  got: ort.InferenceSession.OnnxValueMapType,
  names: readonly string[],
): string | undefined {
  for (const name of names) {
    const a = expected[name] as ort.Tensor;
    const b = got[name] as ort.Tensor | undefined;
    if (!b || a.dims.join() !== b.dims.join()) return `output ${name} has another shape`;
    const x = a.data as Float32Array;
    const y = b.data as Float32Array;
    let worst = 0;
    let scale = 1;
    for (let i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
      scale = Math.max(scale, Math.abs(x[i]!));
    }
    // Fusions across the cut may add in another order: float32 rounding, far below any mask threshold.
    if (!(worst <= 1e-4 * scale)) return `output ${name} differs by ${worst.toPrecision(3)}`;
  }
  return undefined;
}
