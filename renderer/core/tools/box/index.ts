import { Tool, type ToolHost } from '../types.ts';
import { DraggingBox } from './DraggingBox.ts';
import { BoxIdle } from './Idle.ts';
import { BoxPointing } from './Pointing.ts';

/** SAM box: drag a box (live preview), then click to add points inside it (box + points). */
export const boxTool = (host: ToolHost): Tool => new Tool('box', host, [BoxIdle, BoxPointing, DraggingBox]);
