/**
 * Boxes → masks (issue 5): turn box-only annotations (imported detections) into masks with SAM. Per box, the SA
 * paper's two passes: the box with three candidates, then the box again with the best candidate's low-res
 * logits as the mask input and a single output, which sharpens the mask (a model without mask input stops after
 * the first pass). The result replaces the annotation's geometry, source 'semi-auto', with the box as its prompt
 * and the model's scores; one transaction per image, so an interrupted run leaves whole images done.
 */
import { UserError } from '../common/errors.ts';
import { imageBox } from '../common/frames.ts';
import type { Prompt } from '../common/prompts.ts';
import type { SamService } from '../inference/samService.ts';
import { type AnnotationRow, annotationsOfImage, updateAnnotationMask } from '../store/annotations.ts';
import { locateImage } from '../store/imagePaths.ts';
import { type ImageRow, countImages, listImagesPage } from '../store/images.ts';
import type { Project } from '../store/projectDb.ts';
import { inTransaction } from '../store/types.ts';

export interface BoxMask {
  /** COCO compressed RLE counts at image resolution. */
  readonly counts: string;
  readonly size: [height: number, width: number];
  readonly area: number;
  readonly predictedIou: number;
  readonly stabilityScore: number;
}

/** The two passes for one box, XYXY in image pixels. */
export async function maskForBox(
  service: SamService,
  file: string,
  box: readonly [number, number, number, number],
): Promise<BoxMask> {
  const model = service.modelInfo;
  if (!model?.capabilities.box) throw new UserError(`model ${model?.name ?? ''} takes no box prompts`);
  const prompt: Prompt = { points: [], box: imageBox(...box) };
  const first = await service.predict(file, prompt, {
    multimask: true,
    output: { rle: true, bitmap: false },
  });
  let best = first.candidates[0]!;
  for (const c of first.candidates) if (c.predictedIou > best.predictedIou) best = c;
  let final = best;
  if (model.capabilities.maskInput) {
    const second = await service.predict(
      file,
      { ...prompt, maskInput: best.lowRes },
      { multimask: false, output: { rle: true, bitmap: false } },
    );
    final = second.candidates[0]!;
  }
  const { width, height } = first.image;
  return {
    counts: final.rle!,
    size: [height, width],
    area: final.area,
    predictedIou: final.predictedIou,
    stabilityScore: final.stabilityScore,
  };
}

export interface BoxesReport {
  images: number;
  boxes: number;
  converted: number;
  /** Boxes where SAM found no pixel: left as boxes. */
  empty: { annotationId: number; imageId: number }[];
  /** Images whose file is missing: their boxes are left as they are. */
  missingImages: string[];
}

export interface BoxesOptions {
  readonly author: string;
  readonly onProgress?: (done: number, total: number) => void;
}

export const isBoxOnly = (a: AnnotationRow) => a.rle === null && !a.iscrowd;

export async function boxesToMasks(
  project: Project,
  service: SamService,
  options: BoxesOptions,
): Promise<BoxesReport> {
  const model = service.modelInfo;
  if (!model) throw new UserError('no model is loaded');
  const report: BoxesReport = { images: 0, boxes: 0, converted: 0, empty: [], missingImages: [] };
  const total = countImages(project.reader);
  let seen = 0;
  for (let after = 0; ;) {
    const page: ImageRow[] = listImagesPage(project.reader, after, 100);
    if (page.length === 0) break;
    after = page[page.length - 1]!.id;
    for (const image of page) {
      seen++;
      const boxes = annotationsOfImage(project.reader, image.id).filter(isBoxOnly);
      if (boxes.length) {
        report.boxes += boxes.length;
        const file = locateImage(project.dir, image);
        if (!file) {
          report.missingImages.push(image.relPath);
        } else {
          const masks: { a: AnnotationRow; box: readonly [number, number, number, number]; mask: BoxMask }[] =
            [];
          for (const a of boxes) {
            const [x, y, w, h] = a.bbox;
            masks.push({
              a,
              box: [x, y, x + w, y + h] as const,
              mask: await maskForBox(service, file, [x, y, x + w, y + h]),
            });
          }
          inTransaction(project.db, () => {
            for (const { a, box, mask } of masks) {
              if (mask.area === 0) {
                report.empty.push({ annotationId: a.id, imageId: image.id });
                continue;
              }
              updateAnnotationMask(project.db, a.id, {
                mask: { size: mask.size, counts: mask.counts },
                author: options.author,
                source: 'semi-auto',
                // A batch over the project (the CLI), like an automatic pass (issue 17).
                stage: 'auto',
                modelId: model.name,
                prompts: { points: [], box: { x0: box[0], y0: box[1], x1: box[2], y1: box[3] } },
                predictedIou: mask.predictedIou,
                stabilityScore: mask.stabilityScore,
              });
              report.converted++;
            }
          });
          report.images++;
        }
      }
      options.onProgress?.(seen, total);
    }
  }
  return report;
}
