/** Dragging the view with the pointer held (points and select tools): a navigation, never a document change. */
import { type ToolPointerEvent, ToolState } from '../types.ts';

export interface PanningInfo {
  readonly from: ToolPointerEvent;
}

export class Panning extends ToolState {
  readonly id = 'panning';
  private lastX = 0;
  private lastY = 0;

  override onEnter(info: PanningInfo): void {
    this.lastX = info.from.screen.x;
    this.lastY = info.from.screen.y;
  }

  override onPointerMove(e: ToolPointerEvent): void {
    this.host.panBy(e.screen.x - this.lastX, e.screen.y - this.lastY);
    this.lastX = e.screen.x;
    this.lastY = e.screen.y;
  }

  override onPointerUp(): void {
    this.transition('idle');
  }

  override onCancel(): boolean {
    this.transition('idle');
    return true;
  }
}
