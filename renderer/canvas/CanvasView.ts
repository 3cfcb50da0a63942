/**
 * The Konva binding of the annotator. Five layers, drawn separately (Excalidraw's static vs interactive scenes):
 *
 *   image    the photo (a downscaled copy when zoomed out, the full image when zoomed in)
 *   unlabeled  the "unlabeled" overlay: what no mask covers yet (toggle U)
 *   masks    annotations: colour-coded rasters, or polygons in polygon view; undecided automatic masks dashed
 *            and lighter (a colour each when uncategorized); rejected ones are not drawn
 *   draft    the candidate being made, the hover preview, the brush stroke in progress
 *   prompts  points, the box, the box being dragged, the brush outline
 *
 * so a mouse move redraws only the small top layers, and pan/zoom only re-composites cached bitmaps. DOM events
 * are normalised here (screen → image frame through the viewport) and handed to the annotator's tools; nothing
 * here decides what a click means.
 */
import Konva from 'konva';
import type { AnnotationItem } from '../../electron/ipc/contract.ts';
import type { PolygonWithHoles } from '../../electron/common/polygons.ts';
import { rleToPolygons } from '../../electron/common/polygons.ts';
import type { Rle } from '../../electron/common/rle.ts';
import type { Annotator } from '../core/annotator.ts';
import type { MaskCandidate } from '../../electron/common/candidate.ts';
import { type Draft, sameRle } from '../core/document.ts';
import { type MaskRaster, rasterFromPreview, rasterScale, rasterizeRle } from '../core/maskRaster.ts';
import { screenPoint, screenToImage } from '../core/screenFrame.ts';
import type { ToolPointerEvent } from '../core/tools/types.ts';
import { outlineShape } from './outlineShape.ts';
import { type Rgb, colorForId, hexToRgb, newCanvas, rasterToCanvas, rgbToHex } from './paint.ts';
import { draftStyle } from '../core/view/draftStyle.ts';
import { wheelZoomFactor } from '../core/view/wheelZoom.ts';

export interface CanvasViewOptions {
  readonly container: HTMLDivElement;
  readonly annotator: Annotator;
  readonly imageUrl: (imageId: number) => string;
  /** The image finished loading (or failed). */
  readonly onImage?: (imageId: number, error?: string) => void;
}

const UNCATEGORIZED = '#a0a0a0';
const HOVER: Rgb = { r: 255, g: 255, b: 255 };
const POSITIVE = '#22c55e';
const NEGATIVE = '#ef4444';
/** The unlabeled overlay: a warm tint with a solid outline, readable over photos and over the mask colours. */
const UNLABELED: Rgb = { r: 255, g: 64, b: 160 };
/** Downscaled copy of the photo for zoomed-out views (longest side, px). */
const IMAGE_LOD_SIDE = 2048;

interface MaskEntry {
  readonly rle: Rle;
  readonly style: string;
  readonly node: Konva.Node;
}

const idle = (fn: () => void): void => {
  const w = window as Window & { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number };
  if (w.requestIdleCallback) w.requestIdleCallback(fn, { timeout: 200 });
  else setTimeout(fn, 16);
};

export class CanvasView {
  private readonly stage: Konva.Stage;
  private readonly imageLayer = new Konva.Layer({ listening: false });
  private readonly masksLayer = new Konva.Layer({ listening: false, imageSmoothingEnabled: false });
  private readonly draftLayer = new Konva.Layer({ listening: false, imageSmoothingEnabled: false });
  private readonly promptsLayer = new Konva.Layer({ listening: false });
  private readonly unlabeledLayer = new Konva.Layer({ listening: false });
  private readonly imageNode = new Konva.Image({ image: undefined, x: 0, y: 0 });
  private readonly unlabeledNode = new Konva.Image({ image: undefined, visible: false });
  /** The overlay raster on screen (the annotator caches it per set of annotations). */
  private shownUnlabeled: object | null = null;
  private readonly draftNode = new Konva.Image({ image: undefined, visible: false });
  private readonly hoverNode = new Konva.Image({ image: undefined, visible: false });
  private readonly strokeNode = new Konva.Image({ image: undefined, visible: false });
  private readonly pointsGroup = new Konva.Group();
  private readonly boxNode = new Konva.Rect({ visible: false, stroke: '#facc15', dash: [6, 4] });
  private readonly dragBoxNode = new Konva.Rect({ visible: false, stroke: '#ffffff', dash: [4, 4] });
  private readonly brushNode = new Konva.Circle({ visible: false, stroke: '#ffffff', radius: 1 });
  private readonly brushShadow = new Konva.Circle({ visible: false, stroke: '#000000', radius: 1 });

