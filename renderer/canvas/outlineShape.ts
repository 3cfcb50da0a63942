/**
 * The polygon tool's sketch and the edited outline's vertices (issue 17), drawn as one Konva shape in one pass:
 * a mask traced at pixel corners can have thousands of vertices, too many for a node each. The shape reads the
 * annotator when the layer draws, so a redraw of the prompts layer is all an update needs.
 */
import Konva from 'konva';
import type { Annotator } from '../core/annotator.ts';
import { ringsOf } from '../core/outline/outlineGeometry.ts';

const LINE = '#ffffff';
const SHADOW = 'rgba(0, 0, 0, 0.7)';
const HANDLE = '#facc15';
const PICKED = '#ef4444';
/** Vertex handle half-size, screen pixels. */
const HANDLE_PX = 3.5;

export function outlineShape(a: Annotator): Konva.Shape {
  return new Konva.Shape({
    listening: false,
    sceneFunc: (context) => {
      const ctx = context._context;
      const s = a.viewport.scale;
      const sketch = a.sketch.state;
      const edited = a.toolId === 'outline' ? a.outline.current : null;
      if (!sketch && !edited) return;
      ctx.save();
      ctx.lineJoin = 'round';
      const stroke = (path: () => void, color: string, width: number, dash: number[] = []) => {
        ctx.beginPath();
        path();
        ctx.setLineDash(dash.map((d) => d / s));
        ctx.strokeStyle = color;
        ctx.lineWidth = width / s;
        ctx.stroke();
      };
      const handle = (x: number, y: number, color: string, size = HANDLE_PX) => {
        const h = size / s;
        ctx.fillStyle = color;
        ctx.fillRect(x - h, y - h, 2 * h, 2 * h);
        ctx.strokeStyle = SHADOW;
        ctx.lineWidth = 1 / s;
        ctx.strokeRect(x - h, y - h, 2 * h, 2 * h);
      };
      if (sketch) {
        const v = sketch.vertices;
        const path = () => {
          v.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
          if (sketch.pointer) ctx.lineTo(sketch.pointer.x, sketch.pointer.y);
        };
        stroke(path, SHADOW, 3);
        stroke(path, LINE, 1.5);
        v.forEach((p, i) =>
          handle(p.x, p.y, i === 0 && sketch.closing ? PICKED : HANDLE, i === 0 ? 5 : HANDLE_PX),
        );
      }
      if (edited) {
        const rings = ringsOf(edited.outline);
        const path = () => {
          for (const { ring } of rings) {
            ctx.moveTo(ring[0]!, ring[1]!);
            for (let i = 2; i < ring.length; i += 2) ctx.lineTo(ring[i]!, ring[i + 1]!);
            ctx.closePath();
          }
        };
        stroke(path, SHADOW, 3);
        stroke(path, LINE, 1.5, [6, 3]);
        for (const { ring } of rings) {
          // Pixel-corner outlines of curved masks have a vertex at every stair step: smaller handles when dense.
          const size = Math.min(HANDLE_PX, Math.max(1.5, (meanEdge(ring) * s) / 3));
          for (let i = 0; i < ring.length; i += 2) handle(ring[i]!, ring[i + 1]!, HANDLE, size);
        }
        const v = edited.vertex;
        if (v) {
          const ring = rings.find((r) => r.ref.island === v.island && r.ref.hole === v.hole)?.ring;
          if (ring && 2 * v.index < ring.length)
            handle(ring[2 * v.index]!, ring[2 * v.index + 1]!, PICKED, 5);
        }
      }
      ctx.restore();
    },
  });
}

/** Mean edge length of a closed ring, image pixels. */
function meanEdge(ring: readonly number[]): number {
  let length = 0;
  for (let i = 0; i < ring.length; i += 2) {
    const j = (i + 2) % ring.length;
    length += Math.hypot(ring[j]! - ring[i]!, ring[j + 1]! - ring[i + 1]!);
  }
  return length / (ring.length / 2);
}
