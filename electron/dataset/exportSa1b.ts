/**
 * SA-1B export: one JSON per image, `<images-relative path with .json>`, in a folder written atomically.
 * Field values (bbox convention, values for human-made masks): electron/common/formatSa1b.ts.
 */
import path from 'node:path';
import { sa1bAnnotation, sa1bDocument } from '../common/formatSa1b.ts';
import type { Project } from '../store/projectDb.ts';
import { type ExportOptions, OutputNames, exportName } from './exportSelection.ts';
import { type DirExportReport, exportFolder } from './folderExport.ts';

export function exportSa1b(
  project: Project,
  out: string,
  options: ExportOptions = {},
): Promise<DirExportReport> {
  const names = new OutputNames('.json');
  return exportFolder(project, out, options, (selection) => ({
    kind: 'sa1b',
    async image(dir, image, annotations) {
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
      return { files: 1, annotations: annotations.length };
    },
  }));
}
