/**
 * Points tool, button pressed. Released in place: a click on an existing prompt point removes it, anywhere else
 * it adds a point (left positive, right or Alt negative). Moved farther than a few pixels: it pans instead.
 */
import { clickLabel, movedFar } from '../shared/labels.ts';
import { DRAG_THRESHOLD_PX, type ToolPointerEvent, ToolState } from '../types.ts';

export interface PointingInfo {
  readonly down: ToolPointerEvent;
}

export class PointsPointing extends ToolState {
  readonly id = 'pointing';
  private down!: ToolPointerEvent;

  override onEnter(info: PointingInfo): void {
    this.down = info.down;
  }

  override onPointerMove(e: ToolPointerEvent): void {
    if (movedFar(e, this.down, DRAG_THRESHOLD_PX)) {
      this.transition('panning', { from: this.down });
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
