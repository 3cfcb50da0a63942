/** Select tool, pressed: a click picks the topmost mask under the pointer (or none); a drag pans. */
import { movedFar } from '../shared/labels.ts';
import { DRAG_THRESHOLD_PX, type ToolPointerEvent, ToolState } from '../types.ts';

export class SelectPointing extends ToolState {
  readonly id = 'pointing';
  private down!: ToolPointerEvent;

  override onEnter(info: { down: ToolPointerEvent }): void {
    this.down = info.down;
  }

  override onPointerMove(e: ToolPointerEvent): void {
    if (movedFar(e, this.down, DRAG_THRESHOLD_PX)) {
      this.transition('panning', { from: this.down });
      this.tool.current.onPointerMove(e);
    }
  }

  override onPointerUp(): void {
    this.host.selectAt(this.down.point);
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
