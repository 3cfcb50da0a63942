/** `sam-annotate project`: create a project, add images, import and export datasets, show statistics. */
import path from 'node:path';
import { shortenForMessage } from '../../common/errors.ts';
import { addImagesFromFolder } from '../../dataset/addImages.ts';
import { EXPORT_FORMATS, type ExportFormat, exportProject } from '../../dataset/exportProject.ts';
import type { ExportOptions } from '../../dataset/exportSelection.ts';
import { checkImageFiles } from '../../dataset/imageFiles.ts';
import { exportRootNote, importCoco } from '../../dataset/importCoco.ts';
import { relinkImages, relinkMessage } from '../../dataset/relinkImages.ts';
import type { ImportReport } from '../../dataset/importCoco.ts';
import { importSa1b } from '../../dataset/importSa1b.ts';
import {
  PROJECT_EXTENSION,
  type Project,
  createProject,
  openProject,
  userName,
} from '../../store/projectDb.ts';
import { projectStats } from '../../store/stats.ts';
import { ANNOTATION_STATUSES, type AnnotationStatus } from '../../store/types.ts';
import { UsageError, parseFlags, required } from '../args.ts';
import { Progress } from '../progress.ts';

export const summary = 'create a project, add images, import/export COCO, SA-1B, YOLO, PNG; statistics';

const FORMATS = EXPORT_FORMATS;

export const help = `Usage: sam-annotate project <subcommand> FILE${PROJECT_EXTENSION} [options]

A project is one SQLite file; images stay where they are and are referenced relative to the project file.

  create FILE${PROJECT_EXTENSION} [--images DIR]
        new project (optionally adding a folder of images)
  add-images FILE${PROJECT_EXTENSION} DIR
        add the images under DIR (recursively); duplicates (same content) are skipped and unreadable files
        listed; all or nothing
  relink FILE${PROJECT_EXTENSION} DIR
        the images moved: find each missing image under DIR (by the end of its old path, checked to be the
        same file) and store its new path
  import FILE${PROJECT_EXTENSION} (--coco FILE.json | --sa1b DIR) [--images-root DIR] [--status S] [--author NAME]
        import COCO instances JSON (polygons, RLE, crowd, box-only) or a folder of SA-1B per-image JSON files;
        one transaction; --images-root is where COCO file_name paths start (default: the JSON's folder, then
        for files not there the images_root our own export records in its info); for
        SA-1B, file_name is found from each JSON's folder (so an SA-1B export re-imports as is), or with
        --images-root in DIR's mirror: IMAGES-ROOT/<JSON's folder under DIR>/<file name>;
        --status of the imported annotations (default accepted)
  export FILE${PROJECT_EXTENSION} --format F --out PATH [--all] [--category NAME]... [--tolerance PX]
        [--include-uncategorized]
        F: coco (polygons; RLE for masks with holes), coco-polygon (holes as zero-width slits, exact in
        pycocotools), coco-rle (lossless RLE), sa1b (one JSON per image), yolo (segmentation txt), png
        (instance + semantic PNGs), amg-png (Meta's amg.py folders: PNG per mask + metadata.csv).
        PATH is a file for coco*, a new or earlier-export folder otherwise. Written atomically.
        --all        every annotation status (default: accepted only)
        --category   only this category (repeatable)
        --tolerance  polygon simplification in pixels (default 0 = pixel-exact)
        --include-uncategorized  masks without a category go under a category "uncategorized" (coco*, yolo,
                     png); by default they are left out and the summary says how many
  stats FILE${PROJECT_EXTENSION} [--json] [--check-files]
        counts, statuses, per-mask timing; --check-files first re-checks that image files exist and are unchanged`;

function log(line: string): void {
  console.error(line);
}

function withProject<T>(file: string, fn: (project: Project) => Promise<T>, create = false): Promise<T> {
  const project = create ? createProject(file, { log }) : openProject(file, { log });
  return fn(project).finally(() => project.close());
}

/** For stats and export, which only read: they work on a read-only project and never migrate one (issue 18). */
function readProject<T>(file: string, fn: (project: Project) => Promise<T>): Promise<T> {
  const project = openProject(file, { log, readOnly: true });
  return fn(project).finally(() => project.close());
}

function progress(label: string) {
  const bar = new Progress(label);
  return { bar, update: (done: number, total: number, phase?: string) => bar.update(done, total, phase) };
}