  private readonly a: Annotator;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly resizeObserver: ResizeObserver;
  private imageId = -1;
  private full: HTMLImageElement | null = null;
  private lod: HTMLCanvasElement | null = null;
  private readonly masks = new Map<number, MaskEntry>();
  private readonly polygonCache = new Map<string, PolygonWithHoles[]>();
  /** Rasters by RLE counts (one image at a time), so a re-selected or re-sent mask is not re-rasterised. */
  private readonly rasters = new Map<string, MaskRaster>();
  private readonly candidateCanvases = new WeakMap<
    MaskCandidate,
    { key: string; canvas: HTMLCanvasElement; raster: MaskRaster; full: boolean }
  >();
  private shownDraft: Draft | null = null;
  /** The stroke being drawn: where its new segments go (a canvas, in raster pixels of that canvas). */
  private live: {
    readonly ctx: CanvasRenderingContext2D;
    /** Image → canvas: canvas = (image − origin) · scale. */
    readonly originX: number;
    readonly originY: number;
    readonly scale: number;
    drawn: number;
    /** The annotation whose displayed canvas was erased into (rebuilt when the stroke ends). */
    readonly mutated: number | 'draft' | null;
  } | null = null;
  private panning: { x: number; y: number } | null = null;
  private spaceHeld = false;
  /** performance.now() of the last pointer press on the canvas (bench: click → mask drawn). */
  private pressedAt: number | null = null;

  constructor(private readonly options: CanvasViewOptions) {
    this.a = options.annotator;
    const { container } = options;
    this.stage = new Konva.Stage({
      container,
      width: Math.max(1, container.clientWidth),
      height: Math.max(1, container.clientHeight),
      listening: false,
    });
    this.imageLayer.add(this.imageNode);
    this.unlabeledLayer.add(this.unlabeledNode);
    this.draftLayer.add(this.draftNode, this.strokeNode, this.hoverNode);
    this.promptsLayer.add(this.boxNode, this.dragBoxNode, this.pointsGroup, this.brushShadow, this.brushNode);
    this.promptsLayer.add(outlineShape(this.a)); // the polygon tool's sketch, the edited outline (issue 17)
    this.stage.add(this.imageLayer, this.unlabeledLayer, this.masksLayer, this.draftLayer, this.promptsLayer);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();

    const a = this.a;
    this.unsubscribe.push(
      a.on('document', () => this.onDocument()),
      a.on('view', () => this.onView()),
      a.on('overlay', () => this.drawOverlay()),
      a.on('stroke', () => this.drawStroke()),
      a.on('tool', () => this.updateCursor()),
    );
    this.listen();
    this.onDocument();
    this.onView();
  }

  destroy(): void {
    for (const fn of this.unsubscribe.splice(0)) fn();
    this.resizeObserver.disconnect();
    this.stage.destroy();
  }

  // ───────────────────────────── events ─────────────────────────────

