import { SelectPointing } from '../select/Pointing.ts';
import { Panning } from '../shared/Panning.ts';
import { Tool, type ToolHost } from '../types.ts';
import { OutlineDraggingVertex } from './DraggingVertex.ts';
import { OutlineIdle } from './Idle.ts';

/** Edit outline (issue 17): drag, insert and delete the vertices of the selected mask's polygons. */
export const outlineTool = (host: ToolHost): Tool =>
  new Tool('outline', host, [OutlineIdle, OutlineDraggingVertex, SelectPointing, Panning]);
