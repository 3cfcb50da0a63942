/**
 * COCO instances JSON export, streamed: images and annotations are read a page at a time and written as they
 * come, so memory stays flat for any project size; the file appears only when complete (AtomicFile).
 * Format choices: electron/common/formatCoco.ts.
 */
import {
  type CocoAnnotation,
  type CocoMode,
  COCO_BETWEEN,
  COCO_END,
  cocoHead,
  cocoSegmentation,
} from '../common/formatCoco.ts';
import { annotationsPage } from '../store/annotations.ts';
import { appVersion } from '../store/projectDb.ts';
import type { Project } from '../store/projectDb.ts';
import { countAnnotations } from '../store/annotations.ts';
import { AtomicFile } from './outputs.ts';
import { type ExportOptions, exportName, imagePages, selectExport } from './exportSelection.ts';

export interface CocoExportReport {
  file: string;
  images: number;
  annotations: number;
  polygons: number;
  rle: number;
  categories: number;
  /** Masks left out for having no category. */
  skippedUncategorized: number;
}

export async function exportCoco(
  project: Project,
  out: string,
  mode: CocoMode,
  options: ExportOptions = {},
): Promise<CocoExportReport> {
  const tolerance = options.tolerance ?? 0;
  const selection = selectExport(project, options, true);
  const total = countAnnotations(project.reader, selection.filter);
  const report: CocoExportReport = {
    file: out,
    images: 0,
    annotations: 0,
    polygons: 0,
    rle: 0,
    categories: selection.categories.length,
    skippedUncategorized: selection.skippedUncategorized,
  };
  const info = {
    description: `Exported by SAM Annotate ${appVersion()} from ${project.file}`,
    version: '1.0',
    date_created: new Date().toISOString(),
    sam_annotate: {
      segmentation: mode,
      polygon_tolerance_px: tolerance,
      holes:
        mode === 'rle'
          ? 'rle'
          : mode === 'auto'
            ? 'masks with holes are RLE'
            : 'zero-width slits (exact in pycocotools)',
      bbox: 'pycocotools toBbox of the mask (w = x_max - x_min + 1)',
      statuses: selection.filter.statuses ?? 'all',
      images_root: selection.imagesRoot,
    },
  };
  const file = await AtomicFile.create(out, options.openSink);
  try {
    await file.write(
      cocoHead(
        info,
        selection.categories.map(({ id, name, supercategory }) => ({ id, name, supercategory })),
      ),
    );
    for (const page of imagePages(project, selection)) {
      const records = page.map((image) =>
        JSON.stringify({
          id: image.id,
          file_name: exportName(project, selection, image),
          width: image.width,
          height: image.height,
        }),
      );
      await file.write((report.images > 0 ? ',' : '') + records.join(','));
      report.images += page.length;
    }
    await file.write(COCO_BETWEEN);
    for (let afterId = 0; ;) {
      const page = annotationsPage(project.reader, selection.filter, afterId, 500);
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
      const records = page.map((a) => {
        const { segmentation, encoding } = cocoSegmentation(a.rle!, a.iscrowd, mode, tolerance);
        report[encoding === 'polygon' ? 'polygons' : 'rle']++;
        const record: CocoAnnotation = {
          id: a.id,
          image_id: a.imageId,
          category_id: a.categoryId ?? selection.unlabeledId!,
          segmentation,
          area: a.area,
          bbox: a.bbox,
          iscrowd: a.iscrowd ? 1 : 0,
        };
        return JSON.stringify(record);
      });
      await file.write((report.annotations > 0 ? ',' : '') + records.join(','));
      report.annotations += page.length;
      options.onProgress?.(report.annotations, total);
    }
    await file.write(COCO_END);
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
  return report;
}
