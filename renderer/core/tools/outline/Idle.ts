/**
 * Outline tool, nothing pressed (issue 17): the selected mask's vertices are shown. Press on a vertex to pick and
 * drag it, on an edge to insert a vertex there (and drag it), elsewhere to select another mask (a drag pans).
 * Delete / Backspace removes the picked vertex; Enter or Esc finishes (Esc first drops the picked vertex).
 */
import { deleteVertex, edgeNear, insertVertex, vertexNear } from '../../outline/outlineGeometry.ts';
import { NO_VERTEX_PICKED, RING_TOO_SMALL } from '../../outline/outlineEditing.ts';
import { POINT_HIT_PX, type ToolKeyEvent, type ToolPointerEvent, ToolState } from '../types.ts';

export class OutlineIdle extends ToolState {
  readonly id = 'idle';

  override onPointerDown(e: ToolPointerEvent): void {
    if (e.button !== 0) return;
    const current = this.host.outline;
    const radius = this.host.imageLength(POINT_HIT_PX);
    const vertex = current && vertexNear(current.outline, e.point, radius);
    if (current && vertex) {
      this.host.selectVertex(vertex);
      this.transition('dragging', {
        down: e,
        id: current.id,
        outline: current.outline,
        vertex,
        inserted: false,
      });
      return;
    }
    const edge = current && edgeNear(current.outline, e.point, radius);
    if (current && edge) {
      const outline = insertVertex(current.outline, edge.edge, edge.at);
      const added = { ...edge.edge, index: edge.edge.index + 1 };
      this.host.selectVertex(added);
      this.host.previewOutline(outline);
      this.transition('dragging', { down: e, id: current.id, outline, vertex: added, inserted: true });
      return;
    }
    this.transition('pointing', { down: e });
  }

  override onKeyDown(e: ToolKeyEvent): boolean {
    const current = this.host.outline;
    if ((e.key === 'Delete' || e.key === 'Backspace') && current?.vertex) {
      const next = deleteVertex(current.outline, current.vertex);
      if (!next) this.host.refuse(RING_TOO_SMALL);
      else {
        this.host.selectVertex(null);
        this.host.writeOutline(current.id, next);
      }
      return true;
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && current) {
      this.host.refuse(NO_VERTEX_PICKED); // while editing an outline, Delete never takes the whole mask
      return true;
    }
    if (e.key === 'Enter') {
      this.host.finishOutline();
      return true;
    }
    return false;
  }

  override onCancel(): boolean {
    if (this.host.outline?.vertex) this.host.selectVertex(null);
    else this.host.finishOutline();
    return true;
  }
}