function statusOf(value: string | undefined): AnnotationStatus | undefined {
  if (value === undefined) return undefined;
  if (!(ANNOTATION_STATUSES as readonly string[]).includes(value)) {
    throw new UsageError(`--status ${value}: expected one of ${ANNOTATION_STATUSES.join(', ')}`);
  }
  return value as AnnotationStatus;
}

async function addImages(project: Project, dir: string): Promise<void> {
  const { bar, update } = progress('reading images');
  const report = await addImagesFromFolder(project, dir, update);
  bar.end();
  for (const u of report.unreadable) log(`unreadable: ${u.file}: ${u.reason}`);
  for (const f of report.unreadableFolders) log(`unreadable folder: ${f.path}: ${f.reason}`);
  for (const c of report.changed)
    log(`changed: ${c.file} differs from the project's image at that path (flagged)`);
  const parts = [`added ${report.added.length} images`];
  if (report.duplicates.length) parts.push(`${report.duplicates.length} duplicates skipped`);
  if (report.alreadyInProject) parts.push(`${report.alreadyInProject} already in the project`);
  if (report.unreadable.length) parts.push(`${report.unreadable.length} unreadable`);
  if (report.otherFiles) parts.push(`${report.otherFiles} other files ignored`);
  log(`${parts.join(', ')} (from ${dir})`);
}

async function create(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('project create', argv, { images: { type: 'string' } }, true);
  const [file, extra] = positionals;
  if (!file || extra)
    throw new UsageError(
      `project create: expected one FILE${PROJECT_EXTENSION} (see: sam-annotate project --help)`,
    );
  if (path.extname(file) !== PROJECT_EXTENSION)
    throw new UsageError(`project create: ${file}: project files end in ${PROJECT_EXTENSION}`);
  await withProject(
    file,
    async (project) => {
      log(`created ${file}`);
      if (values.images) await addImages(project, values.images);
    },
    true,
  );
  return 0;
}

async function addImagesCommand(argv: string[]): Promise<number> {
  const { positionals } = parseFlags('project add-images', argv, {}, true);
  const [file, dir, extra] = positionals;
  if (!file || !dir || extra)
    throw new UsageError('project add-images: expected FILE and DIR (see: sam-annotate project --help)');
  await withProject(file, (project) => addImages(project, dir));
  return 0;
}

function printImport(report: ImportReport): void {
  // names from the imported file are shortened: a 1 MB category name is not echoed whole (issue 18)
  for (const m of report.images.missing)
    log(`image ${m.problem}: ${shortenForMessage(m.file, 300)} (flagged missing)`);
  const note = exportRootNote(report);
  if (note) log(shortenForMessage(note, 400));
  if (report.skippedEmpty.length)
    log(
      `skipped ${report.skippedEmpty.length} annotations whose mask covers no pixel: ${report.skippedEmpty.slice(0, 5).join(', ')}${report.skippedEmpty.length > 5 ? ', …' : ''}`,
    );
  const { masks, boxes, crowd } = report.annotations;
  log(
    `imported ${masks} masks${crowd ? ` (${crowd} crowd)` : ''}, ${boxes} boxes; images: ${report.images.added} added, ${report.images.matched} already in the project` +
      (report.categoriesCreated.length
        ? `; new categories: ${report.categoriesCreated.map((name) => shortenForMessage(name)).join(', ')}`
        : ''),
  );
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'project import',
    argv,
    {
      coco: { type: 'string' },
      sa1b: { type: 'string' },
      'images-root': { type: 'string' },
      status: { type: 'string' },
      author: { type: 'string' },
    },
    true,
  );
  const [file, extra] = positionals;
  if (!file || extra)
    throw new UsageError('project import: expected one project FILE (see: sam-annotate project --help)');
  if (!!values.coco === !!values.sa1b)
    throw new UsageError('project import: give exactly one of --coco FILE.json or --sa1b DIR');
  const options = { author: values.author ?? userName(), status: statusOf(values.status) };
  await withProject(file, async (project) => {
    const { bar, update } = progress('importing');
    const report = values.coco
      ? await importCoco(project, values.coco, {
          ...options,
          imagesRoot: values['images-root'],
          onProgress: update,
        })
      : await importSa1b(project, values.sa1b!, {
          ...options,
          imagesRoot: values['images-root'],
          onProgress: update,
        });
    bar.end();
    printImport(report);
  });
  return 0;
}

