/** Review queue (filters, sorts, paging) and the effort statistics on a project with known values (issue 5). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATS_CSV_HEADER, statsCsv } from '../../../electron/common/formatStatsCsv.ts';
import { encodeMask } from '../../../electron/common/rle.ts';
import { addAnnotation } from '../../../electron/store/annotations.ts';
import { addCategory } from '../../../electron/store/categories.ts';
import { insertImage } from '../../../electron/store/images.ts';
import {
  type ReviewQueueQuery,
  annotators,
  reviewQueue,
  reviewRow,
} from '../../../electron/store/reviewQueue.ts';
import { reviewAnnotation } from '../../../electron/store/reviews.ts';
import { statsCsvRows, timingStats } from '../../../electron/store/timingStats.ts';
import type { AnnotationSource, AnnotationStatus } from '../../../electron/store/types.ts';
import { newProject, tempDir } from '../../helpers/projects.ts';

const W = 20;
const H = 10;
const DAY1 = Date.UTC(2024, 2, 4);
const DAY2 = Date.UTC(2024, 2, 5);
const HOUR = 3_600_000;

/** A mask of exactly `area` pixels (the first ones in row-major order). */
const maskOfArea = (area: number) =>
  encodeMask({ width: W, height: H, data: Uint8Array.from({ length: W * H }, (_, i) => (i < area ? 1 : 0)) });

interface Spec {
  image: 1 | 2 | 3;
  source: AnnotationSource;
  status: AnnotationStatus;
  by: string;
  iou: number | null;
  stability: number | null;
  area: number;
  at: number;
  activeMs: number;
  clicks: number;
  category: 'cat' | 'dog' | null;
}

const spec = (
  image: Spec['image'],
  source: AnnotationSource,
  status: AnnotationStatus,
  by: string,
  iou: number | null,
  stability: number | null,
  area: number,
  at: number,
  activeMs: number,
  clicks: number,
  category: Spec['category'],
): Spec => ({ image, source, status, by, iou, stability, area, at, activeMs, clicks, category });

// ids 1…8 in this order: image, source, status, annotator, IoU, stability, area, made at, active ms, clicks, category
const SPECS: Spec[] = [
  spec(1, 'manual', 'accepted', 'alice', 0.9, 0.95, 4, DAY1 + 10 * HOUR, 30_000, 3, 'cat'),
  spec(1, 'manual', 'draft', 'alice', 0.7, 0.8, 9, DAY1 + 11 * HOUR, 40_000, 5, 'cat'),
  spec(2, 'auto', 'draft', 'amg', 0.95, 0.97, 16, DAY1 + 12 * HOUR, 0, 0, null),
  spec(2, 'auto', 'draft', 'amg', 0.6, 0.99, 1, DAY1 + 12 * HOUR, 0, 0, null),
  spec(2, 'semi-auto', 'needs-fix', 'bob', 0.8, 0.9, 6, DAY2 + 9 * HOUR, 10_000, 1, 'dog'),
  spec(3, 'imported', 'accepted', 'import', null, null, 12, DAY2 + 8 * HOUR, 0, 0, 'dog'),
  spec(3, 'manual', 'rejected', 'bob', 0.85, 0.85, 2, DAY2 + 23.5 * HOUR, 20_000, 2, 'cat'),
  spec(1, 'manual', 'accepted', 'alice', 0.75, 0.9, 3, DAY2 + 10 * HOUR, 14_000, 2, null),
];

function fixture() {
  const dir = tempDir();
  const project = newProject(dir);
  const image = (name: string) =>
    insertImage(project.db, dir, {
      file: path.join(dir, name),
      sha256: null,
      byteSize: null,
      mtimeMs: null,
      width: W,
      height: H,
    });
  const images = [image('one.png'), image('two.png'), image('three.png'), image('empty.png')];
  const categories = {
    cat: addCategory(project.db, { name: 'cat' }).id,
    dog: addCategory(project.db, { name: 'dog' }).id,
  };
  const ids = SPECS.map((s) =>
    addAnnotation(project.db, {
      imageId: images[s.image - 1]!,
      categoryId: s.category && categories[s.category],
      mask: maskOfArea(s.area),
      source: s.source,
      status: s.status,
      author: s.by,
      predictedIou: s.iou,
      stabilityScore: s.stability,
      at: s.at,
      timing: { activeMs: s.activeMs, clicks: s.clicks },
    }),
  );
  expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  return { project, db: project.db, images, categories };
}

const ALL: ReviewQueueQuery = { sort: 'predicted_iou', order: 'asc', offset: 0, limit: 100 };
const idsOf = (page: { rows: { annotation: { id: number } }[] }) => page.rows.map((r) => r.annotation.id);

