/**
 * Seeded fuzzing of COCO and SA-1B import (issue 18): valid documents with random damage (types changed, huge,
 * negative and non-finite numbers, keys removed, lone surrogates, long strings, truncated JSON, broken RLE).
 * Every import must either succeed or refuse with a one-line UserError naming the file, leaving the project's
 * tables exactly as they were. A failure prints the seed and case; rerun one with IMPORT_FUZZ_SEED=<seed>.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../electron/common/errors.ts';
import { MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from '../../../electron/common/imageLimits.ts';
import { decompressRle, encodeMask } from '../../../electron/common/rle.ts';
import { importCoco } from '../../../electron/dataset/importCoco.ts';
import { importSa1b } from '../../../electron/dataset/importSa1b.ts';
import { type Project, createProject } from '../../../electron/store/projectDb.ts';
import { cli } from '../../helpers/cli.ts';
import { newProject, tempDir, writeImage } from '../../helpers/projects.ts';
import { maskOf } from './fixtures.ts';
import { projectChecksum } from './projectChecksum.ts';

const SEED = Number(process.env.IMPORT_FUZZ_SEED ?? 1818);
const CASES_PER_FORMAT = 200;

/** mulberry32: small, fast, good enough to pick mutations reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const blob = encodeMask(maskOf(30, 20, (x, y) => Math.hypot(x - 15, y - 10) < 7));

/** A fresh deep copy, so that mutating one document never changes the next. */
const asJson = (value: object): Json => structuredClone(value) as unknown as Json;

function cocoBase(): Json {
  return {
    info: { description: 'fuzz' },
    images: [
      { id: 1, file_name: 'one.png', width: 30, height: 20 },
      { id: 2, file_name: 'two.png', width: 40, height: 10 },
      { id: 3, file_name: 'gone.png', width: 30, height: 20 },
    ],
    categories: [
      { id: 1, name: 'person', supercategory: 'human' },
      { id: 2, name: 'car', supercategory: 'vehicle' },
    ],
    annotations: [
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        segmentation: asJson(blob),
        area: 150,
        bbox: [8, 3, 14, 14],
        iscrowd: 0,
      },
      {
        id: 2,
        image_id: 3,
        category_id: 1,
        segmentation: asJson(decompressRle(blob)),
        iscrowd: 1,
      },
      { id: 3, image_id: 2, category_id: 2, segmentation: [[2, 2, 10, 2, 10, 8]], iscrowd: 0 },
      { id: 4, image_id: 2, category_id: 2, bbox: [1, 1, 5, 5], area: 25, iscrowd: 0 },
    ],
  };
}

function sa1bBase(): Json {
  return {
    image: { image_id: 1, width: 30, height: 20, file_name: 'sa_1.png' },
    annotations: [
      {
        id: 1,
        segmentation: asJson(blob),
        bbox: [8, 3, 13, 13],
        area: 150,
        predicted_iou: 0.95,
        point_coords: [[15, 10]],
        crop_box: [0, 0, 30, 20],
        stability_score: 0.97,
      },
    ],
  };
}

const LONG = 'L'.repeat(100_000);
const VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  0.5,
  -0.5,
  1.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 2,
  1e7,
  65536,
  65537,
  20,
  30,
  -30,
  '',
  ' ',
  'x',
  '\ud800',
  'a\udc00b',
  LONG,
  '0',
  '1e999',
  [],
  {},
  [0],
  [1, 2, 3, 4],
  [[1, 2]],
  [-1e308, 0, 1, 1],
  { size: [20, 30], counts: '0' },
  { size: [20, 30], counts: [600] },
  { size: [20, 30], counts: [0, 1e14] },
];

/** Every [container, key] of a document (the root excluded), containers first. */
function slots(doc: Json): [Json[] | { [key: string]: Json }, string | number][] {
  const out: [Json[] | { [key: string]: Json }, string | number][] = [];
  const visit = (v: Json) => {
    const entries: [string | number, Json][] = Array.isArray(v)
      ? v.map((item, i) => [i, item])
      : v && typeof v === 'object'
        ? Object.entries(v)
        : [];
    for (const [key, item] of entries) {
      out.push([v as Json[] | { [key: string]: Json }, key]);
      visit(item);
    }
  };
  visit(doc);
  return out;
}