async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'project export',
    argv,
    {
      format: { type: 'string' },
      out: { type: 'string' },
      all: { type: 'boolean' },
      category: { type: 'string', multiple: true },
      tolerance: { type: 'string' },
      'include-uncategorized': { type: 'boolean' },
    },
    true,
  );
  const [file, extra] = positionals;
  if (!file || extra)
    throw new UsageError('project export: expected one project FILE (see: sam-annotate project --help)');
  const format = required('format', 'project export', values.format);
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format ${format}: expected one of ${FORMATS.join(', ')}`);
  const out = required('out', 'project export', values.out);
  const tolerance = values.tolerance === undefined ? 0 : Number(values.tolerance);
  if (!(tolerance >= 0))
    throw new UsageError(`--tolerance ${values.tolerance}: expected a number of pixels ≥ 0`);
  await readProject(file, async (project) => {
    const { bar, update } = progress(`exporting ${format}`);
    const options: ExportOptions = {
      all: values.all,
      categories: values.category,
      includeUncategorized: values['include-uncategorized'],
      tolerance,
      onProgress: update,
    };
    const summaryLine = await exportProject(project, format as ExportFormat, out, options);
    bar.end();
    log(summaryLine);
  });
  return 0;
}

async function statsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'project stats',
    argv,
    { json: { type: 'boolean' }, 'check-files': { type: 'boolean' } },
    true,
  );
  const [file, extra] = positionals;
  if (!file || extra)
    throw new UsageError('project stats: expected one project FILE (see: sam-annotate project --help)');
  const open = values['check-files'] ? withProject : readProject; // --check-files records what it finds
  await open(file, async (project) => {
    if (values['check-files']) {
      const { bar, update } = progress('checking image files');
      await checkImageFiles(project, update);
      bar.end();
    }
    const s = projectStats(project.reader);
    if (values.json) {
      console.log(JSON.stringify({ file: project.file, ...s }, null, 2));
      return;
    }
    const kv = (record: Record<string, number>) =>
      Object.entries(record)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    const ms = (v: number | null) => (v === null ? '–' : `${(v / 1000).toFixed(1)} s`);
    const lines = [
      `project   ${project.file} (schema ${s.schemaVersion})`,
      `images    ${s.images.total}: ${kv(s.images.byStatus)}; files: ${kv(s.images.byFileState)}`,
      `categories ${s.categories.length}: ${s.categories.map((c) => `${c.name} (${c.annotations})`).join(', ') || '–'}`,
      `annotations ${s.annotations.total}: ${s.annotations.masks} masks, ${s.annotations.boxes} boxes, ${s.annotations.uncategorized} uncategorized`,
      `  status  ${kv(s.annotations.byStatus)}`,
      `  source  ${kv(s.annotations.bySource)}`,
      `  stage   ${kv(s.annotations.byStage)}`,
      `accepted masks ${s.accepted.masks}: active time mean ${ms(s.accepted.meanActiveMs)}, median ${ms(s.accepted.medianActiveMs)}; ` +
        `clicks mean ${s.accepted.meanClicks?.toFixed(1) ?? '–'}; model wait ${ms(s.accepted.totalModelWaitMs)} total`,
      `sessions  ${s.sessions} (${s.annotators.join(', ') || '–'}); review events ${s.reviewEvents}`,
    ];
    console.log(lines.join('\n'));
  });
  return 0;
}

async function relinkCommand(argv: string[]): Promise<number> {
  const { positionals } = parseFlags('project relink', argv, {}, true);
  const [file, dir, extra] = positionals;
  if (!file || !dir || extra)
    throw new UsageError('project relink: expected FILE and DIR (see: sam-annotate project --help)');
  await withProject(file, async (project) => {
    const { bar, update } = progress('relinking images');
    const report = await relinkImages(project, dir, update);
    bar.end();
    log(relinkMessage(report));
  });
  return 0;
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  create,
  'add-images': addImagesCommand,
  relink: relinkCommand,
  import: importCommand,
  export: exportCommand,
  stats: statsCommand,
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const command = sub ? SUBCOMMANDS[sub] : undefined;
  if (!command) {
    throw new UsageError(
      `project: ${sub ? `unknown subcommand "${sub}"` : 'missing subcommand'} (subcommands: ${Object.keys(SUBCOMMANDS).join(', ')})`,
    );
  }
  return command(rest);
}
