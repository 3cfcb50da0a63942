/** `sam-annotate amg`: automatic mask generation over an image or a folder (Meta's scripts/amg.py), resumable. */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { toSa1bAnnotations } from '../../common/amg/pipeline.ts';
import { UserError, isUserError } from '../../common/errors.ts';
import { amgCsv } from '../../common/formatAmgCsv.ts';
import { type Sa1bAnnotation, sa1bDocument } from '../../common/formatSa1b.ts';
import { decodeRle } from '../../common/rle.ts';
import { greyPng } from '../../dataset/pngMasks.ts';
import { generateMasks } from '../../inference/amg.ts';
import { writeFileAtomic } from '../../node/atomicWrite.ts';
import { resolveModelDir } from '../../models/defaultModel.ts';
import { UsageError, parseFlags, required } from '../args.ts';
import {
  AMG_FLAGS,
  AMG_HELP,
  type AmgFormat,
  type AmgRunInfo,
  type DatasetImage,
  RUN_FILE,
  amgParamsFrom,
  listDataset,
  outputOf,
  parseShard,
  readRunInfo,
  runDifference,
  shardOf,
} from '../amgRun.ts';
import { Progress } from '../progress.ts';
import { SERVICE_FLAGS, SERVICE_HELP, serviceFrom } from '../serviceFlags.ts';

export const summary = 'automatic mask generation ("everything") over an image or a folder (SA-1B JSON)';

export const help = `Usage: sam-annotate amg [--model DIR] --input IMAGE|FOLDER --output DIR [options]

Meta's automatic mask generator (SamAutomaticMaskGenerator, scripts/amg.py): a grid of point prompts, filtered by
predicted IoU and stability, de-duplicated by box NMS, optionally on zoomed crops. Images of a folder are found
recursively; the output mirrors the folder's structure. Masks are in Meta's order.

Input and output:
  --model DIR|NAME    model folder or installed model (default: the default model, see sam-annotate models)
  --input PATH        an image, or a folder of images
  --output DIR        output folder (created if missing)
  --format F          sa1b (default): <stem>.json per image, SA-1B form {image, annotations: [{id, segmentation
                      (COCO RLE), bbox, area, predicted_iou, point_coords, crop_box, stability_score}]}, ids 0…;
                      amg-png: amg.py's layout, <stem>/0.png, 1.png, … (mask × 255) + <stem>/metadata.csv
  --shard I/N         only the images of shard I of N (0 ≤ I < N), for job arrays; see docs/cluster.md
  --overwrite         redo images whose output exists (default: skip them, so an interrupted run resumes)
${AMG_HELP}
${SERVICE_HELP}

Exit status 1 when an image could not be processed (the others are still written).`;

const FLAGS = {
  model: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  format: { type: 'string' },
  shard: { type: 'string' },
  overwrite: { type: 'boolean' },
  ...AMG_FLAGS,
  ...SERVICE_FLAGS,
} as const;

function log(line: string): void {
  console.error(line);
}

/** Whether an earlier run left a complete output for this image. */
async function isDone(output: string, format: AmgFormat, image: DatasetImage): Promise<boolean> {
  const file = path.join(output, ...outputOf(format, image.outputBase).split('/'));
  if (format === 'amg-png')
    return stat(file).then(
      (s) => s.isFile(),
      () => false,
    );
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as {
      image?: { file_name?: string };
      annotations?: unknown;
    };
    return doc.image?.file_name === image.relative && Array.isArray(doc.annotations);
  } catch {
    return false; // missing or not a whole JSON file: do it (again)
  }
}

