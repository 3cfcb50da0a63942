/** Masks drawn or reshaped by hand (issue 17): the polygon tool's closed polygon, and an edited outline. */
import type { ImagePoint } from '../../../electron/common/frames.ts';
import { rleArea } from '../../../electron/common/rle.ts';
import type { PolygonWithHoles } from '../outline/outlineGeometry.ts';
import { rasterizeRing } from '../outline/outlineGeometry.ts';
import { MIN_POLYGON_VERTICES } from '../tools/polygon/Placing.ts';
import { type EditorCommand, editorCommand } from './editorCommand.ts';

/** Why a closed polygon made no draft. */
export const EMPTY_POLYGON = 'That polygon covers no pixel (it is too thin). Draw it again.';

const closePolygon = editorCommand<readonly ImagePoint[]>({
  id: 'polygon.close',
  label: 'Close polygon',
  group: 'Masks',
  shortcuts: [],
  capture: 'record',
  available: (a, vertices) => a.image !== null && !!vertices && vertices.length >= MIN_POLYGON_VERTICES,
  perform: (a, vertices) => {
    const { width, height } = a.image!;
    const rle = rasterizeRing(
      vertices.flatMap((p) => [p.x, p.y]),
      height,
      width,
    );
    if (rleArea(rle) === 0) throw new Error(EMPTY_POLYGON);
    return a.drafts.drawPolygon(rle, vertices.length);
  },
});

const editOutline = editorCommand<{ id: number; outline: PolygonWithHoles[] }>({
  id: 'outline.edit',
  label: 'Edit outline',
  group: 'Masks',
  shortcuts: [],
  capture: 'record',
  available: (a, arg) => !!arg && a.view.selectedId === arg.id,
  perform: (a, arg) => a.outline.write(arg.id, arg.outline),
});

export const OUTLINE_COMMANDS: readonly EditorCommand[] = [closePolygon, editOutline];