describe('review queue', () => {
  it('sorts by IoU, stability, creation time or area; missing scores last in either order; ties by id in the same direction', () => {
    const { db } = fixture();
    expect(idsOf(reviewQueue(db, ALL))).toEqual([4, 2, 8, 5, 7, 1, 3, 6]);
    expect(idsOf(reviewQueue(db, { ...ALL, order: 'desc' }))).toEqual([3, 1, 7, 5, 8, 2, 4, 6]);
    expect(idsOf(reviewQueue(db, { ...ALL, sort: 'stability', order: 'desc' }))).toEqual([
      4, 3, 1, 8, 5, 7, 2, 6,
    ]);
    expect(idsOf(reviewQueue(db, { ...ALL, sort: 'area' }))).toEqual([4, 7, 8, 1, 5, 2, 6, 3]);
    expect(idsOf(reviewQueue(db, { ...ALL, sort: 'created_at' }))).toEqual([1, 2, 3, 4, 6, 5, 8, 7]);
  });

  it('filters by status, source, annotator, category and IoU range, counting statuses beside the status filter', () => {
    const { db, categories } = fixture();
    const pending = reviewQueue(db, { ...ALL, statuses: ['draft', 'needs-fix'] });
    expect(idsOf(pending)).toEqual([4, 2, 5, 3]);
    expect(pending.total).toBe(4);
    expect(pending.byStatus).toEqual({ draft: 3, accepted: 3, rejected: 1, 'needs-fix': 1 });
    const auto = reviewQueue(db, { ...ALL, sources: ['auto', 'semi-auto'], statuses: ['draft'] });
    expect(idsOf(auto)).toEqual([4, 3]);
    expect(auto.byStatus).toEqual({ draft: 2, accepted: 0, rejected: 0, 'needs-fix': 1 });
    expect(idsOf(reviewQueue(db, { ...ALL, annotators: ['bob'] }))).toEqual([5, 7]);
    expect(idsOf(reviewQueue(db, { ...ALL, categoryIds: [categories.dog] }))).toEqual([5, 6]);
    expect(idsOf(reviewQueue(db, { ...ALL, minIou: 0.8, maxIou: 0.9 }))).toEqual([5, 7, 1]);
    expect(idsOf(reviewQueue(db, { ...ALL, minStability: 0.9 }))).toEqual([4, 8, 5, 1, 3]);
    expect(idsOf(reviewQueue(db, { ...ALL, maxStability: 0.85 }))).toEqual([2, 7]);
    expect(idsOf(reviewQueue(db, { ...ALL, statuses: [] }))).toEqual([]);
    expect(annotators(db)).toEqual(['alice', 'amg', 'bob', 'import']);
  });

  it('pages without overlap or gaps, and carries the image and the latest review', () => {
    const { db } = fixture();
    const pages = [0, 3, 6].map((offset) => reviewQueue(db, { ...ALL, offset, limit: 3 }));
    expect(pages.flatMap(idsOf)).toEqual(idsOf(reviewQueue(db, ALL)));
    expect(pages.map((p) => p.total)).toEqual([8, 8, 8]);

    const first = reviewQueue(db, ALL).rows[0]!;
    expect(first.image).toEqual({
      id: 2,
      relPath: 'two.png',
      width: W,
      height: H,
      status: 'todo',
      fileState: 'ok',
      annotationCount: 3,
    });
    expect(first.annotation).toMatchObject({ id: 4, area: 1, source: 'auto', createdBy: 'amg' });
    expect(first.lastReview).toBeNull();

    reviewAnnotation(db, { annotationId: 4, reviewer: 'rita', toStatus: 'rejected', at: DAY2 });
    reviewAnnotation(db, {
      annotationId: 4,
      reviewer: 'rita',
      toStatus: 'draft',
      comment: 'undo',
      at: DAY2 + 1,
    });
    expect(reviewRow(db, 4)!.lastReview).toEqual({
      reviewer: 'rita',
      at: DAY2 + 1,
      fromStatus: 'rejected',
      toStatus: 'draft',
      comment: 'undo',
    });
    expect(reviewRow(db, 4)!.annotation.status).toBe('draft');
    expect(reviewRow(db, 99)).toBeUndefined();
  });
});

