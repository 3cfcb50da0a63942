/** Brush or eraser, nothing pressed: the brush outline follows the pointer. */
import { type ToolPointerEvent, ToolState } from '../types.ts';

export class BrushIdle extends ToolState {
  readonly id = 'idle';

  override onPointerMove(e: ToolPointerEvent): void {
    this.host.showBrushCursor(e.point);
  }

  override onPointerDown(e: ToolPointerEvent): void {
    if (e.button !== 0 && e.button !== 2) return;
    // The eraser erases; the brush erases with the right button or Alt (X-AnyLabeling's Ctrl, CVAT's eraser).
    const erase = this.tool.options.erase === true ? !(e.button === 2 || e.alt) : e.button === 2 || e.alt;
    if (this.host.beginStroke(e.point, erase)) this.transition('painting');
  }

  override onPointerLeave(): void {
    this.host.showBrushCursor(null);
  }

  override onInterrupt(): void {
    this.host.showBrushCursor(null);
  }
}
