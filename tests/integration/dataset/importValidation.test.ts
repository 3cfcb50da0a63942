/**
 * Issue 18: values an import used to store unchecked (absurd sizes, scores, boxes, points, lone surrogates) are
 * refused naming the file and the JSON path, and the project is left as it was.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUserError, quoteForMessage } from '../../../electron/common/errors.ts';
import { MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from '../../../electron/common/imageLimits.ts';
import { encodeMask } from '../../../electron/common/rle.ts';
import { importCoco } from '../../../electron/dataset/importCoco.ts';
import { importSa1b } from '../../../electron/dataset/importSa1b.ts';
import type { Project } from '../../../electron/store/projectDb.ts';
import { cli } from '../../helpers/cli.ts';
import { newProject, tempDir, writeImage } from '../../helpers/projects.ts';
import { maskOf } from './fixtures.ts';
import { projectChecksum } from './projectChecksum.ts';

const square = encodeMask(maskOf(30, 20, (x, y) => x >= 5 && x < 15 && y >= 5 && y < 15));

function cocoDoc() {
  return {
    images: [
      { id: 1, file_name: 'one.png', width: 30, height: 20 },
      { id: 2, file_name: 'gone.png', width: 30, height: 20 },
    ] as Record<string, unknown>[],
    categories: [{ id: 1, name: 'person', supercategory: 'human' }] as Record<string, unknown>[],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, segmentation: { ...square }, iscrowd: 0 },
      { id: 2, image_id: 2, category_id: 1, bbox: [1, 1, 5, 5], area: 25, iscrowd: 0 },
    ] as Record<string, unknown>[],
  };
}

function sa1bDoc() {
  return {
    image: { image_id: 1, width: 30, height: 20, file_name: 'sa_1.png' } as Record<string, unknown>,
    annotations: [
      {
        id: 1,
        segmentation: { ...square },
        bbox: [5, 5, 9, 9],
        area: 100,
        predicted_iou: 0.93,
        stability_score: 0.97,
        point_coords: [[10, 10]],
        crop_box: [0, 0, 30, 20],
      },
    ] as Record<string, unknown>[],
  };
}

async function setup() {
  const dir = tempDir();
  await writeImage(path.join(dir, 'one.png'), 30, 20, 1);
  await writeImage(path.join(dir, 'sa', 'sa_1.png'), 30, 20, 2);
  return { dir, project: newProject(dir) };
}

/** Import `text` as COCO (or SA-1B); expect a one-line UserError naming the file, and no change to the project. */
async function expectRefused(
  project: Project,
  dir: string,
  kind: 'coco' | 'sa1b',
  text: string,
  message: string,
): Promise<string> {
  const file = kind === 'coco' ? path.join(dir, 'instances.json') : path.join(dir, 'sa', 'sa_1.json');
  writeFileSync(file, text);
  const before = projectChecksum(project);
  const run =
    kind === 'coco'
      ? importCoco(project, file, { author: 't' })
      : importSa1b(project, path.dirname(file), { author: 't' });
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `accepted: ${message}`).toBeDefined();
  expect(isUserError(error), String(error)).toBe(true);
  const text_ = (error as Error).message;
  expect(text_).toContain(`${file}: ${message}`);
  expect(text_).not.toContain('\n');
  expect(projectChecksum(project)).toEqual(before);
  return text_;
}