  private listen(): void {
    const el = this.options.container;
    const on = <K extends keyof HTMLElementEventMap>(
      target: HTMLElement | Window,
      type: K,
      fn: (e: HTMLElementEventMap[K]) => void,
      opts?: AddEventListenerOptions,
    ) => {
      target.addEventListener(type, fn as EventListener, opts);
      this.unsubscribe.push(() => target.removeEventListener(type, fn as EventListener, opts));
    };
    on(el, 'pointerdown', (e) => {
      el.focus({ preventScroll: true });
      el.setPointerCapture(e.pointerId);
      if (e.button === 1 || (e.button === 0 && this.spaceHeld)) {
        this.panning = { x: e.clientX, y: e.clientY };
        this.updateCursor();
        e.preventDefault();
        return;
      }
      this.pressedAt = performance.now();
      this.a.input.pointerDown(this.normalize(e, e.button));
    });
    on(el, 'pointermove', (e) => {
      if (this.panning) {
        this.a.view.panBy(e.clientX - this.panning.x, e.clientY - this.panning.y);
        this.panning = { x: e.clientX, y: e.clientY };
        return;
      }
      const button = e.buttons & 1 ? 0 : e.buttons & 2 ? 2 : e.buttons & 4 ? 1 : -1;
      // While painting, every coalesced event counts (a fast stroke stays a smooth line).
      const events =
        this.a.tools.path.endsWith('painting') && e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
      for (const ev of events.length ? events : [e]) this.a.input.pointerMove(this.normalize(ev, button));
    });
    on(el, 'pointerup', (e) => {
      if (this.panning) {
        this.panning = null;
        this.updateCursor();
        return;
      }
      this.a.input.pointerUp(this.normalize(e, e.button));
    });
    on(el, 'pointercancel', () => {
      this.panning = null;
      this.a.input.interrupt();
    });
    on(el, 'pointerleave', () => this.a.input.pointerLeave());
    on(el, 'contextmenu', (e) => e.preventDefault());
    on(
      el,
      'wheel',
      (e) => {
        e.preventDefault();
        const rect = el.getBoundingClientRect();
        const anchor = screenPoint(e.clientX - rect.left, e.clientY - rect.top);
        this.a.view.zoomBy(wheelZoomFactor(e), anchor);
      },
      { passive: false },
    );
    on(window, 'keydown', (e) => {
      if (e.key === ' ' && !isTyping(e)) {
        if (!this.spaceHeld) {
          this.spaceHeld = true;
          this.updateCursor();
        }
        e.preventDefault();
      }
    });
    on(window, 'keyup', (e) => {
      if (e.key === ' ') {
        this.spaceHeld = false;
        this.updateCursor();
      }
    });
    on(window, 'blur', () => {
      this.spaceHeld = false;
      this.panning = null;
      this.a.input.interrupt();
    });
  }

  private normalize(e: PointerEvent, button: number): ToolPointerEvent {
    const rect = this.options.container.getBoundingClientRect();
    const screen = screenPoint(e.clientX - rect.left, e.clientY - rect.top);
    return {
      screen,
      point: screenToImage(this.a.viewport, screen),
      button,
      alt: e.altKey,
      shift: e.shiftKey,
      mod: e.ctrlKey || e.metaKey,
    };
  }

  private updateCursor(): void {
    const path = this.a.tools.path;
    let cursor = 'crosshair';
    if (this.panning || path.endsWith('panning')) cursor = 'grabbing';
    else if (this.spaceHeld) cursor = 'grab';
    else if (path.startsWith('brush') || path.startsWith('eraser')) cursor = 'none';
    else if (path.startsWith('select') || path.startsWith('outline')) cursor = 'default';
    this.options.container.style.cursor = cursor;
    this.promptsLayer.batchDraw(); // the outline's vertices show with its tool
  }

  private resize(): void {
    const { container } = this.options;
    const width = Math.max(1, container.clientWidth);
    const height = Math.max(1, container.clientHeight);
    this.stage.size({ width, height });
    this.a.previewMaxSide = Math.min(
      2048,
      Math.ceil(Math.max(width, height) * (window.devicePixelRatio || 1)),
    );
    this.a.setViewSize({ width, height });
  }

  // ───────────────────────────── image ─────────────────────────────

  private onDocument(): void {
    const doc = this.a.doc;
    if (doc.image.id !== this.imageId) this.loadImage(doc.image.id, doc.image.width, doc.image.height);
    this.drawUnlabeled();
    this.drawMasks();
    this.drawDraft();
    this.drawPrompts();
  }

  private loadImage(id: number, width: number, height: number): void {
    this.imageId = id;
    this.full = null;
    this.lod = null;
    this.imageNode.image(undefined);
    this.masks.forEach((m) => m.node.destroy());
    this.masks.clear();
    this.polygonCache.clear();
    this.rasters.clear();
    this.imageLayer.batchDraw();
    if (id < 0) return;
    const img = new Image();
    img.decoding = 'async';
    img.src = this.options.imageUrl(id);
    img
      .decode()
      .then(() => {
        if (this.imageId !== id) return;
        this.full = img;
        const longest = Math.max(width, height);
        if (longest > IMAGE_LOD_SIDE) {
          const s = IMAGE_LOD_SIDE / longest;
          const lod = newCanvas(Math.round(width * s), Math.round(height * s));
          const ctx = lod.getContext('2d')!;
          ctx.imageSmoothingQuality = 'high';
          ctx.drawImage(img, 0, 0, lod.width, lod.height);
          this.lod = lod;
        }
        this.imageNode.size({ width, height });
        this.applyImageLod();
        this.options.onImage?.(id);
      })
      .catch(() => {
        if (this.imageId === id) this.options.onImage?.(id, 'the image could not be loaded');
      });
  }

