/**
 * Store and dataset benchmark (issue 3): a synthetic project of 100k images and 1M masks — open time, COCO and
 * SA-1B export time, peak RSS — and the mask codecs on a 12 MP mask (RLE encode/decode MB/s, polygon extraction).
 * Numbers only, no assertions. Run alone: `node --import tsx tests/bench/store.ts` (env BENCH_IMAGES /
 * BENCH_MASKS_PER_IMAGE to scale).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { rleToPolygons } from '../../electron/common/polygons.ts';
import { type Rle, decodeRle, encodeMask, rleArea, rleBboxCoco } from '../../electron/common/rle.ts';
import { exportCoco } from '../../electron/dataset/exportCoco.ts';
import { exportSa1b } from '../../electron/dataset/exportSa1b.ts';
import { addAnnotations } from '../../electron/store/annotations.ts';
import { createProject, openProject } from '../../electron/store/projectDb.ts';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 100_000);
const MASKS_PER_IMAGE = Number(process.env.BENCH_MASKS_PER_IMAGE ?? 10);
const W = 640;
const H = 480;

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, Math.round(performance.now() - start)];
}

/** A pool of distinct ellipse masks (some with a hole) at W×H, reused across the synthetic annotations. */
function maskPool(count: number): { rle: Rle; area: number; bbox: number[] }[] {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, () => {
    const cx = 40 + random() * (W - 80);
    const cy = 40 + random() * (H - 80);
    const rx = 8 + random() * 30;
    const ry = 8 + random() * 30;
    const hole = random() < 0.3;
    const data = new Uint8Array(W * H);
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(H, cy + ry); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(W, cx + rx); x++) {
        const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
        data[y * W + x] = d < 1 && !(hole && d < 0.2) ? 1 : 0;
      }
    }
    const rle = encodeMask({ width: W, height: H, data });
    return { rle, area: rleArea(rle), bbox: rleBboxCoco(rle) };
  });
}

/** A 12 MP mask (4000×3000): a wobbly blob with a hole, an island in the hole and a separate island. */
function bigMask() {
  const width = 4000;
  const height = 3000;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = Math.hypot(x - 2000, y - 1500);
      let v = r < 1100 + 60 * Math.sin(Math.atan2(y - 1500, x - 2000) * 7);
      const h = Math.hypot(x - 1700, y - 1400);
      if (h < 150) v = h < 50;
      if (Math.hypot(x - 3800, y - 200) < 80) v = true;
      data[y * width + x] = v ? 1 : 0;
    }
  }
  return { width, height, data };
}

