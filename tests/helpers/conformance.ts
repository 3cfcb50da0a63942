/** Reads Meta's conformance data (see /work/shared/conformance/README.md) for the tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Rle } from '../../electron/common/rle.ts';
import { findConformanceDir } from './paths.ts';

export const conformanceDir = findConformanceDir();

export interface ExpectedMask extends Rle {
  area: number;
}

export interface ConformancePrompt {
  name: string;
  expected: { masks: ExpectedMask[]; low_res_logits: { file: string; shape: [number, number, number] } };
}

export interface ConformanceImage {
  name: string;
  file: string;
  /** [height, width] */
  original_size_hw: [number, number];
  input_size_hw: [number, number];
  input_resized: string;
  prompts: ConformancePrompt[];
}

/** The images of index.json, in file order; empty when the data is not present. */
export function conformanceImages(): ConformanceImage[] {
  if (!conformanceDir) return [];
  const index = JSON.parse(readFileSync(path.join(conformanceDir, 'index.json'), 'utf8')) as {
    images: Record<string, Omit<ConformanceImage, 'name'>>;
  };
  return Object.entries(index.images).map(([name, image]) => ({ name, ...image }));
}

/** Decoded 8-bit pixels of a PNG in the conformance folder, interleaved. */
export async function readPng(
  relative: string,
): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(path.join(conformanceDir!, relative))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), ...info };
}

/** One candidate's [256, 256] low-res logits (float32 little-endian file of shape [C, 256, 256]). */
export function readLowResLogits(prompt: ConformancePrompt, candidate: number): Float32Array {
  const bytes = readFileSync(path.join(conformanceDir!, prompt.expected.low_res_logits.file));
  const [count, h, w] = prompt.expected.low_res_logits.shape;
  if (bytes.length !== count * h * w * 4) throw new Error(`${prompt.name}: unexpected logits file size`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Float32Array(h * w);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32((candidate * h * w + i) * 4, true);
  return out;
}

export interface DecoderInputs {
  point_coords: [number, number][];
  point_labels: number[];
  has_mask_input: number;
  orig_im_size: [number, number];
  output_index: number[];
}

/** The fields of a prompt set beyond what the codec tests need. */
export interface FullConformancePrompt extends ConformancePrompt {
  point_coords: [number, number][] | null;
  point_labels: (0 | 1)[] | null;
  box: [number, number, number, number] | null;
  multimask_output: boolean;
  mask_input_from: { prompt: string; candidate: number } | null;
  decoder_inputs: DecoderInputs;
  expected: ConformancePrompt['expected'] & { iou_predictions: number[] };
}

/** Meta's image embedding for one image, float32 [1, 256, 64, 64]. */
export function readEmbedding(
  image: ConformanceImage & { image_embeddings?: { file: string } },
): Float32Array {
  const bytes = readFileSync(path.join(conformanceDir!, image.image_embeddings!.file));
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