  /** Brightness / contrast of the photo only (issue 17): a CSS filter on the image layer's canvas, not the masks'. */
  setImageFilter(filter: string): void {
    const canvas = this.imageLayer.getCanvas()._canvas;
    canvas.style.filter = filter === 'none' ? '' : filter;
    canvas.dataset.imageFilter = filter;
  }

  private applyImageLod(): void {
    if (!this.full) return;
    const { scale } = this.a.viewport;
    const useLod =
      this.lod && scale * Math.max(this.a.doc.image.width, this.a.doc.image.height) <= IMAGE_LOD_SIDE * 1.25;
    const source = useLod ? this.lod! : this.full;
    if (this.imageNode.image() !== source) this.imageNode.image(source);
    // Past 2× zoom, show the pixels as pixels (annotators check edges there).
    this.imageLayer.imageSmoothingEnabled(scale < 2);
    this.imageLayer.batchDraw();
  }

  // ───────────────────────────── view ─────────────────────────────

  private onView(): void {
    const { scale, x, y } = this.a.viewport;
    this.stage.scale({ x: scale, y: scale });
    this.stage.position({ x, y });
    this.applyImageLod();
    this.drawUnlabeled();
    this.drawMasks();
    this.drawDraft();
    this.drawPrompts();
    this.drawOverlay();
  }

  private drawUnlabeled(): void {
    const raster = this.a.view.showUnlabeled ? this.a.unlabeled() : null;
    if (raster !== this.shownUnlabeled) {
      this.shownUnlabeled = raster;
      if (raster)
        this.placeImage(
          this.unlabeledNode,
          raster,
          rasterToCanvas(raster, { color: UNLABELED, fill: 0.42, edgeOpacity: 0.95, edgeAtBorder: false }),
        );
    }
    this.unlabeledNode.visible(!!raster);
    this.unlabeledLayer.batchDraw();
  }

  private colorOf(categoryId: number | null): string {
    return this.a.view.categories.find((c) => c.id === categoryId)?.color ?? UNCATEGORIZED;
  }

  private polygons(a: AnnotationItem, rle: Rle): PolygonWithHoles[] {
    const key = `${a.id}:${rle.counts.length}:${rle.counts.slice(0, 32)}:${this.a.view.polygonTolerance}`;
    let polygons = this.polygonCache.get(key);
    if (!polygons) {
      polygons = rleToPolygons(rle, { tolerance: this.a.view.polygonTolerance });
      this.polygonCache.set(key, polygons);
    }
    return polygons;
  }

  /** Vertex count of an annotation's polygons at the current detail (the mask list shows it). */
  vertexCount(a: AnnotationItem): number {
    if (!a.rle) return 0;
    return this.polygons(a, a.rle).reduce(
      (n, p) => n + p.outer.length / 2 + p.holes.reduce((m, h) => m + h.length / 2, 0),
      0,
    );
  }

  private drawMasks(): void {
    const a = this.a;
    const doc = a.doc;
    const seen = new Set<number>();
    const scale = a.viewport.scale;
    let z = 0;
    for (const item of doc.annotations) {
      if (!item.rle || a.view.hidden.has(item.id) || item.status === 'rejected') continue;
      seen.add(item.id);
      const selected = item.id === a.selectedId;
      const undecided = item.status === 'draft';
      // Undecided automatic masks are many and uncategorized: a colour each, so neighbours stay apart.
      const color =
        undecided && item.categoryId === null ? rgbToHex(colorForId(item.id)) : this.colorOf(item.categoryId);
      const style = `${color}:${selected}:${undecided}:${a.view.polygonView ? `poly${a.view.polygonTolerance}:${scale}` : 'raster'}`;
      let entry = this.masks.get(item.id);
      if (!entry || !sameRle(entry.rle, item.rle) || entry.style !== style) {
        entry?.node.destroy();
        const node = a.view.polygonView
          ? this.polygonNode(item, item.rle, color, selected, scale, undecided)
          : this.rasterNode(item.rle, color, selected, undecided);
        entry = { rle: item.rle, style, node };
        this.masks.set(item.id, entry);
        this.masksLayer.add(node as Konva.Shape);
      }
      entry.node.zIndex(z++);
    }
    for (const [id, entry] of this.masks) {
      if (!seen.has(id)) {
        entry.node.destroy();
        this.masks.delete(id);
      }
    }
    this.masksLayer.batchDraw();
  }

