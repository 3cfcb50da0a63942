/**
 * Brush or eraser, painting. The stroke paints the full-resolution working mask as the pointer moves; release
 * makes the whole stroke one undo step, Esc (or switching away) drops it and leaves nothing.
 */
import { type ToolPointerEvent, ToolState } from '../types.ts';

export class BrushPainting extends ToolState {
  readonly id = 'painting';

  override onPointerMove(e: ToolPointerEvent): void {
    this.host.showBrushCursor(e.point);
    this.host.continueStroke(e.point);
  }

  override onPointerUp(e: ToolPointerEvent): void {
    this.host.continueStroke(e.point);
    this.host.endStroke();
    this.transition('idle');
  }

  override onCancel(): boolean {
    this.host.cancelStroke();
    this.transition('idle');
    return true;
  }

  override onInterrupt(): void {
    this.host.cancelStroke();
    this.transition('idle');
  }
}
