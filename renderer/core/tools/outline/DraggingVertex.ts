/**
 * Outline tool, a vertex held: it follows the pointer on a live preview (no document change); the release
 * stores the outline as ONE step (with the vertex it inserted, if any). Esc mid-drag cancels: nothing changes.
 */
import type { ImagePoint } from '../../../../electron/common/frames.ts';
import { type PolygonWithHoles, type VertexRef, moveVertex } from '../../outline/outlineGeometry.ts';
import { clampToImage } from '../shared/clampToImage.ts';
import { movedFar } from '../shared/labels.ts';
import { DRAG_THRESHOLD_PX, type ToolKeyEvent, type ToolPointerEvent, ToolState } from '../types.ts';

export interface DraggingVertexInfo {
  readonly down: ToolPointerEvent;
  readonly id: number;
  /** The outline at the press (with the inserted vertex, if the press was on an edge). */
  readonly outline: PolygonWithHoles[];
  readonly vertex: VertexRef;
  readonly inserted: boolean;
}

export class OutlineDraggingVertex extends ToolState {
  readonly id = 'dragging';
  private info!: DraggingVertexInfo;
  private moved: PolygonWithHoles[] | null = null;

  override onEnter(info: DraggingVertexInfo): void {
    this.info = info;
    this.moved = null;
  }

  private clamp(p: ImagePoint): ImagePoint {
    return clampToImage(p, this.host.image!);
  }

  override onPointerMove(e: ToolPointerEvent): void {
    if (!this.moved && !movedFar(e, this.info.down, DRAG_THRESHOLD_PX)) return;
    this.moved = moveVertex(this.info.outline, this.info.vertex, this.clamp(e.point));
    this.host.previewOutline(this.moved);
  }

  override onPointerUp(): void {
    const outline = this.moved ?? (this.info.inserted ? this.info.outline : null);
    this.transition('idle');
    if (outline) this.host.writeOutline(this.info.id, outline);
    else this.host.previewOutline(null);
  }

  /** No command while a vertex is held (an undo now would be undone by the release). */
  override onKeyDown(_e: ToolKeyEvent): boolean {
    return true;
  }

  private drop(): void {
    this.host.previewOutline(null);
    if (this.info.inserted) this.host.selectVertex(null);
    this.transition('idle');
  }

  override onCancel(): boolean {
    this.drop();
    return true;
  }

  override onInterrupt(): void {
    this.drop();
  }
}
