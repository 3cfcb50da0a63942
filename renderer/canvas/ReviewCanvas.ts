/**
 * The Konva binding of review mode: one mask over its image. Two layers (the photo; the mask and its box), the
 * same raster code as the annotator (renderer/core/maskRaster.ts → canvas/paint.ts), a close-up around the mask
 * or the whole image, wheel zoom and drag pan. The next masks' images are fetched ahead, so J/A/R move on
 * without waiting for the network or the disk.
 */
import Konva from 'konva';
import type { ReviewItem } from '../../electron/ipc/contract.ts';
import { rasterizeRle } from '../core/maskRaster.ts';
import { closeUpRect } from '../core/review/closeUp.ts';
import { type Viewport, fitRect, panBy, screenPoint, zoomAt } from '../core/screenFrame.ts';
import { hexToRgb, rasterToCanvas } from './paint.ts';

export interface ReviewCanvasOptions {
  readonly container: HTMLDivElement;
  readonly imageUrl: (imageId: number) => string;
  /** The image of the shown mask finished loading (or failed). */
  readonly onImage?: (imageId: number, error?: string) => void;
}

/** Decoded images kept for going back and forth (AMG puts many masks on one image). */
const KEPT_IMAGES = 8;

export class ReviewCanvas {
  private readonly stage: Konva.Stage;
  private readonly imageLayer = new Konva.Layer({ listening: false });
  private readonly maskLayer = new Konva.Layer({ listening: false, imageSmoothingEnabled: false });
  private readonly imageNode = new Konva.Image({ image: undefined });
  private readonly maskNode = new Konva.Image({ image: undefined });
  private readonly boxNode = new Konva.Rect({ stroke: '#ffffff', dash: [6, 4], strokeScaleEnabled: false });
  private readonly images = new Map<number, Promise<HTMLImageElement>>();
  private readonly resizeObserver: ResizeObserver;
  private readonly unlisten: (() => void)[] = [];
  private item: ReviewItem | null = null;
  private key = '';
  private viewport: Viewport = { scale: 1, x: 0, y: 0 };
  private drag: { x: number; y: number } | null = null;
  private zoom: 'mask' | 'image' = 'mask';

  constructor(private readonly options: ReviewCanvasOptions) {
    const { container } = options;
    this.stage = new Konva.Stage({
      container,
      width: Math.max(1, container.clientWidth),
      height: Math.max(1, container.clientHeight),
      listening: false,
    });
    this.imageLayer.add(this.imageNode);
    this.maskLayer.add(this.maskNode, this.boxNode);
    this.stage.add(this.imageLayer, this.maskLayer);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.listen();
  }

  destroy(): void {
    for (const fn of this.unlisten.splice(0)) fn();
    this.resizeObserver.disconnect();
    this.stage.destroy();
  }

  /** Show a mask (null: nothing) in its category's colour, as a close-up or over the whole image. */
  show(item: ReviewItem | null, color: string, zoom: 'mask' | 'image'): void {
    const a = item?.annotation;
    const key = a
      ? `${a.id}:${a.rle?.counts.length ?? 0}:${a.rle?.counts.slice(0, 24)}:${a.status}:${color}:${zoom}`
      : '';
    const refit = item?.annotation.id !== this.item?.annotation.id || zoom !== this.zoom;
    this.item = item;
    this.zoom = zoom;
    if (key !== this.key) {
      this.key = key;
      this.drawMask(color);
    }
    if (!item) {
      this.imageNode.image(undefined);
      this.imageLayer.batchDraw();
      return;
    }
    if (refit) this.fit();
    void this.imageOf(item.image.id).then(
      (img) => {
        if (this.item?.image.id !== item.image.id) return;
        if (this.imageNode.image() !== img) {
          this.imageNode.image(img);
          this.imageNode.size({ width: item.image.width, height: item.image.height });
          this.imageLayer.batchDraw();
        }
        this.options.onImage?.(item.image.id);
      },
      () => {
        if (this.item?.image.id === item.image.id)
          this.options.onImage?.(item.image.id, 'the image could not be loaded');
      },
    );
  }

