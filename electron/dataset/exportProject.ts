/** One entry point for every export format, shared by the CLI and the app; returns a one-line summary. */
import type { CocoMode } from '../common/formatCoco.ts';
import type { Project } from '../store/projectDb.ts';
import { exportCoco } from './exportCoco.ts';
import { exportAmgPng, exportPngMasks } from './exportPng.ts';
import { exportSa1b } from './exportSa1b.ts';
import { type ExportOptions, uncategorizedNote } from './exportSelection.ts';
import { exportYolo } from './exportYolo.ts';

export const EXPORT_FORMATS = ['coco', 'coco-polygon', 'coco-rle', 'sa1b', 'yolo', 'png', 'amg-png'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const COCO_MODES: Record<string, CocoMode> = { coco: 'auto', 'coco-polygon': 'polygon', 'coco-rle': 'rle' };
const FOLDER_EXPORTS = { sa1b: exportSa1b, yolo: exportYolo, png: exportPngMasks, 'amg-png': exportAmgPng };

export async function exportProject(
  project: Project,
  format: ExportFormat,
  out: string,
  options: ExportOptions,
): Promise<string> {
  const mode = COCO_MODES[format];
  if (mode) {
    const r = await exportCoco(project, out, mode, options);
    return (
      `wrote ${out}: ${r.images} images, ${r.annotations} annotations (${r.polygons} polygon, ${r.rle} RLE), ${r.categories} categories` +
      uncategorizedNote(r.skippedUncategorized)
    );
  }
  const r = await FOLDER_EXPORTS[format as keyof typeof FOLDER_EXPORTS](project, out, options);
  return (
    `wrote ${out}: ${r.images} images, ${r.annotations} masks, ${r.files} files` +
    uncategorizedNote(r.skippedUncategorized)
  );
}
