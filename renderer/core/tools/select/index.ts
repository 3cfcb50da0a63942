import { Panning } from '../shared/Panning.ts';
import { Tool, type ToolHost } from '../types.ts';
import { SelectIdle } from './Idle.ts';
import { SelectPointing } from './Pointing.ts';

/** Pick masks on the canvas; drag to pan. */
export const selectTool = (host: ToolHost): Tool =>
  new Tool('select', host, [SelectIdle, SelectPointing, Panning]);
