import { Panning } from '../shared/Panning.ts';
import { Tool, type ToolHost } from '../types.ts';
import { PointsIdle } from './Idle.ts';
import { PointsPointing } from './Pointing.ts';

/** SAM points: click to add positive / negative points, click a point to remove it; drag pans. */
export const pointsTool = (host: ToolHost): Tool =>
  new Tool('points', host, [PointsIdle, PointsPointing, Panning]);
