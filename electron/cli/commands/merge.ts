/** `sam-annotate merge`: join the output folders of `amg --shard I/N` jobs into one folder and/or a COCO file. */
import type { Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../common/errors.ts';
import { COCO_BETWEEN, COCO_END, cocoHead } from '../../common/formatCoco.ts';
import type { Sa1bAnnotation, Sa1bImage } from '../../common/formatSa1b.ts';
import { rleBboxCoco } from '../../common/rle.ts';
import { AtomicDir, AtomicFile } from '../../dataset/outputs.ts';
import { type AmgRunInfo, RUN_FILE, readRunInfo, runDifference } from '../amgRun.ts';
import { UsageError, parseFlags } from '../args.ts';
import { Progress } from '../progress.ts';

export const summary = 'join the outputs of sharded amg runs into one folder or one COCO file';

export const help = `Usage: sam-annotate merge SHARD_DIR... [--output DIR] [--coco FILE.json]

Joins the --output folders of "sam-annotate amg --shard I/N" jobs (see docs/cluster.md). Every folder must come
from the same settings (its amg-run.json: format, parameters, model) and no image may appear in two of them.

  --output DIR      one folder with every shard's files, as an unsharded run writes them (new, empty, or an earlier
                    merge; replaced atomically)
  --coco FILE.json  one COCO instances file (sa1b shards): images with their image_id, one category "object",
                    annotations with RLE segmentation, COCO bbox (w = x_max − x_min + 1) and area, plus the
                    SA-1B fields predicted_iou, stability_score, point_coords, crop_box

At least one of --output and --coco.`;

const FLAGS = { output: { type: 'string' }, coco: { type: 'string' } } as const;

interface ShardFile {
  readonly shard: string;
  /** Relative to the shard folder, POSIX separators. */
  readonly relative: string;
}

/** Every output file of a shard folder (not amg-run.json, not hidden files). */
async function filesOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string, prefix: string) => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new UserError(`${folder}: cannot list the folder (${(error as Error).message})`);
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || (prefix === '' && e.name === RUN_FILE)) continue;
      if (e.isDirectory()) await walk(path.join(folder, e.name), `${prefix}${e.name}/`);
      else out.push(`${prefix}${e.name}`);
    }
  };
  await walk(dir, '');
  return out.sort();
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('merge', argv, FLAGS, true);
  if (positionals.length === 0)
    throw new UsageError('merge: name the shard folders to join (see: sam-annotate merge --help)');
  if (!values.output && !values.coco)
    throw new UsageError('merge: give --output DIR and/or --coco FILE.json');

  const twice = positionals.find(
    (dir, i) => positionals.findIndex((d) => path.resolve(d) === path.resolve(dir)) !== i,
  );
  if (twice) throw new UsageError(`merge: ${twice} is given twice`);
  // Same settings everywhere.
  let first: { dir: string; info: AmgRunInfo } | undefined;
  for (const dir of positionals) {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new UserError(`${dir}: no such folder`);
    const run = await readRunInfo(dir);
    if (!run) throw new UserError(`${dir}: not an amg output folder (no ${RUN_FILE})`);
    if (!first) first = { dir, info: run };
    const difference = runDifference(first.info, run);
    if (difference)
      throw new UserError(`${first.dir} and ${dir} were made with different settings (${difference})`);
  }
  const format = first!.info.output_format;
  if (values.coco && format !== 'sa1b')
    throw new UsageError('merge: --coco needs sa1b shards (amg --format sa1b)');

  // Every file once; an image in two shards is an error (overlapping shards or a folder given twice).
  const owner = new Map<string, ShardFile>();
  const imageOwner = (relative: string) =>
    format === 'sa1b' ? relative : relative.slice(0, relative.lastIndexOf('/'));
  const seenImages = new Map<string, string>();
  for (const shard of positionals) {
    for (const relative of await filesOf(shard)) {
      const image = imageOwner(relative);
      const other = seenImages.get(image);
      if (other !== undefined && other !== shard)
        throw new UserError(`${image} is in two shards: ${other} and ${shard} (overlapping shards?)`);
      seenImages.set(image, shard);
      owner.set(relative, { shard, relative });
    }
  }
  const files = [...owner.values()].sort((a, b) => (a.relative < b.relative ? -1 : 1));
  const bar = new Progress('merging');

  if (values.output) {
    const dir = await AtomicDir.create(values.output, 'amg-merge');
    try {
      await dir.writeFile(RUN_FILE, `${JSON.stringify(first!.info, null, 2)}\n`);
      for (const [i, f] of files.entries()) {
        await dir.writeFile(f.relative, await readFile(path.join(f.shard, ...f.relative.split('/'))));
        bar.update(i + 1, files.length);
      }
      await dir.commit();
    } catch (error) {
      await dir.abort();
      throw error;
    }
  }

  let annotations = 0;
  if (values.coco) {
    const docs = files.filter((f) => f.relative.endsWith('.json'));
    const ids = new Map<number, string>();
    const out = await AtomicFile.create(values.coco);
    try {
      const category = { id: 1, name: 'object', supercategory: 'object' };
      await out.write(
        cocoHead({ description: 'SAM Annotate automatic masks (sam-annotate merge)', amg: first!.info }, [
          category,
        ]),
      );
      // Two passes over the files (images, then annotations) keep memory to one file at a time.
      const read = async (f: ShardFile) => {
        const file = path.join(f.shard, ...f.relative.split('/'));
        try {
          return JSON.parse(await readFile(file, 'utf8')) as {
            image: Sa1bImage;
            annotations: Sa1bAnnotation[];
          };
        } catch (error) {
          throw new UserError(`${file}: not an SA-1B JSON file (${(error as Error).message})`);
        }
      };
      for (const [i, f] of docs.entries()) {
        const { image } = await read(f);
        const other = ids.get(image.image_id);
        if (other) throw new UserError(`image_id ${image.image_id} is used by ${other} and ${f.relative}`);
        ids.set(image.image_id, f.relative);
        const record = {
          id: image.image_id,
          file_name: image.file_name,
          width: image.width,
          height: image.height,
        };
        await out.write(`${i ? ',' : ''}${JSON.stringify(record)}`);
      }
      await out.write(COCO_BETWEEN);
      for (const [i, f] of docs.entries()) {
        const doc = await read(f);
        for (const a of doc.annotations) {
          annotations++;
          const record = {
            id: annotations,
            image_id: doc.image.image_id,
            category_id: 1,
            segmentation: a.segmentation,
            area: a.area,
            bbox: rleBboxCoco(a.segmentation),
            iscrowd: 0,
            predicted_iou: a.predicted_iou,
            stability_score: a.stability_score,
            point_coords: a.point_coords,
            crop_box: a.crop_box,
          };
          await out.write(`${annotations > 1 ? ',' : ''}${JSON.stringify(record)}`);
        }
        bar.update(i + 1, docs.length, 'coco');
      }
      await out.write(COCO_END);
      await out.commit();
    } catch (error) {
      await out.abort();
      throw error;
    }
  }
  bar.end();
  const images = seenImages.size;
  console.error(
    `merged ${positionals.length} folders: ${images} images` +
      (values.coco ? `, ${annotations} masks → ${values.coco}` : '') +
      (values.output ? ` → ${values.output}` : ''),
  );
  return 0;
}