describe('import refuses absurd image sizes (issue 18 item 9)', () => {
  it('a declared size beyond the bounds is refused by name, before anything is written', async () => {
    const { dir, project } = await setup();
    const wide = cocoDoc();
    wide.images[1]!.width = 1e7;
    wide.annotations[1] = {
      id: 2,
      image_id: 2,
      category_id: 1,
      segmentation: { size: [20, 1e7], counts: [0, 2e8] },
    };
    await expectRefused(
      project,
      dir,
      'coco',
      JSON.stringify(wide),
      `$.images[1].width is 10000000, larger than the largest supported side (${MAX_IMAGE_SIDE})`,
    );
    const huge = cocoDoc();
    huge.images[1]!.width = 30000;
    huge.images[1]!.height = 30000;
    await expectRefused(
      project,
      dir,
      'coco',
      JSON.stringify(huge),
      `$.images[1] is 30000×30000 (900 MP), larger than the largest supported image (${MAX_IMAGE_PIXELS / 1e6} MP)`,
    );
    const sa = sa1bDoc();
    sa.image.height = 1e7;
    await expectRefused(
      project,
      dir,
      'sa1b',
      JSON.stringify(sa),
      `$.image.height is 10000000, larger than the largest supported side (${MAX_IMAGE_SIDE})`,
    );
  });

  it('an RLE whose runs do not cover the image, or of another size, is refused by name', async () => {
    const { dir, project } = await setup();
    const short = cocoDoc();
    short.annotations[0]!.segmentation = { size: [20, 30], counts: [0, 599] };
    await expectRefused(
      project,
      dir,
      'coco',
      JSON.stringify(short),
      '$.annotations[0].segmentation.counts is not a valid COCO RLE (RLE runs sum to 599 pixels but size [20, 30] has 600 pixels)',
    );
    const other = sa1bDoc();
    other.annotations[0]!.segmentation = { size: [30, 20], counts: '0' };
    await expectRefused(
      project,
      dir,
      'sa1b',
      JSON.stringify(other),
      '$.annotations[0].segmentation.size is [30,20] but the image is [20, 30]',
    );
  });
});

describe('import names every refusal and echoes values briefly (issue 18 item 12b)', () => {
  it('a blank category name names the file and the JSON path', async () => {
    const { dir, project } = await setup();
    const blank = cocoDoc();
    blank.categories[0]!.name = '   ';
    await expectRefused(
      project,
      dir,
      'coco',
      JSON.stringify(blank),
      '$.categories[0].name must not be blank',
    );
  });

  it('a long value is shortened wherever it is echoed: CLI report and errors', async () => {
    const { dir } = await setup();
    const long = cocoDoc();
    long.categories[0]!.name = 'y'.repeat(1_000_000);
    long.images[1]!.file_name = `${'x'.repeat(200)}/${'z'.repeat(1000)}.png`;
    const file = path.join(dir, 'instances.json');
    writeFileSync(file, JSON.stringify(long));
    const projectFile = path.join(dir, 'cli.samproj');
    expect(cli(['project', 'create', projectFile]).code).toBe(0);
    const imported = cli(['project', 'import', projectFile, '--coco', file]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/new categories: y{40,80}… \(1000000 characters\)/);
    expect(imported.stderr.length).toBeLessThan(1500);
    expect(quoteForMessage('z'.repeat(1000))).toMatch(/^"z{40,80}…" \(1000 characters\)$/);
    expect(quoteForMessage('a\nb')).toBe('"a\\nb"');
    expect(quoteForMessage(1e308)).toBe('1e+308');
  });
});