async function writeSa1b(
  output: string,
  image: DatasetImage,
  size: { width: number; height: number },
  annotations: Sa1bAnnotation[],
) {
  const file = path.join(output, ...`${image.outputBase}.json`.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  const doc = sa1bDocument(
    { image_id: image.imageId, width: size.width, height: size.height, file_name: image.relative },
    annotations,
  );
  await writeFileAtomic(file, doc);
}

/** amg.py's folder: the PNGs, then metadata.csv (atomically, last: it marks the folder complete). */
async function writeAmgPng(
  output: string,
  image: DatasetImage,
  size: { width: number; height: number },
  annotations: Sa1bAnnotation[],
) {
  const folder = path.join(output, ...image.outputBase.split('/'));
  await rm(folder, { recursive: true, force: true }); // a partial folder of an interrupted run
  await mkdir(folder, { recursive: true });
  for (const [i, a] of annotations.entries()) {
    const mask = decodeRle(a.segmentation).data;
    for (let p = 0; p < mask.length; p++) mask[p] = mask[p] ? 255 : 0;
    await writeFileAtomic(path.join(folder, `${i}.png`), await greyPng(mask, size.width, size.height));
  }
  await writeFileAtomic(path.join(folder, 'metadata.csv'), amgCsv(annotations));
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags('amg', argv, FLAGS);
  const input = required('input', 'amg', values.input);
  const output = path.resolve(required('output', 'amg', values.output));
  const format = (values.format ?? 'sa1b') as AmgFormat;
  if (format !== 'sa1b' && format !== 'amg-png')
    throw new UsageError(`--format ${values.format}: expected sa1b or amg-png`);
  amgParamsFrom(values); // bad flags fail before the model loads
  const shard = parseShard(values.shard);

  const all = await listDataset(input);
  if (all.length === 0) throw new UsageError(`amg: no images in ${input} (JPEG, PNG, WebP, TIFF, GIF, AVIF)`);
  const mine = shard ? all.filter((image) => shardOf(image.relative, shard.count) === shard.index) : all;
  const outInfo = await stat(output).catch(() => undefined);
  if (outInfo && !outInfo.isDirectory())
    throw new UsageError(`--output ${values.output}: exists and is not a folder`);
  await mkdir(output, { recursive: true }).catch((error: unknown) => {
    throw new UsageError(`--output ${values.output}: cannot create the folder (${(error as Error).message})`);
  });

  const model = await resolveModelDir(values.model);
  if (!model) throw new UsageError('amg: no model; pass --model DIR (see sam-annotate models --help)');
  if (model.note) log(`sam-annotate: note: ${model.note}`);
  const service = serviceFrom(values);
  try {
    const info = await service.loadModel(model.dir);
    // Unset flags take the defaults of Meta's generator for the model's family (SAM 2: pred_iou_thresh 0.8).
    const params = amgParamsFrom(values, info.modelFamily);
    const runInfo: AmgRunInfo = {
      format: 'sam-annotate-amg',
      version: 1,
      output_format: format,
      params,
      model: { name: info.name, encoder_sha256: info.encoderSha256 },
    };
    const earlier = await readRunInfo(output);
    const difference = earlier && runDifference(earlier, runInfo);
    if (difference && !values.overwrite) {
      throw new UserError(
        `${path.join(output, RUN_FILE)}: this folder holds a run with other settings (${difference}); use another --output, or --overwrite to redo every image`,
      );
    }
    if (!earlier || difference)
      await writeFileAtomic(path.join(output, RUN_FILE), `${JSON.stringify(runInfo, null, 2)}\n`);

    const todo: DatasetImage[] = [];
    for (const image of mine)
      if (values.overwrite || !(await isDone(output, format, image))) todo.push(image);
    const skipped = mine.length - todo.length;
    const label = shard ? `amg shard ${shard.index}/${shard.count}` : 'amg';
    log(
      `${label}: ${mine.length} of ${all.length} images${skipped ? `, ${skipped} already done` : ''}; model ${info.name}` +
        `${info.gridBatching ? ' (batched decoder)' : ''}, ${info.encoder.provider}`,
    );
    const bar = new Progress(todo.length === 1 ? `amg ${todo[0]!.relative}` : label);
    let masks = 0;
    let failed = 0;
    let seconds = 0;
    for (const [i, image] of todo.entries()) {
      try {
        const result = await generateMasks(service, image.file, params, {
          onProgress: todo.length === 1 ? (p) => bar.update(p.done, p.total) : undefined,
        });
        const annotations = toSa1bAnnotations(result.masks);
        if (format === 'sa1b') await writeSa1b(output, image, result.image, annotations);
        else await writeAmgPng(output, image, result.image, annotations);
        masks += annotations.length;
        seconds += result.stats.totalMs / 1000;
      } catch (error) {
        if (!isUserError(error)) throw error;
        bar.end();
        log(`sam-annotate: error: ${image.relative}: ${(error as Error).message}`);
        failed++;
      }
      if (todo.length > 1) bar.update(i + 1, todo.length);
    }
    bar.end();
    const done = todo.length - failed;
    log(
      `${label}: ${done} image${done === 1 ? '' : 's'} → ${masks} masks` +
        (done ? ` (${(seconds / done).toFixed(2)} s/image)` : '') +
        `${skipped ? `; ${skipped} skipped (done earlier)` : ''}${failed ? `; ${failed} failed` : ''}; wrote ${output}`,
    );
    return failed ? 1 : 0;
  } finally {
    await service.close();
  }
}