export async function benchStore(): Promise<Record<string, number | string>> {
  const results: Record<string, number | string> = {};
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam-bench-store-'));
  try {
    // Codecs on 12 MP.
    const big = bigMask();
    const megabytes = big.data.length / 1e6;
    encodeMask(big);
    const [bigRle, encodeMs] = await timed(() => encodeMask(big));
    const [, decodeMs] = await timed(() => decodeRle(bigRle));
    rleToPolygons(bigRle);
    const [polygons, polygonMs] = await timed(() => rleToPolygons(bigRle));
    const [, polygonTolMs] = await timed(() => rleToPolygons(bigRle, { tolerance: 1 }));
    results['rle encode 12MP (MB/s)'] = Math.round(megabytes / (encodeMs / 1000));
    results['rle decode 12MP (MB/s)'] = Math.round(megabytes / (decodeMs / 1000));
    results['polygons 12MP, tolerance 0 (ms)'] = polygonMs;
    results['polygons 12MP, tolerance 1 (ms)'] = polygonTolMs;
    results['polygons 12MP (islands/holes)'] =
      `${polygons.length}/${polygons.reduce((n, p) => n + p.holes.length, 0)}`;

    // Build the synthetic project (bulk SQL for speed; the API insert rate is measured on a sample below).
    const file = path.join(dir, 'bench.samproj');
    const pool = maskPool(256);
    const [, buildMs] = await timed(() => {
      const project = createProject(file);
      const db = project.db;
      db.pragma('synchronous = OFF'); // bulk load only; projects run with FULL
      const categories = Array.from({ length: 10 }, (_, i) =>
        Number(
          db
            .prepare("INSERT INTO categories (name, color, created_at) VALUES (?, '#336699', 0)")
            .run(`class${i}`).lastInsertRowid,
        ),
      );
      const image = db.prepare(
        "INSERT INTO images (rel_path, abs_path, sha256, byte_size, mtime_ms, width, height, status, added_at) VALUES (?, ?, ?, 1000, 0, ?, ?, 'done', 0)",
      );
      const annotation = db.prepare(
        `INSERT INTO annotations (image_id, category_id, rle_counts, area, bbox_x, bbox_y, bbox_w, bbox_h, source, predicted_iou,
           stability_score, prompts, status, created_by, created_at, updated_by, updated_at, active_ms, clicks, prompt_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'semi-auto', 0.9, 0.95, ?, 'accepted', 'bench', 0, 'bench', 0, 4000, 3, 2)`,
      );
      db.transaction(() => {
        for (let i = 0; i < IMAGES; i++) {
          const rel = `images/${String(Math.floor(i / 1000)).padStart(3, '0')}/img${i}.jpg`;
          const imageId = Number(
            image.run(rel, path.join(dir, rel), i.toString(16).padStart(64, '0'), W, H).lastInsertRowid,
          );
          for (let k = 0; k < MASKS_PER_IMAGE; k++) {
            const m = pool[(i * MASKS_PER_IMAGE + k) % pool.length]!;
            const [x, y, w, h] = m.bbox;
            const prompts = `{"points":[{"x":${x! + w! / 2},"y":${y! + h! / 2},"label":1}]}`;
            annotation.run(imageId, categories[k % 10], m.rle.counts, m.area, x, y, w, h, prompts);
          }
        }
      })();
      project.close();
    });
    results['images'] = IMAGES;
    results['masks'] = IMAGES * MASKS_PER_IMAGE;
    results['build (bulk SQL) (ms)'] = buildMs;
    results['project file (MB)'] = Math.round(statSync(file).size / 1e6);

    const [project, openMs] = await timed(() => openProject(file));
    results['open (ms)'] = openMs;
    try {
      const sample = Array.from({ length: 10_000 }, (_, i) => ({
        imageId: 1 + (i % IMAGES),
        mask: pool[i % pool.length]!.rle,
        source: 'manual' as const,
        author: 'bench',
      }));
      const [, apiMs] = await timed(() => addAnnotations(project.db, sample));
      results['addAnnotations, one transaction (masks/s)'] = Math.round(10_000 / (apiMs / 1000));
      project.db.prepare("DELETE FROM annotations WHERE created_by = 'bench' AND source = 'manual'").run();

      const [, cocoMs] = await timed(() => exportCoco(project, path.join(dir, 'coco.json'), 'rle'));
      results['export coco-rle, all masks (ms)'] = cocoMs;
      results['coco-rle file (MB)'] = Math.round(statSync(path.join(dir, 'coco.json')).size / 1e6);
      const [, polyMs] = await timed(() =>
        exportCoco(project, path.join(dir, 'coco-auto.json'), 'auto', { categories: ['class0'] }),
      );
      results[`export coco auto (polygons), ${(IMAGES * MASKS_PER_IMAGE) / 10} masks (ms)`] = polyMs;
      const [, sa1bMs] = await timed(() => exportSa1b(project, path.join(dir, 'sa1b')));
      results['export sa1b, one file per image (ms)'] = sa1bMs;
    } finally {
      project.close();
    }
    results['peak RSS (MB)'] = peakRssMb();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await benchStore();
  const width = Math.max(...Object.keys(results).map((k) => k.length));
  for (const [key, value] of Object.entries(results)) console.log(`${key.padEnd(width)}  ${value}`);
}
