/** The polygon being drawn with the polygon tool (issue 17): its vertices and the rubber band to the pointer. */
import type { ImagePoint } from '../../../electron/common/frames.ts';

export interface PolygonSketchState {
  readonly vertices: readonly ImagePoint[];
  /** Where the rubber band ends; null when the pointer is off the canvas. */
  readonly pointer: ImagePoint | null;
  /** The pointer is on the first vertex: a click closes the polygon. */
  readonly closing: boolean;
}

export class PolygonSketch {
  state: PolygonSketchState | null = null;

  constructor(private readonly emit: (topic: 'overlay') => void) {}

  show(state: PolygonSketchState | null): void {
    this.state = state;
    this.emit('overlay');
  }
}
