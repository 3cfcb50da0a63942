/**
 * Vitest global setup: build the renderer once before any test file runs. Tests that start `serve` or `start`
 * as real processes would otherwise each rebuild a stale renderer, concurrently and with an extra line on
 * stderr ("building the user interface …") that their one-line assertions do not expect.
 */
import { ensureRendererBuilt } from '../../electron/node/rendererBuild.ts';

export default function setup(): void {
  ensureRendererBuilt();
}