  private rasterNode(rle: Rle, color: string, selected: boolean, undecided: boolean): Konva.Image {
    // Rasters are kept per mask: selecting or recolouring only repaints, it does not re-rasterise.
    let raster = this.rasters.get(rle.counts);
    if (!raster) {
      raster = rasterizeRle(rle);
      this.rasters.set(rle.counts, raster);
      if (this.rasters.size > 256) this.rasters.delete(this.rasters.keys().next().value!);
    }
    const canvas = rasterToCanvas(
      raster,
      undecided
        ? {
            color: hexToRgb(color),
            fill: selected ? 0.45 : 0.16,
            edge: selected ? { r: 255, g: 255, b: 255 } : hexToRgb(color),
            // Dashes of ~5 screen pixels at the raster's resolution (rasters are at most 1:1).
            dash: Math.max(2, Math.round(5 * Math.min(1, raster.width / Math.max(1, raster.imageWidth)))),
          }
        : {
            color: hexToRgb(color),
            fill: selected ? 0.6 : 0.42,
            edge: selected ? { r: 255, g: 255, b: 255 } : hexToRgb(color),
          },
    );
    return new Konva.Image({
      image: canvas,
      x: raster.x,
      y: raster.y,
      width: raster.imageWidth,
      height: raster.imageHeight,
    });
  }

  private polygonNode(
    item: AnnotationItem,
    rle: Rle,
    color: string,
    selected: boolean,
    scale: number,
    undecided = false,
  ): Konva.Shape {
    const polygons = this.polygons(item, rle);
    const rgb = hexToRgb(color);
    return new Konva.Shape({
      sceneFunc: (context) => {
        const ctx = context._context;
        ctx.beginPath();
        for (const p of polygons)
          for (const ring of [p.outer, ...p.holes]) {
            ctx.moveTo(ring[0]!, ring[1]!);
            for (let i = 2; i < ring.length; i += 2) ctx.lineTo(ring[i]!, ring[i + 1]!);
            ctx.closePath();
          }
        ctx.fillStyle = `rgba(${rgb.r},${rgb.g},${rgb.b},${selected ? 0.45 : undecided ? 0.14 : 0.3})`;
        ctx.fill('evenodd');
        ctx.lineWidth = (selected ? 2 : 1.5) / scale;
        ctx.strokeStyle = selected ? '#ffffff' : color;
        if (undecided) ctx.setLineDash([6 / scale, 4 / scale]);
        ctx.stroke();
        ctx.setLineDash([]);
        if (selected) {
          // Vertices, so the detail setting is visible.
          const r = 2.5 / scale;
          ctx.fillStyle = '#ffffff';
          for (const p of polygons)
            for (const ring of [p.outer, ...p.holes])
              for (let i = 0; i < ring.length; i += 2)
                ctx.fillRect(ring[i]! - r, ring[i + 1]! - r, 2 * r, 2 * r);
        }
      },
    });
  }

  // ───────────────────────────── draft ─────────────────────────────

  private draftColor(): Rgb {
    return draftStyle().color;
  }

  private candidateCanvas(candidate: MaskCandidate): { canvas: HTMLCanvasElement; raster: MaskRaster } {
    const color = 'draft';
    const cached = this.candidateCanvases.get(candidate);
    if (cached && cached.key === color) return cached;
    const style = draftStyle();
    // The preview first (already a bitmap: no work); the exact full-resolution mask when the browser is idle.
    const image = this.a.doc.image;
    const rle = candidate.rle;
    const raster = candidate.preview ? rasterFromPreview(candidate.preview, image) : rasterizeRle(rle!);
    const entry = { key: color, canvas: rasterToCanvas(raster, style), raster, full: !candidate.preview };
    this.candidateCanvases.set(candidate, entry);
    if (!entry.full && rle) {
      idle(() => {
        if (this.candidateCanvases.get(candidate) !== entry) return;
        const exact = rasterizeRle(rle);
        this.candidateCanvases.set(candidate, {
          key: color,
          canvas: rasterToCanvas(exact, style),
          raster: exact,
          full: true,
        });
        this.drawDraft();
      });
    }
    return entry;
  }