describe('timing statistics', () => {
  it('time and clicks per timed mask, masks per image', () => {
    const { db } = fixture();
    const s = timingStats(db);
    expect(s.timedMasks).toBe(5);
    expect(s.secondsPerMask).toMatchObject({ count: 5, median: 20, mean: 22.8, p90: 40, max: 40 });
    // Width 2 s up to the 95th percentile (40 s): 21 bins, one mask each at 10, 14, 20, 30 and 40 s.
    expect(s.secondsPerMask.bins).toHaveLength(21);
    expect(s.secondsPerMask.bins[5]).toEqual({ from: 10, to: 12, count: 1 });
    expect(s.secondsPerMask.bins.filter((b) => b.count).map((b) => b.from)).toEqual([10, 14, 20, 30, 40]);
    expect(s.clicksPerMask).toMatchObject({ count: 5, median: 2, mean: 2.6 });
    expect(s.clicksPerMask.bins.map((b) => b.count)).toEqual([0, 1, 2, 1, 0, 1]);
    // Rejected masks do not count: 3, 3 and 1 masks; the fourth image has none.
    expect(s.masksPerImage).toMatchObject({ count: 3, median: 3, max: 3, imagesWithoutMasks: 1 });
    expect(s.masksPerImage.bins.map((b) => [b.from, b.count])).toEqual([
      [0, 0],
      [1, 1],
      [2, 0],
      [3, 2],
    ]);
    expect(timingStats(db, { annotators: ['alice'] }).timedMasks).toBe(3);
    expect(timingStats(db, { sources: ['auto'] }).timedMasks).toBe(0);
  });

  it('median and mean seconds per mask per annotator and day, in the viewer’s time zone', () => {
    const { db } = fixture();
    expect(timingStats(db).trend).toEqual([
      {
        annotator: 'alice',
        masks: 3,
        points: [
          { day: '2024-03-04', masks: 2, medianSeconds: 35, meanSeconds: 35 },
          { day: '2024-03-05', masks: 1, medianSeconds: 14, meanSeconds: 14 },
        ],
      },
      {
        annotator: 'bob',
        masks: 2,
        points: [{ day: '2024-03-05', masks: 2, medianSeconds: 15, meanSeconds: 15 }],
      },
    ]);
    // One hour east of UTC, bob's 23:30 UTC mask falls on the next local day.
    const east = timingStats(db, {}, 60).trend.find((t) => t.annotator === 'bob')!;
    expect(east.points.map((p) => [p.day, p.medianSeconds])).toEqual([
      ['2024-03-05', 10],
      ['2024-03-06', 20],
    ]);
  });

  it('share of reviewed automatic masks accepted = accepted / (accepted + rejected)', () => {
    const { db } = fixture();
    expect(timingStats(db).auto).toEqual([
      {
        source: 'auto',
        accepted: 0,
        rejected: 0,
        needsFix: 0,
        unreviewed: 2,
        acceptedInAnnotator: 0,
        acceptedShare: null,
      },
      {
        source: 'semi-auto',
        accepted: 0,
        rejected: 0,
        needsFix: 0,
        unreviewed: 1,
        acceptedInAnnotator: 0,
        acceptedShare: null,
      },
      {
        source: 'all',
        accepted: 0,
        rejected: 0,
        needsFix: 0,
        unreviewed: 3,
        acceptedInAnnotator: 0,
        acceptedShare: null,
      },
    ]);
    reviewAnnotation(db, { annotationId: 3, reviewer: 'rita', toStatus: 'accepted' });
    reviewAnnotation(db, { annotationId: 4, reviewer: 'rita', toStatus: 'rejected' });
    reviewAnnotation(db, { annotationId: 5, reviewer: 'rita', toStatus: 'accepted' });
    let s = timingStats(db);
    expect(s.auto.map((a) => [a.source, a.accepted, a.rejected, a.acceptedShare])).toEqual([
      ['auto', 1, 1, 0.5],
      ['semi-auto', 1, 0, 1],
      ['all', 2, 1, 2 / 3],
    ]);
    expect(s.reviewEvents).toBe(3);
    // Undone (reviewed back to draft): unreviewed again.
    reviewAnnotation(db, { annotationId: 5, reviewer: 'rita', toStatus: 'draft' });
    s = timingStats(db);
    expect(s.auto[1]).toMatchObject({ accepted: 0, unreviewed: 1, acceptedShare: null });
    expect(s.reviewEvents).toBe(4);
  });

  it('lists every annotation for the CSV with timing, scores and the latest review', () => {
    const { db } = fixture();
    reviewAnnotation(db, { annotationId: 2, reviewer: 'rita', toStatus: 'accepted', at: DAY2 + HOUR });
    const rows = [...statsCsvRows(db)];
    expect(rows).toHaveLength(8);
    expect(rows[1]).toEqual({
      annotationId: 2,
      imageId: 1,
      image: 'one.png',
      category: 'cat',
      kind: 'mask',
      source: 'manual',
      status: 'accepted',
      createdBy: 'alice',
      createdAt: DAY1 + 11 * HOUR,
      activeMs: 40_000,
      clicks: 5,
      prompts: 0,
      brushStrokes: 0,
      modelWaitMs: 0,
      predictedIou: 0.7,
      stabilityScore: 0.8,
      area: 9,
      reviews: 1,
      lastReviewer: 'rita',
      lastReviewedAt: DAY2 + HOUR,
    });
    const lines = statsCsv(statsCsvRows(db, { annotators: ['bob'] })).split('\n');
    expect(lines[0]).toBe(STATS_CSV_HEADER);
    expect(lines.slice(1)).toEqual([
      '5,2,two.png,dog,mask,semi-auto,needs-fix,bob,2024-03-05T09:00:00.000Z,10,1,0,0,0,0.8,0.9,6,0,,',
      '7,3,three.png,cat,mask,manual,rejected,bob,2024-03-05T23:30:00.000Z,20,2,0,0,0,0.85,0.85,2,0,,',
      '',
    ]);
  });
});
