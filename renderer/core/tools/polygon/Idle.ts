/** Polygon tool, nothing placed: a left click inside the image places the first vertex. */
import { insideImage } from '../../screenFrame.ts';
import { type ToolPointerEvent, ToolState } from '../types.ts';

export class PolygonIdle extends ToolState {
  readonly id = 'idle';

  override onPointerDown(e: ToolPointerEvent): void {
    const image = this.host.image;
    if (e.button !== 0 || !image || !insideImage(e.point, image)) return;
    this.transition('placing', { first: e.point });
  }
}