  private drawDraft(): void {
    const draft = this.a.doc.draft;
    const editing = this.a.brush.stroke?.target === 'draft';
    let shown = false;
    if (draft && !editing) {
      const candidate = draft.decode?.candidates[draft.selected] ?? null;
      if (draft.edited) {
        const raster = rasterizeRle(draft.edited);
        this.placeImage(this.draftNode, raster, rasterToCanvas(raster, draftStyle()));
        shown = raster.width > 0;
      } else if (candidate && (candidate.preview || candidate.rle)) {
        const { canvas, raster } = this.candidateCanvas(candidate);
        this.placeImage(this.draftNode, raster, canvas);
        shown = true;
      } else if (candidate) {
        // A candidate chosen before its preview is here (a decode previews only the first shown, issue 16):
        // the last mask stays until it comes.
        shown = this.draftNode.visible();
      }
    }
    this.draftNode.visible(shown);
    // Keep the last mask on screen while the next decode runs (no flicker), dimmed.
    if (!shown && draft && !draft.decode && !draft.edited && this.shownDraft?.key === draft.key) {
      this.draftNode.visible(true);
      this.draftNode.opacity(0.45);
    } else this.draftNode.opacity(1);
    const fresh = draft?.decode && draft !== this.shownDraft && this.shownDraft?.decode !== draft.decode;
    if (shown || !draft) this.shownDraft = draft;
    this.draftLayer.batchDraw();
    this.drawPrompts();
    if (fresh && this.pressedAt !== null) {
      const start = this.pressedAt;
      this.pressedAt = null;
      // Measured when the frame with the mask is painted.
      requestAnimationFrame(() => {
        performance.measure('sam:click-to-mask', { start, end: performance.now() });
      });
    }
  }

  private placeImage(node: Konva.Image, raster: MaskRaster, canvas: HTMLCanvasElement): void {
    node.image(canvas);
    node.position({ x: raster.x, y: raster.y });
    node.size({ width: raster.imageWidth, height: raster.imageHeight });
  }

  /**
   * A stroke in progress is drawn as vector strokes, not re-rasterised: painting goes onto an overlay covering
   * the image; erasing cuts into the canvas the mask is displayed with ('destination-out'). Both cost only the
   * new segments, whatever the image size. When the stroke ends, the new RLE is rasterised once as usual.
   */
  private drawStroke(): void {
    const stroke = this.a.brush.stroke;
    if (!stroke) {
      const mutated = this.live?.mutated ?? null;
      this.live = null;
      this.strokeNode.visible(false);
      // A cancelled erase leaves the same RLE: drop the cut canvas so it is rebuilt from the raster.
      if (typeof mutated === 'number') {
        this.masks.get(mutated)?.node.destroy();
        this.masks.delete(mutated);
      }
      if (mutated === 'draft') this.shownDraft = null;
      this.drawMasks();
      this.drawDraft();
      return;
    }
    if (!this.live) this.live = this.startLive(stroke.target, stroke.erase);
    const live = this.live;
    if (!live) return;
    const { ctx } = live;
    const path = stroke.path;
    const width = Math.max(1, 2 * stroke.radius * live.scale);
    const from = Math.max(0, live.drawn - 1);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = width;
    ctx.beginPath();
    const p0 = path[from]!;
    ctx.moveTo((p0.x - live.originX) * live.scale, (p0.y - live.originY) * live.scale);
    if (path.length === 1)
      ctx.lineTo((p0.x - live.originX) * live.scale + 0.01, (p0.y - live.originY) * live.scale);
    for (let i = from + 1; i < path.length; i++)
      ctx.lineTo((path[i]!.x - live.originX) * live.scale, (path[i]!.y - live.originY) * live.scale);
    ctx.stroke();
    live.drawn = path.length;
    stroke.mask.takeDirty();
    this.masksLayer.batchDraw();
    this.draftLayer.batchDraw();
  }

