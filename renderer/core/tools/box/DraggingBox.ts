/**
 * Box tool, dragging: the box follows the pointer and SAM's mask for it is previewed live (hover lane). Release
 * sets the draft's box (one undo step); Esc drops the drag and leaves nothing behind.
 */
import type { ImagePoint } from '../../../../electron/common/frames.ts';
import type { PromptBox } from '../../../../electron/common/prompts.ts';
import { normalizeBox } from '../../document.ts';
import { type ToolPointerEvent, ToolState } from '../types.ts';

/** Boxes thinner than this (image px) are treated as a slip, not a box. */
const MIN_BOX_SIDE = 2;

export class DraggingBox extends ToolState {
  readonly id = 'dragging';
  private start!: ImagePoint;
  private box: PromptBox | null = null;

  override onEnter(info: { start: ImagePoint }): void {
    this.start = info.start;
    this.box = null;
  }

  override onPointerMove(e: ToolPointerEvent): void {
    const image = this.host.image;
    if (!image) return;
    this.box = normalizeBox(this.start, e.point, image);
    this.host.showDragBox(this.box);
    this.host.hoverBox(this.box);
  }

  override onPointerUp(e: ToolPointerEvent): void {
    this.onPointerMove(e);
    const box = this.box;
    this.clear();
    if (box && box.x1 - box.x0 >= MIN_BOX_SIDE && box.y1 - box.y0 >= MIN_BOX_SIDE) this.host.setBox(box);
    this.transition('idle');
  }

  override onCancel(): boolean {
    this.clear();
    this.transition('idle');
    return true;
  }

  override onInterrupt(): void {
    this.clear();
    this.transition('idle');
  }

  private clear(): void {
    this.host.showDragBox(null);
    this.host.hoverBox(null);
  }
}
