/** Select tool, nothing pressed. */
import { type ToolPointerEvent, ToolState } from '../types.ts';

export class SelectIdle extends ToolState {
  readonly id = 'idle';

  override onPointerDown(e: ToolPointerEvent): void {
    if (e.button === 0) this.transition('pointing', { down: e });
  }
}
