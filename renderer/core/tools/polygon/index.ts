import { Tool, type ToolHost } from '../types.ts';
import { PolygonIdle } from './Idle.ts';
import { PolygonPlacing } from './Placing.ts';

/** Manual polygon (issue 17): for objects SAM misses; the closed polygon becomes a draft that Enter accepts. */
export const polygonTool = (host: ToolHost): Tool => new Tool('polygon', host, [PolygonIdle, PolygonPlacing]);
