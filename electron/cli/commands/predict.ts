/** `sam-annotate predict`: masks for prompts on one image, as COCO RLE JSON. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../common/errors.ts';
import { imageBox, imagePoint } from '../../common/frames.ts';
import type { PointPrompt, Prompt } from '../../common/prompts.ts';
import type { DecodedCandidate } from '../../inference/worker/protocol.ts';
import type { ModelInfo, Prediction, SamService } from '../../inference/samService.ts';
import { writeFileAtomic } from '../../node/atomicWrite.ts';
import { UsageError, numbersOf, parseFlags, required } from '../args.ts';
import { readLogitsCandidate, writeLogits } from '../logitsFile.ts';
import { type PromptSet, parsePromptSets } from '../promptSets.ts';
import { SERVICE_FLAGS, SERVICE_HELP, serviceFrom } from '../serviceFlags.ts';
import { resolveModelDir } from '../../models/defaultModel.ts';

export const summary = 'masks for point/box prompts on one image (COCO RLE JSON)';

export const help = `Usage: sam-annotate predict [--model DIR|NAME] --image FILE [prompt flags] --out FILE.json

Runs SAM on one image and writes the masks as COCO compressed RLE at the image's resolution.
Coordinates are pixels of the original image (after EXIF orientation), x to the right, y down.

Prompts (one set):
  --point X,Y,LABEL   a point; LABEL 1 = positive, 0 = negative (repeatable)
  --box X0,Y0,X1,Y1   a box (corners, inclusive pixel coordinates)
  --multimask         return the 3 candidates of Meta's multimask tokens (default: 1 mask, Meta's single-mask
                      choice: SAM 1 token 0; SAM 2 token 0 unless unstable, then the best of 1..3; models
                      without token 0 the best of 1..3 by predicted IoU)
  --mask-input FILE[#N]
                      refine: feed candidate N (default 0) of a logits file written by --logits-out
  --logits-out FILE   write the low-res logits of every candidate (float32 [C,L,L]) and FILE.json
Prompts (many sets, one encoder pass):
  --prompts FILE.json sets in the form of the conformance index.json "prompts" (name, point_coords,
                      point_labels, box, multimask_output, mask_input_from)
  --logits-dir DIR    write each set's logits as DIR/<name>.low_res_logits.f32 (+ .json)
Model and output:
  --model DIR|NAME    model folder (encoder + decoder ONNX; see sam-annotate models --help) or the name of an
                      installed model; default: the default model (sam-annotate models default), which on a
                      fresh install is the built-in demo model (trained on synthetic shapes)
  --image FILE        image (JPEG, PNG, WebP, TIFF, …)
  --out FILE.json     output; candidates are in the decoder's token order. bbox is COCO [x, y, w, h].
${SERVICE_HELP}`;

const FLAGS = {
  model: { type: 'string' },
  image: { type: 'string' },
  point: { type: 'string', multiple: true },
  box: { type: 'string' },
  multimask: { type: 'boolean' },
  'mask-input': { type: 'string' },
  'logits-out': { type: 'string' },
  prompts: { type: 'string' },
  'logits-dir': { type: 'string' },
  out: { type: 'string' },
  ...SERVICE_FLAGS,
} as const;

function parsePoint(value: string): PointPrompt {
  const [x, y, label] = numbersOf('point', value, 3) as [number, number, number];
  if (label !== 0 && label !== 1)
    throw new UsageError(`--point ${value}: LABEL must be 1 (positive) or 0 (negative)`);
  return { point: imagePoint(x, y), label };
}

function parseBox(value: string) {
  const [x0, y0, x1, y1] = numbersOf('box', value, 4) as [number, number, number, number];
  if (!(x1 >= x0 && y1 >= y0))
    throw new UsageError(`--box ${value}: expected X0,Y0,X1,Y1 with X1 ≥ X0 and Y1 ≥ Y0`);
  return imageBox(x0, y0, x1, y1);
}

export function maskJson(c: DecodedCandidate, size: { width: number; height: number }) {
  return {
    segmentation: { size: [size.height, size.width], counts: c.rle },
    area: c.area,
    bbox: c.bbox,
    predicted_iou: c.predictedIou,
    stability_score: c.stabilityScore,
    token: c.token,
  };
}

function modelJson(info: ModelInfo) {
  return {
    name: info.name,
    dir: info.dir,
    layout: info.layout,
    family: info.family ?? null,
    model_family: info.modelFamily,
    variant: info.variant ?? null,
    input_size: info.geometry.inputSize,
    encoder_sha256: info.encoderSha256,
    demo: info.demo,
    capabilities: {
      mask_input: info.capabilities.maskInput,
      box: info.capabilities.box,
      single_mask: info.capabilities.singleMask,
    },
  };
}

function providerJson(info: ModelInfo) {
  const same = info.encoder.provider === info.decoder.provider;
  return {
    provider: same
      ? info.encoder.provider
      : `encoder:${info.encoder.provider},decoder:${info.decoder.provider}`,
    provider_fallbacks: [...info.encoder.fallbacks, ...info.decoder.fallbacks].filter(
      (f, i, all) => all.findIndex((g) => g.provider === f.provider) === i,
    ),
  };
}

async function runSets(service: SamService, image: string, sets: PromptSet[], logitsDir: string | undefined) {
  const byName = new Map<string, Prediction>();
  const results = [];
  const side = service.modelInfo!.geometry.lowResSize;
  for (const set of sets) {
    let maskInput: Float32Array | undefined;
    if (set.maskInputFrom) {
      const source = byName.get(set.maskInputFrom.prompt)!;
      const candidate = source.candidates[set.maskInputFrom.candidate];
      if (!candidate) {
        throw new UserError(
          `prompt set ${set.name}: ${set.maskInputFrom.prompt} has ${source.candidates.length} candidates, no #${set.maskInputFrom.candidate}`,
        );
      }
      maskInput = candidate.lowRes;
    }
    const prompt: Prompt = { points: set.points, box: set.box, maskInput };
    const prediction = await service.predict(image, prompt, { multimask: set.multimask });
    byName.set(set.name, prediction);
    if (logitsDir) {
      await writeLogits(path.join(logitsDir, `${set.name}.low_res_logits.f32`), prediction.candidates, side, {
        prompt: set.name,
      });
    }
    results.push({
      name: set.name,
      masks: prediction.candidates.map((c) => maskJson(c, prediction.image)),
      timings: prediction.timings,
    });
  }
  return results;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags('predict', argv, FLAGS);
  const image = required('image', 'predict', values.image);
  const out = required('out', 'predict', values.out);
  const single =
    values.point?.length || values.box || values['mask-input'] || values['logits-out'] || values.multimask;
  if (values.prompts && single)
    throw new UsageError('predict: use either --prompts FILE or --point/--box flags, not both');
  if (!values.prompts && !values.point?.length && !values.box)
    throw new UsageError('predict: give at least one --point or a --box (or --prompts FILE)');
  if (values['logits-dir'] && !values.prompts)
    throw new UsageError('predict: --logits-dir goes with --prompts');

  let sets: PromptSet[] | undefined;
  if (values.prompts) {
    const text = await readFile(values.prompts, 'utf8').catch(() => {
      throw new UserError(`cannot read prompts file ${values.prompts}: no such file`);
    });
    sets = parsePromptSets(values.prompts, text, path.basename(image));
  }
  const points = (values.point ?? []).map(parsePoint);
  const box = values.box ? parseBox(values.box) : undefined;

  const picked = await resolveModelDir(values.model);
  if (!picked) throw new UsageError('predict: no model; pass --model DIR (see sam-annotate models --help)');
  if (picked.note) console.error(`sam-annotate: note: ${picked.note}`);
  const service = serviceFrom(values);
  try {
    const info = await service.loadModel(picked.dir);
    const header = {
      image: { file_name: path.basename(image), width: 0, height: 0 },
      model: modelJson(info),
      ...providerJson(info),
    };
    let body: object;
    if (sets) {
      const results = await runSets(service, image, sets, values['logits-dir']);
      const embedded = await service.embed(image);
      header.image.width = embedded.embedding.frame.image.width;
      header.image.height = embedded.embedding.frame.image.height;
      body = { results };
    } else {
      const maskInput = values['mask-input']
        ? await readLogitsCandidate(values['mask-input'], info.geometry.lowResSize)
        : undefined;
      const prediction = await service.predict(
        image,
        { points, box, maskInput },
        { multimask: !!values.multimask },
      );
      header.image.width = prediction.image.width;
      header.image.height = prediction.image.height;
      if (values['logits-out'])
        await writeLogits(values['logits-out'], prediction.candidates, info.geometry.lowResSize, {});
      body = {
        masks: prediction.candidates.map((c) => maskJson(c, prediction.image)),
        timings: prediction.timings,
      };
    }
    await writeFileAtomic(out, `${JSON.stringify({ ...header, ...body }, null, 2)}\n`);
    console.error(`wrote ${out} (${header.provider})`);
    return 0;
  } finally {
    await service.close();
  }
}