  private startLive(target: 'draft' | number, erase: boolean): CanvasView['live'] {
    if (erase) {
      // Cut into the displayed mask's own canvas (a copy for the draft, whose canvases are cached).
      const node =
        target === 'draft' ? this.draftNode : (this.masks.get(target)?.node as Konva.Image | undefined);
      const source = node?.image() as HTMLCanvasElement | undefined;
      if (!node || !source || !(source instanceof HTMLCanvasElement) || !node.visible()) return null;
      const canvas = newCanvas(source.width, source.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(source, 0, 0);
      node.image(canvas);
      ctx.globalCompositeOperation = 'destination-out';
      ctx.strokeStyle = '#000';
      return {
        ctx,
        originX: node.x(),
        originY: node.y(),
        scale: canvas.width / node.width(),
        drawn: 0,
        mutated: target,
      };
    }
    // Paint on an overlay over the whole image, opaque, shown at the mask's opacity.
    const image = this.a.doc.image;
    const scale = rasterScale(image.width, image.height, 1 << 22);
    const canvas = newCanvas(Math.ceil(image.width * scale), Math.ceil(image.height * scale));
    const ctx = canvas.getContext('2d')!;
    const rgb =
      target === 'draft' ? this.draftColor() : hexToRgb(this.colorOf(this.a.selected?.categoryId ?? null));
    ctx.strokeStyle = `rgb(${rgb.r},${rgb.g},${rgb.b})`;
    this.strokeNode.setAttrs({
      image: canvas,
      x: 0,
      y: 0,
      width: image.width,
      height: image.height,
      opacity: 0.55,
    });
    this.strokeNode.visible(true);
    return { ctx, originX: 0, originY: 0, scale, drawn: 0, mutated: null };
  }

  // ───────────────────────────── prompts and overlay ─────────────────────────────

  private drawPrompts(): void {
    const draft = this.a.doc.draft;
    const scale = this.a.viewport.scale;
    const r = 6 / scale;
    const group = this.pointsGroup;
    const points = draft?.points ?? [];
    const nodes = group.getChildren() as Konva.Circle[];
    while (nodes.length > points.length) nodes.pop()!.destroy();
    points.forEach((p, i) => {
      let node = nodes[i];
      if (!node) {
        node = new Konva.Circle({ stroke: '#ffffff' });
        group.add(node);
        nodes.push(node);
      }
      node.setAttrs({
        x: p.x,
        y: p.y,
        radius: r,
        fill: p.label === 1 ? POSITIVE : NEGATIVE,
        strokeWidth: 2 / scale,
        shadowColor: '#000',
        shadowBlur: 2 / scale,
        shadowOpacity: 0.6,
      });
    });
    const box = draft?.box;
    this.boxNode.visible(!!box);
    if (box)
      this.boxNode.setAttrs({
        x: box.x0,
        y: box.y0,
        width: box.x1 - box.x0,
        height: box.y1 - box.y0,
        strokeWidth: 2 / scale,
        dash: [6 / scale, 4 / scale],
      });
    this.promptsLayer.batchDraw();
  }

  private drawOverlay(): void {
    const a = this.a;
    const scale = a.viewport.scale;
    const hover = a.hoverPreview;
    if (hover) {
      this.placeImage(
        this.hoverNode,
        hover.raster,
        rasterToCanvas(hover.raster, { color: HOVER, fill: 0.3, edge: HOVER, edgeOpacity: 0.9 }),
      );
      this.hoverNode.visible(true);
    } else this.hoverNode.visible(false);
    this.draftLayer.batchDraw();

    const box = a.dragBox;
    this.dragBoxNode.visible(!!box);
    if (box)
      this.dragBoxNode.setAttrs({
        x: box.x0,
        y: box.y0,
        width: box.x1 - box.x0,
        height: box.y1 - box.y0,
        strokeWidth: 1.5 / scale,
        dash: [4 / scale, 4 / scale],
      });
    const cursor = a.brush.cursor;
    const brushing = a.toolId === 'brush' || a.toolId === 'eraser';
    for (const [node, width] of [
      [this.brushShadow, 3],
      [this.brushNode, 1.2],
    ] as const) {
      node.visible(!!cursor && brushing);
      if (cursor)
        node.setAttrs({
          x: cursor.x,
          y: cursor.y,
          radius: a.view.brushRadius,
          strokeWidth: width / scale,
          dash: a.toolId === 'eraser' ? [4 / scale, 3 / scale] : undefined,
        });
    }
    this.promptsLayer.batchDraw();
  }
}

function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return (
    !!t &&
    (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)
  );
}
