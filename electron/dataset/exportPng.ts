/**
 * PNG exports.
 *
 * `png`: per image, `instances/<name>.png` (16-bit grey: 0 = background, k = the image's k-th exported mask in
 * id order) and `semantic/<name>.png` (0 = background, v = class value from `classes.csv`; 8-bit, or 16-bit
 * beyond 255 classes). Where masks overlap, the later one (higher id) is on top. `instances.csv` maps each
 * (file, value) to its annotation and category.
 *
 * `amg-png`: Meta's `scripts/amg.py` folder layout: `<name>/0.png, 1.png, …` (8-bit, mask × 255, full image
 * size) and `<name>/metadata.csv` (common/formatAmgCsv.ts), masks in id order.
 */
import { amgCsv } from '../common/formatAmgCsv.ts';
import { sa1bAnnotation } from '../common/formatSa1b.ts';
import { decodeRle } from '../common/rle.ts';
import { decodeCropped } from '../common/rleOps.ts';
import type { Project } from '../store/projectDb.ts';
import { type ExportOptions, OutputNames, exportName } from './exportSelection.ts';
import { type DirExportReport, exportFolder } from './folderExport.ts';
import type { FileSink } from './outputs.ts';
import { greyPng } from './pngMasks.ts';

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function exportPngMasks(
  project: Project,
  out: string,
  options: ExportOptions = {},
): Promise<DirExportReport> {
  const names = new OutputNames('.png');
  let index: FileSink | undefined;
  return exportFolder(
    project,
    out,
    options,
    (selection) => {
      const classValue = new Map(selection.categories.map((c, i) => [c.id, i + 1]));
      const categoryName = new Map(selection.categories.map((c) => [c.id, c.name]));
      return {
        kind: 'png',
        async begin(dir) {
          await dir.writeFile(
            'classes.csv',
            [
              'value,category_id,name,color',
              '0,,background,#000000',
              ...selection.categories.map((c, i) => `${i + 1},${c.id},${csvField(c.name)},${c.color}`),
            ]
              .map((l) => `${l}\n`)
              .join(''),
          );
          index = await dir.stream('instances.csv');
          await index.write('file,value,annotation_id,category_id,category,iscrowd\n');
        },
        async image(dir, image, annotations) {
          if (annotations.length > 65535) throw new Error(`image ${image.id} has more than 65535 masks`);
          const { width, height } = image;
          const instances = new Uint16Array(width * height);
          const semantic =
            selection.categories.length > 255
              ? new Uint16Array(width * height)
              : new Uint8Array(width * height);
          const name = names.for(exportName(project, selection, image));
          const rows: string[] = [];
          annotations.forEach((a, k) => {
            const categoryId = a.categoryId ?? selection.unlabeledId!;
            const value = classValue.get(categoryId)!;
            const { mask, x0, y0 } = decodeCropped(a.rle!);
            for (let y = 0; y < mask.height; y++) {
              for (let x = 0, row = y * mask.width, at = (y + y0) * width + x0; x < mask.width; x++) {
                if (mask.data[row + x]) {
                  instances[at + x] = k + 1;
                  semantic[at + x] = value;
                }
              }
            }
            rows.push(
              `${csvField(name)},${k + 1},${a.id},${categoryId},${csvField(categoryName.get(categoryId)!)},${a.iscrowd ? 1 : 0}\n`,
            );
          });
          await dir.writeFile(`instances/${name}`, await greyPng(instances, width, height));
          await dir.writeFile(`semantic/${name}`, await greyPng(semantic, width, height));
          await index!.write(rows.join(''));
          return { files: 2, annotations: annotations.length };
        },
        async end() {
          await index!.close(false);
          index = undefined;
        },
        async abort() {
          await index?.close(false);
        },
      };
    },
    true,
  );
}

export function exportAmgPng(
  project: Project,
  out: string,
  options: ExportOptions = {},
): Promise<DirExportReport> {
  const names = new OutputNames('');
  return exportFolder(project, out, options, (selection) => ({
    kind: 'amg-png',
    async image(dir, image, annotations) {
      const folder = names.for(exportName(project, selection, image));
      for (const [i, a] of annotations.entries()) {
        const mask = decodeRle(a.rle!).data;
        for (let p = 0; p < mask.length; p++) mask[p] = mask[p] ? 255 : 0;
        await dir.writeFile(`${folder}/${i}.png`, await greyPng(mask, image.width, image.height));
      }
      await dir.writeFile(
        `${folder}/metadata.csv`,
        amgCsv(annotations.map((a) => sa1bAnnotation({ ...a, rle: a.rle! }))),
      );
      return { files: annotations.length + 1, annotations: annotations.length };
    },
  }));
}
