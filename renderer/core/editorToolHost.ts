/**
 * The `ToolHost` the tool state machines get (tools/types.ts): prompts become commands, previews and strokes go
 * to their modules. Tools see nothing else of the editor.
 */
import type { ImagePoint, Size } from '../../electron/common/frames.ts';
import type { Draft } from './document.ts';
import type { EditorParts } from './editorParts.ts';
import { insideImage } from './screenFrame.ts';
import { rleContains } from './maskRaster.ts';
import type { ToolHost } from './tools/types.ts';
import type { AnnotationItem } from '../../electron/ipc/contract.ts';

/** What the tool host needs besides the parts. */
export interface ToolHostCore {
  readonly image: Size | null;
  readonly draft: Draft | null;
  readonly visibleAnnotations: readonly AnnotationItem[];
  run(id: string, arg?: unknown): boolean;
  setTool(id: 'select'): void;
  fail(error: unknown): void;
  /** Any sign of life (per-mask timing). */
  activity(): void;
}

export function editorToolHost(core: ToolHostCore, parts: EditorParts): ToolHost {
  const { view, hover, brush } = parts;
  return {
    get image() {
      return core.image;
    },
    get draft() {
      return core.draft;
    },
    get brushRadius() {
      return view.brushRadius;
    },
    imageLength: (screenPixels) => view.imageLength(screenPixels),
    addPoint(point, label) {
      const image = core.image;
      if (!image || !insideImage(point, image)) return;
      core.run('prompt.addPoint', { x: point.x, y: point.y, label });
    },
    removePoint: (index) => void core.run('prompt.removePoint', index),
    setBox: (box) => void core.run('prompt.setBox', box),
    pointAt: (point) => parts.pointAt(point),
    hover: (point, label) => hover.hover(point, label),
    hoverBox: (box) => hover.hoverBox(box),
    showDragBox: (box) => hover.showDragBox(box),
    beginStroke: (point, erase) => brush.begin(point, erase),
    continueStroke: (point: ImagePoint) => brush.continue(point),
    endStroke: () => brush.end(),
    cancelStroke: () => brush.cancel(),
    showBrushCursor: (point) => brush.showCursor(point),
    selectAt(point) {
      const hit = [...core.visibleAnnotations]
        .reverse()
        .find((a) => !view.hidden.has(a.id) && a.rle && rleContains(a.rle, point.x, point.y));
      view.setSelected(hit?.id ?? null);
    },
    panBy: (dx, dy) => view.panBy(dx, dy),
    activity: () => core.activity(),
    showPolygonSketch: (sketch) => parts.sketch.show(sketch),
    closePolygon: (vertices) => void core.run('polygon.close', vertices),
    get outline() {
      return parts.outline.current;
    },
    selectVertex: (vertex) => parts.outline.selectVertex(vertex),
    previewOutline: (outline) => parts.outline.preview(outline),
    writeOutline: (id, outline) => void core.run('outline.edit', { id, outline }),
    finishOutline: () => core.setTool('select'),
    refuse: (message) => core.fail(new Error(message)),
  };
}
