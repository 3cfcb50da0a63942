import { Tool, type ToolHost } from '../types.ts';
import { BrushIdle } from './Idle.ts';
import { BrushPainting } from './Painting.ts';

/** Paint onto the current mask (the draft's, or the selected accepted mask). */
export const brushTool = (host: ToolHost): Tool => new Tool('brush', host, [BrushIdle, BrushPainting]);

/** The brush with erasing as its main button. */
export const eraserTool = (host: ToolHost): Tool =>
  new Tool('eraser', host, [BrushIdle, BrushPainting], { erase: true });
