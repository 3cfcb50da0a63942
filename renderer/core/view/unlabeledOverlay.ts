/** The "unlabeled" overlay's raster for the current annotations, recomputed only when they change. */
import type { Size } from '../../../electron/common/frames.ts';
import type { AnnotationItem } from '../../../electron/ipc/contract.ts';
import { type UnlabeledRaster, unlabeledRaster } from '../unlabeled.ts';

export class UnlabeledOverlay {
  private cache: { annotations: readonly AnnotationItem[]; raster: UnlabeledRaster } | null = null;

  /** What no mask covers yet (rejected ones do not count), at display resolution. */
  rasterFor(image: Size, annotations: readonly AnnotationItem[]): UnlabeledRaster {
    if (this.cache?.annotations !== annotations) {
      const masks = annotations.filter((a) => a.status !== 'rejected' && a.rle).map((a) => a.rle!);
      this.cache = { annotations, raster: unlabeledRaster(image, masks) };
    }
    return this.cache.raster;
  }
}
