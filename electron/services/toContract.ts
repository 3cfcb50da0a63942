/** Store rows → the contract's items (what crosses to the renderer). */
import type { AnnotationItem, CategoryItem, ImageItem, ReviewItem } from '../ipc/contract.ts';
import type { AnnotationRow } from '../store/annotations.ts';
import type { CategoryRow } from '../store/categories.ts';
import type { ImageListRow } from '../store/images.ts';
import type { ReviewRow } from '../store/reviewQueue.ts';

export function imageItem(row: ImageListRow): ImageItem {
  return {
    id: row.id,
    fileName: row.relPath.split('/').pop() ?? row.relPath,
    relPath: row.relPath,
    width: row.width,
    height: row.height,
    status: row.status,
    fileState: row.fileState,
    annotationCount: row.annotationCount,
  };
}

export function categoryItem(row: CategoryRow): CategoryItem {
  return { id: row.id, name: row.name, color: row.color, supercategory: row.supercategory || null };
}

export function annotationItem(row: AnnotationRow): AnnotationItem {
  return {
    id: row.id,
    imageId: row.imageId,
    categoryId: row.categoryId,
    rle: row.rle,
    bbox: row.bbox,
    area: row.area,
    status: row.status,
    source: row.source,
    stage: row.stage,
    prompts: row.prompts,
    predictedIou: row.predictedIou,
    stabilityScore: row.stabilityScore,
    cropBox: row.cropBox,
    modelId: row.modelId,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    timing: row.timing,
  };
}

export function reviewItem(row: ReviewRow): ReviewItem {
  const { image } = row;
  return {
    annotation: annotationItem(row.annotation),
    image: {
      id: image.id,
      fileName: image.relPath.split('/').pop() ?? image.relPath,
      relPath: image.relPath,
      width: image.width,
      height: image.height,
      status: image.status,
      fileState: image.fileState,
      annotationCount: image.annotationCount,
    },
    lastReview: row.lastReview,
  };
}
