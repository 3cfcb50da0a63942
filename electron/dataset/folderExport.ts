/**
 * The skeleton every folder export shares (SA-1B, YOLO, PNG, amg-png): select what to export, write into a
 * temporary folder, visit each image with its annotations, then rename the folder into place — or remove it
 * on any failure, leaving an earlier export untouched.
 */
import type { AnnotationRow } from '../store/annotations.ts';
import type { ImageRow } from '../store/images.ts';
import type { Project } from '../store/projectDb.ts';
import { type ExportOptions, type Selection, forEachImage, selectExport } from './exportSelection.ts';
import { AtomicDir } from './outputs.ts';

export interface DirExportReport {
  dir: string;
  images: number;
  annotations: number;
  files: number;
  /** Masks left out for having no category (formats that need one). */
  skippedUncategorized: number;
}

export interface FolderExport {
  /** Recorded in the folder's export marker; a later export of the same kind may replace it. */
  readonly kind: string;
  /** Files written once, before the images (class lists, index headers). */
  begin?(dir: AtomicDir, selection: Selection): Promise<void>;
  /** Write one image's files; returns how many files and annotations it wrote. */
  image(
    dir: AtomicDir,
    image: ImageRow,
    annotations: AnnotationRow[],
  ): Promise<{ files: number; annotations: number }>;
  /** After the last image, before the folder is committed. */
  end?(dir: AtomicDir): Promise<void>;
  /** On failure, before the folder is removed (close open streams). */
  abort?(): Promise<void>;
}

export async function exportFolder(
  project: Project,
  out: string,
  options: ExportOptions,
  make: (selection: Selection) => FolderExport,
  needsCategory = false,
): Promise<DirExportReport> {
  const selection = selectExport(project, options, needsCategory);
  const spec = make(selection);
  const dir = await AtomicDir.create(out, spec.kind, options.openSink);
  const report: DirExportReport = {
    dir: out,
    images: 0,
    annotations: 0,
    files: 0,
    skippedUncategorized: selection.skippedUncategorized,
  };
  try {
    await spec.begin?.(dir, selection);
    await forEachImage(project, selection, options, async (image, annotations) => {
      const written = await spec.image(dir, image, annotations);
      report.images++;
      report.files += written.files;
      report.annotations += written.annotations;
    });
    await spec.end?.(dir);
    await dir.commit();
  } catch (error) {
    await spec.abort?.().catch(() => undefined);
    await dir.abort();
    throw error;
  }
  return report;
}
