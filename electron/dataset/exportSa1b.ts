/**
 * SA-1B export: one JSON per image, `<images-relative path with .json>`, in a folder written atomically.
 * Field values (bbox convention, values for human-made masks): electron/common/formatSa1b.ts.
 *
 * `file_name` is the image's path from the JSON's own folder (POSIX separators): a bare name when the image sits
 * beside its JSON, as in SA-1B itself, else e.g. `../../images/sub/b.jpg`. SA-1B import resolves it the same
 * way, so an export re-imports into a new project with default settings (issue 18); once the export is moved,
 * import with `--images-root` (the JSON tree mirrors the image tree).
 */
import path from 'node:path';
import { sa1bAnnotation, sa1bDocument } from '../common/formatSa1b.ts';
import type { Project } from '../store/projectDb.ts';
import { type ExportOptions, OutputNames, exportName, imagePath } from './exportSelection.ts';
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
      const jsonName = names.for(exportName(project, selection, image));
      const jsonFolder = path.dirname(path.resolve(out, ...jsonName.split('/')));
      const document = sa1bDocument(
        {
          image_id: image.id,
          width: image.width,
          height: image.height,
          file_name: path.relative(jsonFolder, imagePath(project, image)).split(path.sep).join('/'),
        },
        annotations.map((a) => sa1bAnnotation({ ...a, rle: a.rle! })),
      );
      await dir.writeFile(jsonName, document);
      return { files: 1, annotations: annotations.length };
    },
  }));
}
