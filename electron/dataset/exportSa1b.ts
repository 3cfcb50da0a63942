/**
 * SA-1B export: one JSON per image, `<images-relative path with .json>`, in a folder written atomically.
 * Field values (bbox convention, values for human-made masks): electron/common/formatSa1b.ts.
 */
import path from 'node:path';
import { sa1bAnnotation, sa1bDocument } from '../common/formatSa1b.ts';
import type { Project } from '../store/projectDb.ts';
import { AtomicDir } from './outputs.ts';
import {
  type ExportOptions,
  OutputNames,
  exportName,
  forEachImage,
  selectExport,
} from './exportSelection.ts';

export interface DirExportReport {
  dir: string;
  images: number;
  annotations: number;
  files: number;
}

export async function exportSa1b(
  project: Project,
  out: string,
  options: ExportOptions = {},
): Promise<DirExportReport> {
  const selection = selectExport(project, options);
  const dir = await AtomicDir.create(out, 'sa1b', options.openSink);
  const report: DirExportReport = { dir: out, images: 0, annotations: 0, files: 0 };
  const names = new OutputNames('.json');
  try {
    await forEachImage(project, selection, options, async (image, annotations) => {
      const name = exportName(project, selection, image);
      const document = sa1bDocument(
        {
          image_id: image.id,
          width: image.width,
          height: image.height,
          file_name: path.posix.basename(name),
        },
        annotations.map((a) => sa1bAnnotation({ ...a, rle: a.rle! })),
      );
      await dir.writeFile(names.for(name), document);
      report.images++;
      report.files++;
      report.annotations += annotations.length;
    });
    await dir.commit();
  } catch (error) {
    await dir.abort();
    throw error;
  }
  return report;
}
