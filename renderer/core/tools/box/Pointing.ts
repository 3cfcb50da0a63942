/**
 * Box tool, button pressed: dragging with the left button draws a box; released in place it is a point click
 * (box + points), with the same rules as the points tool.
 */
import { clickLabel, movedFar } from '../shared/labels.ts';
import { DRAG_THRESHOLD_PX, type ToolPointerEvent, ToolState } from '../types.ts';

export class BoxPointing extends ToolState {
  readonly id = 'pointing';
  private down!: ToolPointerEvent;

  override onEnter(info: { down: ToolPointerEvent }): void {
    this.down = info.down;
  }

  override onPointerMove(e: ToolPointerEvent): void {
    if (this.down.button === 0 && movedFar(e, this.down, DRAG_THRESHOLD_PX)) {
      this.transition('dragging', { start: this.down.point });
      this.tool.current.onPointerMove(e);
    }
  }

  override onPointerUp(): void {
    const hit = this.host.pointAt(this.down.point);
    if (hit >= 0) this.host.removePoint(hit);
    else this.host.addPoint(this.down.point, clickLabel(this.down));
    this.transition('idle');
  }

  override onCancel(): boolean {
    this.transition('idle');
    return true;
  }

  override onInterrupt(): void {
    this.transition('idle');
  }
}