const slot = (container: Json[] | { [key: string]: Json }) => container as Record<string | number, Json>;

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** One damaged document as JSON text, and what was done to it (for the failure message). */
function mutate(random: () => number, doc: Json): { text: string; what: string[] } {
  const what: string[] = [];
  for (let n = Math.floor(random() * 3); n > 0; n--) {
    const all = slots(doc);
    const rleCounts = all.filter(([c, k]) => k === 'counts' && typeof slot(c)[k] === 'string');
    const r = random();
    if (r < 0.2 && rleCounts.length) {
      const [container, key] = pick(random, rleCounts);
      const counts = slot(container)[key] as string;
      const at = Math.floor(random() * (counts.length + 1));
      const junk = String.fromCharCode(32 + Math.floor(random() * 95));
      const changed = random() < 0.5 ? counts.slice(0, at) + junk + counts.slice(at) : counts.slice(0, at);
      slot(container)[key] = changed;
      what.push(`counts ${JSON.stringify(changed)}`);
      continue;
    }
    const [container, key] = pick(random, all);
    if (r < 0.35) {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key];
      what.push(`remove ${key}`);
    } else if (r < 0.45) {
      const value = Math.round((random() - 0.5) * 2 ** (random() * 70));
      slot(container)[key] = value;
      what.push(`${key} = ${value}`);
    } else {
      const value = structuredClone(pick(random, VALUES));
      slot(container)[key] = value;
      what.push(`${key} = ${JSON.stringify(value).slice(0, 40)}`);
    }
  }
  let text = JSON.stringify(doc);
  const r = random();
  if (r < 0.08) {
    text = text.slice(0, Math.floor(random() * text.length));
    what.push('truncated');
  } else if (r < 0.16) {
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?(e[+-]?\d+)?/g)];
    const target = numbers.length ? pick(random, numbers) : undefined;
    const replacement = pick(random, ['1e999', '-1e999', '-0', '1e-999', '00', '1.', 'NaN']);
    if (target)
      text = text.slice(0, target.index) + replacement + text.slice(target.index + target[0].length);
    what.push(`number → ${replacement}`);
  } else if (r < 0.24) {
    const quotes = [...text.matchAll(/"/g)];
    const at = quotes.length ? pick(random, quotes).index + 1 : 0;
    const lone = pick(random, ['\\ud800', '\\udfff', '\\ud83d', '\\u0000', '\\n']);
    text = text.slice(0, at) + lone + text.slice(at);
    what.push(`inserted ${lone}`);
  }
  return { text, what };
}

/**
 * What an accepted import must never have stored: text that is not valid UTF-8 (a lone surrogate is stored as
 * such bytes; SQLite hands them back as U+FFFD), sizes beyond the limits, scores, boxes or areas that do not fit.
 */
function storedValueProblems(project: Project): string[] {
  const problems: string[] = [];
  const db = project.reader;
  for (const table of ['images', 'categories', 'annotations']) {
    const invalid = db
      .prepare(`SELECT * FROM ${table}`)
      .raw()
      .all()
      .flat()
      .filter((v) => typeof v === 'string' && (v.includes('\ufffd') || !isWellFormedText(v)));
    if (invalid.length) problems.push(`${table}: text that is not valid UTF-8`);
  }
  const bad = (sql: string, what: string) => {
    const n = (db.prepare(`SELECT count(*) AS n FROM ${sql}`).get() as { n: number }).n;
    if (n) problems.push(`${n} × ${what}`);
  };
  bad(
    `images WHERE width > ${MAX_IMAGE_SIDE} OR height > ${MAX_IMAGE_SIDE} OR width * height > ${MAX_IMAGE_PIXELS}`,
    'image too large',
  );
  const onImage = 'annotations a JOIN images i ON i.id = a.image_id WHERE';
  bad(`${onImage} a.area > i.width * i.height`, 'area larger than the image');
  bad(
    `${onImage} a.bbox_x < -1 OR a.bbox_y < -1 OR a.bbox_x + a.bbox_w > i.width + 1 OR a.bbox_y + a.bbox_h > i.height + 1`,
    'bbox outside the image',
  );
  bad('annotations WHERE abs(predicted_iou) > 10', 'absurd predicted_iou');
  bad('annotations WHERE stability_score < 0 OR stability_score > 1', 'stability_score outside [0, 1]');
  bad(
    `${onImage} json_extract(a.crop_box, '$[0]') < 0 OR json_extract(a.crop_box, '$[1]') < 0 OR
       json_extract(a.crop_box, '$[0]') + json_extract(a.crop_box, '$[2]') > i.width OR
       json_extract(a.crop_box, '$[1]') + json_extract(a.crop_box, '$[3]') > i.height`,
    'crop_box outside the image',
  );
  bad(
    `${onImage} json_extract(a.prompts, '$.points[0].x') NOT BETWEEN -1 AND i.width + 1 OR
       json_extract(a.prompts, '$.points[0].y') NOT BETWEEN -1 AND i.height + 1`,
    'point outside the image',
  );
  return problems;
}

const isWellFormedText = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

async function imagesFolder() {
  const dir = tempDir('sam-fuzz-');
  await writeImage(path.join(dir, 'one.png'), 30, 20, 1);
  await writeImage(path.join(dir, 'two.png'), 40, 10, 2);
  await writeImage(path.join(dir, 'sa', 'sa_1.png'), 30, 20, 3);
  return dir;
}

describe('import fuzzing (issue 18)', () => {
  for (const kind of ['coco', 'sa1b'] as const) {
    it(`${kind}: ${CASES_PER_FORMAT} damaged documents import or are refused cleanly (seed ${SEED})`, async () => {
      const dir = await imagesFolder();
      const project = newProject(dir);
      const random = prng(SEED + (kind === 'coco' ? 0 : 1));
      const file = kind === 'coco' ? path.join(dir, 'instances.json') : path.join(dir, 'sa', 'sa_1.json');
      const outcomes = { imported: 0, refused: 0 };
      for (let i = 0; i < CASES_PER_FORMAT; i++) {
        const { text, what } = mutate(random, kind === 'coco' ? cocoBase() : sa1bBase());
        const label = `seed ${SEED} ${kind} case ${i} (${what.join('; ')})`;
        writeFileSync(file, text);
        const before = projectChecksum(project);
        const error = await (
          kind === 'coco'
            ? importCoco(project, file, { author: 'fuzz' })
            : importSa1b(project, path.dirname(file), { author: 'fuzz' })
        ).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error === undefined) {
          outcomes.imported++;
          expect(storedValueProblems(project), `${label}: imported`).toEqual([]);
          continue;
        }
        outcomes.refused++;
        const message = error instanceof Error ? error.message : String(error);
        expect(isUserError(error), `${label}: not a UserError: ${(error as Error).stack ?? message}`).toBe(
          true,
        );
        expect(message.startsWith(`${file}: `), `${label}: does not name the file: ${message}`).toBe(true);
        expect(message, `${label}: more than one line`).not.toContain('\n');
        expect(message.length, `${label}: too long: ${message.slice(0, 300)}`).toBeLessThan(1000);
        expect(projectChecksum(project), `${label}: project changed by a refused import`).toEqual(before);
      }
      // the damage is varied enough to reach both outcomes
      expect(outcomes.imported).toBeGreaterThan(CASES_PER_FORMAT / 20);
      expect(outcomes.refused).toBeGreaterThan(CASES_PER_FORMAT / 4);
    });
  }

  it('the CLI refuses damaged files with exit 1 and one line, no stack trace', async () => {
    const dir = await imagesFolder();
    const target = path.join(dir, 'cli.samproj');
    createProject(target).close();
    const coco = cocoBase() as { images: { width: Json }[]; categories: { name: Json }[] };
    const cases: [string, string][] = [
      ['truncated.json', JSON.stringify(cocoBase()).slice(0, 150)],
      ['surrogate.json', JSON.stringify(cocoBase()).replace('person', '\\ud800')],
      ['huge.json', JSON.stringify({ ...coco, images: [{ ...coco.images[0], width: 1e7 }] })],
    ];
    for (const [name, text] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      const run = cli(['project', 'import', target, '--coco', file]);
      const errorLines = run.stderr.split('\n').filter((line) => line.includes('error'));
      expect(run.code, `${name}: ${run.stderr}`).toBe(1);
      expect(errorLines, name).toHaveLength(1);
      expect(errorLines[0], name).toContain(`${file}: `);
      expect(run.stderr, name).not.toMatch(/^\s+at /m);
    }
  });
});