  /** Start fetching the images of the masks about to be shown. */
  prefetch(imageIds: readonly number[]): void {
    for (const id of imageIds) void this.imageOf(id).catch(() => undefined);
  }

  private imageOf(id: number): Promise<HTMLImageElement> {
    let promise = this.images.get(id);
    if (promise) {
      this.images.delete(id); // most recently used last
      this.images.set(id, promise);
      return promise;
    }
    const img = new Image();
    img.decoding = 'async';
    img.src = this.options.imageUrl(id);
    promise = img.decode().then(() => img);
    promise.catch(() => this.images.delete(id));
    this.images.set(id, promise);
    if (this.images.size > KEPT_IMAGES) this.images.delete(this.images.keys().next().value!);
    return promise;
  }

  private drawMask(color: string): void {
    const a = this.item?.annotation;
    this.maskNode.visible(false);
    this.boxNode.visible(false);
    if (a) {
      // The box finds a small mask in the whole image, and is all a box-only annotation has; in the close-up
      // it would hide the mask's own edge.
      const [x, y, w, h] = a.bbox;
      this.boxNode.setAttrs({ x, y, width: w, height: h, visible: !a.rle || this.zoom === 'image' });
      if (a.rle) {
        const raster = rasterizeRle(a.rle);
        const rgb = hexToRgb(color);
        this.maskNode.setAttrs({
          image: rasterToCanvas(raster, { color: rgb, fill: 0.45, edge: { r: 255, g: 255, b: 255 } }),
          x: raster.x,
          y: raster.y,
          width: raster.imageWidth,
          height: raster.imageHeight,
          visible: true,
        });
      }
    }
    this.maskLayer.batchDraw();
  }

  private viewSize() {
    return { width: this.stage.width(), height: this.stage.height() };
  }

  private fit(): void {
    const item = this.item;
    if (!item) return;
    const image = { width: item.image.width, height: item.image.height };
    const rect = this.zoom === 'image' ? { x: 0, y: 0, ...image } : closeUpRect(item.annotation.bbox, image);
    this.apply(fitRect(rect, this.viewSize(), 24));
  }

  private apply(v: Viewport): void {
    this.viewport = v;
    this.stage.scale({ x: v.scale, y: v.scale });
    this.stage.position({ x: v.x, y: v.y });
    // Past 2×, pixels as pixels (reviewers check edges there).
    this.imageLayer.imageSmoothingEnabled(v.scale < 2);
    this.stage.batchDraw();
  }

  private resize(): void {
    const { container } = this.options;
    this.stage.size({
      width: Math.max(1, container.clientWidth),
      height: Math.max(1, container.clientHeight),
    });
    this.fit();
  }

  private listen(): void {
    const el = this.options.container;
    const on = <K extends keyof HTMLElementEventMap>(
      type: K,
      fn: (e: HTMLElementEventMap[K]) => void,
      opts?: AddEventListenerOptions,
    ) => {
      el.addEventListener(type, fn as EventListener, opts);
      this.unlisten.push(() => el.removeEventListener(type, fn as EventListener, opts));
    };
    on(
      'wheel',
      (e) => {
        e.preventDefault();
        const rect = el.getBoundingClientRect();
        const delta = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY;
        this.apply(
          zoomAt(
            this.viewport,
            screenPoint(e.clientX - rect.left, e.clientY - rect.top),
            Math.exp(-delta * (e.ctrlKey ? 0.01 : 0.0015)),
          ),
        );
      },
      { passive: false },
    );
    on('pointerdown', (e) => {
      el.setPointerCapture(e.pointerId);
      this.drag = { x: e.clientX, y: e.clientY };
      el.style.cursor = 'grabbing';
    });
    on('pointermove', (e) => {
      if (!this.drag) return;
      this.apply(panBy(this.viewport, e.clientX - this.drag.x, e.clientY - this.drag.y));
      this.drag = { x: e.clientX, y: e.clientY };
    });
    const end = () => {
      this.drag = null;
      el.style.cursor = 'grab';
    };
    on('pointerup', end);
    on('pointercancel', end);
    on('dblclick', () => this.fit());
    el.style.cursor = 'grab';
  }
}
