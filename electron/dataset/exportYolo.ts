/**
 * YOLO segmentation export: `labels/<images-relative path>.txt` per image (empty for images with no objects),
 * `classes.txt` (one name per line, line number = class index) and `data.yaml`. Class indices follow the
 * exported categories in the project's order (issue 17: the order set in the app). Crowd regions are left out (YOLO has no "ignore" regions; Ultralytics' own
 * COCO converter skips them too). Line format: electron/common/formatYolo.ts.
 */
import { yoloDataYaml, yoloLine } from '../common/formatYolo.ts';
import type { Project } from '../store/projectDb.ts';
import { type ExportOptions, OutputNames, exportName } from './exportSelection.ts';
import { type DirExportReport, exportFolder } from './folderExport.ts';

export async function exportYolo(
  project: Project,
  out: string,
  options: ExportOptions = {},
): Promise<DirExportReport & { skippedCrowd: number }> {
  const tolerance = options.tolerance ?? 0;
  const names = new OutputNames('.txt');
  let skippedCrowd = 0;
  const report = await exportFolder(
    project,
    out,
    options,
    (selection) => {
      const classOf = new Map(selection.categories.map((c, i) => [c.id, i]));
      return {
        kind: 'yolo',
        async begin(dir) {
          await dir.writeFile('classes.txt', selection.categories.map((c) => `${c.name}\n`).join(''));
          await dir.writeFile('data.yaml', yoloDataYaml(selection.categories.map((c) => c.name)));
        },
        async image(dir, image, annotations) {
          const lines: string[] = [];
          for (const a of annotations) {
            if (a.iscrowd) {
              skippedCrowd++;
              continue;
            }
            const line = yoloLine(classOf.get(a.categoryId ?? selection.unlabeledId!)!, a.rle!, tolerance);
            if (line) lines.push(line);
          }
          await dir.writeFile(
            `labels/${names.for(exportName(project, selection, image))}`,
            lines.map((l) => `${l}\n`).join(''),
          );
          return { files: 1, annotations: lines.length };
        },
      };
    },
    true,
  );
  return { ...report, skippedCrowd };
}