describe('import validates the values it stores (issue 18 item 13)', () => {
  it('SA-1B scores, crop box and point must be finite and plausible for the image', async () => {
    const { dir, project } = await setup();
    const cases: [Record<string, unknown>, string][] = [
      [{ predicted_iou: 1e20 }, '$.annotations[0].predicted_iou is 100000000000000000000, outside [-10, 10]'],
      [{ stability_score: -5 }, '$.annotations[0].stability_score is -5, outside [0, 1]'],
      [{ stability_score: 1.5 }, '$.annotations[0].stability_score is 1.5, outside [0, 1]'],
      [
        { crop_box: [-1, 0, 10, 10] },
        '$.annotations[0].crop_box [-1,0,10,10] reaches outside the 30×20 image',
      ],
      [{ crop_box: [0, 0, 31, 20] }, '$.annotations[0].crop_box [0,0,31,20] reaches outside the 30×20 image'],
      [{ crop_box: [0, 0, -3, 5] }, '$.annotations[0].crop_box must have width and height ≥ 0'],
      [
        {
          point_coords: [
            [10, 10],
            [-50, 3],
          ],
        },
        '$.annotations[0].point_coords[1] [-50,3] is outside the 30×20 image',
      ],
      [
        { point_coords: [[1e308, 3]] },
        '$.annotations[0].point_coords[0] [1e+308,3] is outside the 30×20 image',
      ],
      [{ bbox: [0, 0, 1e308, 3] }, '$.annotations[0].bbox [0,0,1e+308,3] reaches outside the 30×20 image'],
    ];
    for (const [change, message] of cases) {
      const doc = sa1bDoc();
      Object.assign(doc.annotations[0]!, change);
      await expectRefused(project, dir, 'sa1b', JSON.stringify(doc), message);
    }
    // Meta's IoU head is an unbounded regression: values a little above 1 are what its generator writes.
    const above = sa1bDoc();
    Object.assign(above.annotations[0]!, { predicted_iou: 1.02, point_coords: [[30, 20]] });
    writeFileSync(path.join(dir, 'sa', 'sa_1.json'), JSON.stringify(above));
    expect((await importSa1b(project, path.join(dir, 'sa'), { author: 't' })).annotations.masks).toBe(1);
  });

  it('a COCO bbox or area must be finite and within the image (1 px tolerance)', async () => {
    const { dir, project } = await setup();
    const cases: [unknown, unknown, string][] = [
      [[0, 0, 1e308, 5], 25, '$.annotations[1].bbox [0,0,1e+308,5] reaches outside the 30×20 image'],
      [[-5, 0, 3, 3], 9, '$.annotations[1].bbox [-5,0,3,3] reaches outside the 30×20 image'],
      [[1, 1, 5, 5], 1e308, '$.annotations[1].area is 1e+308, outside [0, 600]'],
      [[1, 1, 5, 5], -1, '$.annotations[1].area is -1, outside [0, 600]'],
    ];
    for (const [bbox, area, message] of cases) {
      const doc = cocoDoc();
      Object.assign(doc.annotations[1]!, { bbox, area });
      await expectRefused(project, dir, 'coco', JSON.stringify(doc), message);
    }
    const edge = cocoDoc();
    Object.assign(edge.annotations[1]!, { bbox: [0, 0, 30.4, 20.5], area: 600 });
    writeFileSync(path.join(dir, 'instances.json'), JSON.stringify(edge));
    expect(
      (await importCoco(project, path.join(dir, 'instances.json'), { author: 't' })).annotations.boxes,
    ).toBe(1);
  });

  it('a file name with a NUL character is refused (no file system accepts it)', async () => {
    const { dir, project } = await setup();
    const coco = cocoDoc();
    coco.images[1]!.file_name = 'gone\u0000.png';
    await expectRefused(
      project,
      dir,
      'coco',
      JSON.stringify(coco),
      '$.images[1].file_name contains a NUL character',
    );
    const sa = sa1bDoc();
    sa.image.file_name = '\u0000';
    await expectRefused(
      project,
      dir,
      'sa1b',
      JSON.stringify(sa),
      '$.image.file_name contains a NUL character',
    );
  });

  it('a lone surrogate in any string is refused with its JSON path (it would be stored as invalid UTF-8)', async () => {
    const { dir, project } = await setup();
    const lone = (doc: unknown, from: string) => JSON.stringify(doc).replace(from, '\\ud800');
    await expectRefused(
      project,
      dir,
      'coco',
      lone(cocoDoc(), 'person'),
      '$.categories[0].name has a lone surrogate (a \\ud800–\\udfff escape without its pair), which is not Unicode text',
    );
    await expectRefused(
      project,
      dir,
      'coco',
      lone(cocoDoc(), 'human'),
      '$.categories[0].supercategory has a lone surrogate',
    );
    await expectRefused(
      project,
      dir,
      'coco',
      lone(cocoDoc(), 'gone'),
      '$.images[1].file_name has a lone surrogate',
    );
    await expectRefused(
      project,
      dir,
      'sa1b',
      lone(sa1bDoc(), 'sa_1'),
      '$.image.file_name has a lone surrogate',
    );
    await expectRefused(
      project,
      dir,
      'coco',
      JSON.stringify({ ...cocoDoc(), info: { '\udc00': 1 } }),
      '$.info has a lone surrogate in a key',
    );
  });
});
