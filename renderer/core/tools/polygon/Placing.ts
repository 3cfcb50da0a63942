/**
 * Polygon tool, vertices placed: a rubber band follows the pointer; a click adds a vertex, a click on the first
 * vertex (or Enter) closes the polygon into a draft, Backspace takes the last vertex back, Esc drops it all.
 * Nothing here is a document change until the polygon is closed (one step).
 */
import type { ImagePoint } from '../../../../electron/common/frames.ts';
import { clampToImage } from '../shared/clampToImage.ts';
import { POINT_HIT_PX, type ToolKeyEvent, type ToolPointerEvent, ToolState } from '../types.ts';

/** A polygon needs this many vertices to close. */
export const MIN_POLYGON_VERTICES = 3;

export class PolygonPlacing extends ToolState {
  readonly id = 'placing';
  private vertices: ImagePoint[] = [];
  private pointer: ImagePoint | null = null;

  override onEnter(info: { first: ImagePoint }): void {
    this.vertices = [this.clamp(info.first)];
    this.pointer = info.first;
    this.show();
  }

  override onExit(): void {
    this.host.showPolygonSketch(null);
  }

  private clamp(p: ImagePoint): ImagePoint {
    return clampToImage(p, this.host.image!);
  }

  private onFirst(p: ImagePoint | null): boolean {
    const first = this.vertices[0]!;
    const r = this.host.imageLength(POINT_HIT_PX);
    return (
      !!p &&
      this.vertices.length >= MIN_POLYGON_VERTICES &&
      (p.x - first.x) ** 2 + (p.y - first.y) ** 2 <= r * r
    );
  }

  private show(): void {
    this.host.showPolygonSketch({
      vertices: this.vertices,
      pointer: this.pointer,
      closing: this.onFirst(this.pointer),
    });
  }

  private close(): void {
    const vertices = this.vertices;
    this.transition('idle');
    this.host.closePolygon(vertices);
  }

  override onPointerMove(e: ToolPointerEvent): void {
    this.pointer = e.point;
    this.show();
  }

  override onPointerLeave(): void {
    this.pointer = null;
    this.show();
  }

  override onPointerDown(e: ToolPointerEvent): void {
    if (e.button !== 0) return;
    if (this.onFirst(e.point)) return this.close();
    this.vertices = [...this.vertices, this.clamp(e.point)];
    this.pointer = e.point;
    this.show();
  }

  override onKeyDown(e: ToolKeyEvent): boolean {
    if (e.key === 'Enter') {
      if (this.vertices.length >= MIN_POLYGON_VERTICES) this.close();
      return true; // never accepts another draft while a polygon is being drawn
    }
    // Ctrl+Z while drawing takes back a vertex too (labelme), not the step before the polygon.
    if (e.key === 'Backspace' || e.key === 'Delete' || (e.mod && !e.shift && e.key.toLowerCase() === 'z')) {
      this.vertices = this.vertices.slice(0, -1);
      if (this.vertices.length === 0) this.transition('idle');
      else this.show();
      return true;
    }
    return false;
  }

  override onCancel(): boolean {
    this.transition('idle');
    return true;
  }

  override onInterrupt(): void {
    this.transition('idle');
  }
}
