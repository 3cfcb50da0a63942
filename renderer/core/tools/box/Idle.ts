/** Box tool, nothing pressed. Once the draft has a box, the hover preview shows what a point would add. */
import { hoverLabel } from '../shared/labels.ts';
import { type ToolPointerEvent, ToolState } from '../types.ts';

export class BoxIdle extends ToolState {
  readonly id = 'idle';

  override onPointerMove(e: ToolPointerEvent): void {
    this.host.hover(this.host.draft?.box ? e.point : null, hoverLabel(e));
  }

  override onPointerDown(e: ToolPointerEvent): void {
    if (e.button !== 0 && e.button !== 2) return;
    this.host.hover(null, 1);
    this.transition('pointing', { down: e });
  }

  override onPointerLeave(): void {
    this.host.hover(null, 1);
  }

  override onInterrupt(): void {
    this.host.hover(null, 1);
  }
}
