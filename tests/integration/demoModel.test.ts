/**
 * Quality of what a fresh install runs: on synthetic scenes the model never saw (written by the project's
 * generator, native-models/synthetic, held-out seeds), one positive click at each object's interior — the pixel
 * farthest from its boundary — through `sam-annotate predict` with no --model (so the built-in demo model),
 * taking the candidate of highest predicted IoU as the app does, gives masks whose IoU with the generator's
 * exact masks is measured over every object of the scenes.
 *
 * The aim is a mean IoU ≥ 0.85. The shipped model does not reach it (0.543 over 1120 held-out objects,
 * 0.474 on these 30; native-models/builtin/sam-annotate-demo/TRAINING.md, "Status"), so the test holds the line
 * at FLOOR — it catches a broken model, pipeline or default-model resolution — and must be raised to AIM when a
 * better-trained model is committed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rle } from '../../electron/common/rle.ts';
import { cli } from '../helpers/cli.ts';
import { repoRoot } from '../helpers/paths.ts';
import { maskIou } from '../helpers/referenceSuite.ts';

// Held out: training uses seeds below 1e9, validation 1.5e9 + i, the evaluation table 2e9 + 0…199.
const SEEDS = [2_000_001_000, 2_000_001_001, 2_000_001_002, 2_000_001_003];
const AIM = 0.85;
const FLOOR = 0.42;

interface SceneInstance {
  id: number;
  area: number;
  interior_point: [number, number];
  segmentation: Rle;
}

describe('built-in demo model quality (predict without --model)', () => {
  it(`segments held-out synthetic objects from one interior click: mean IoU ≥ ${FLOOR} (aim ${AIM})`, () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-demo-quality-'));
    const env = { SAM_ANNOTATE_DATA: path.join(tmp, 'data'), SAM_ANNOTATE_CACHE: path.join(tmp, 'cache') };
    const ious: number[] = [];
    for (const seed of SEEDS) {
      const dir = path.join(tmp, String(seed));
      const made = spawnSync(
        '/usr/bin/python3',
        [
          path.join(repoRoot, 'native-models', 'synthetic', 'write_scene.py'),
          '--seed',
          String(seed),
          '--out',
          dir,
        ],
        { encoding: 'utf8' },
      );
      expect(made.status, made.stderr).toBe(0);
      const scene = JSON.parse(readFileSync(path.join(dir, 'instances.json'), 'utf8')) as {
        instances: SceneInstance[];
      };
      const prompts = scene.instances.map((inst) => ({
        name: `object${inst.id}`,
        point_coords: [inst.interior_point],
        point_labels: [1],
        multimask_output: true,
      }));
      writeFileSync(path.join(dir, 'prompts.json'), JSON.stringify(prompts));
      const out = path.join(dir, 'masks.json');
      const r = cli(
        [
          'predict',
          '--image',
          path.join(dir, 'scene.png'),
          '--prompts',
          path.join(dir, 'prompts.json'),
          '--out',
          out,
        ],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/built-in demo model/);
      const result = JSON.parse(readFileSync(out, 'utf8'));
      expect(result.model.demo).toBe(true);
      for (const [i, inst] of scene.instances.entries()) {
        const masks = result.results[i].masks as Array<{ predicted_iou: number; segmentation: Rle }>;
        const best = masks.reduce((a, b) => (b.predicted_iou > a.predicted_iou ? b : a));
        ious.push(maskIou(best.segmentation, inst.segmentation));
      }
    }
    const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
    console.log(
      `demo model, ${ious.length} objects in ${SEEDS.length} scenes: mean 1-click IoU ${mean.toFixed(3)}`,
    );
    expect(ious.length).toBeGreaterThanOrEqual(12);
    expect(mean, ious.map((v) => v.toFixed(2)).join(' ')).toBeGreaterThanOrEqual(FLOOR);
  }, 120_000);
});
