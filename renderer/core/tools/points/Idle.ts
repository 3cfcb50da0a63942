/** Points tool, nothing pressed: the hover preview follows the pointer (Alt previews a negative click). */
import { hoverLabel } from '../shared/labels.ts';
import { type ToolKeyEvent, type ToolPointerEvent, ToolState } from '../types.ts';

export class PointsIdle extends ToolState {
  readonly id = 'idle';
  private last: ToolPointerEvent | null = null;

  override onPointerMove(e: ToolPointerEvent): void {
    this.last = e;
    this.host.hover(e.point, hoverLabel(e));
  }

  override onPointerDown(e: ToolPointerEvent): void {
    if (e.button !== 0 && e.button !== 2) return;
    this.host.hover(null, 1);
    this.transition('pointing', { down: e });
  }

  override onPointerLeave(): void {
    this.last = null;
    this.host.hover(null, 1);
  }

  override onKeyDown(e: ToolKeyEvent): boolean {
    if (e.key === 'Alt' && this.last) this.host.hover(this.last.point, 0);
    return false;
  }

  override onKeyUp(e: ToolKeyEvent): void {
    if (e.key === 'Alt' && this.last) this.host.hover(this.last.point, 1);
  }

  override onInterrupt(): void {
    this.last = null;
    this.host.hover(null, 1);
  }
}
