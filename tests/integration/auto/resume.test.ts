/**
 * Resume after a crash (issue 5): a backend in a child process runs an automatic pass and is SIGKILLed mid-way;
 * the project reopens with the pass interrupted, resumes, and every image ends up done exactly once — none lost,
 * none done twice (results are 'accepted', so a second run on an image would double its masks).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { AutoBatchStatus } from '../../../electron/ipc/contract.ts';
import { AppBackend } from '../../../electron/services/appBackend.ts';
import { autoJobImages } from '../../../electron/store/autoJobs.ts';
import { createProject, openProject } from '../../../electron/store/projectDb.ts';
import { addImagesFromFolder } from '../../../electron/dataset/addImages.ts';
import { tempDir } from '../../helpers/projects.ts';
import { exited, waitForLine } from '../store/spawn.ts';
import { FIXTURE_MODEL, nextStatus, scenes } from './helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];
const backends: AppBackend[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

describe('an automatic pass after a crash', () => {
  it('resumes from the images not done; none is lost or done twice', async () => {
    const dir = tempDir('sam-auto-crash-');
    const file = path.join(dir, 'p.samproj');
    const project = createProject(file);
    await addImagesFromFolder(project, await scenes(dir, 8));
    project.close();

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'children', 'batchRunner.ts'), file, path.join(dir, 'data')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    await waitForLine(child, /^done \d+ 2$/); // two images committed
    child.kill('SIGKILL');
    await exited(child);

    const backend = new AppBackend({
      mode: 'serve',
      dataDir: path.join(dir, 'data'),
      modelDir: FIXTURE_MODEL,
      inference: { providers: ['cpu'], threads: 1 },
    });
    backends.push(backend);
    const announced: AutoBatchStatus[] = [];
    backend.onEvent((e) => {
      if (e.type === 'auto-batch') announced.push(e.status);
    });
    await backend.openProject(file);
    const interrupted = backend.autoBatchStatus()!;
    expect(interrupted.state).toBe('interrupted');
    expect(announced.map((s) => s.state)).toEqual(['interrupted']); // the app is told at once
    expect(interrupted.total).toBe(8);
    expect(interrupted.done).toBeGreaterThanOrEqual(2);
    expect(interrupted.done).toBeLessThan(8);
    expect(interrupted.etaMs).toBeGreaterThan(0);
    const images = (await backend.listImages({ offset: 0, limit: 100 })).items;
    const before = new Map(images.map((i) => [i.id, backend.listAnnotations(i.id).map((a) => a.id)]));
    // A new pass is refused while this one waits.
    await expect(backend.startAutoBatch({ kind: 'amg', status: 'draft' })).rejects.toThrow(
      /resume it or cancel/,
    );

    const finished = nextStatus(backend, (s) => s.state === 'finished');
    const resumed = await backend.resumeAutoBatch();
    expect(resumed).toMatchObject({ state: 'running', done: interrupted.done, jobId: interrupted.jobId });
    const end = await finished;
    expect(end).toMatchObject({ total: 8, done: 8, failed: 0 });

    let masks = 0;
    await backend.close();
    const check = openProject(file);
    try {
      const perImage = autoJobImages(check.reader, end.jobId);
      expect(perImage.map((i) => i.state)).toEqual(Array(8).fill('done'));
      for (const { imageId, masks: n } of perImage) {
        const rows = check.reader
          .prepare("SELECT id FROM annotations WHERE image_id = ? AND source = 'auto'")
          .all(imageId) as { id: number }[];
        expect(rows).toHaveLength(n); // done once: a second run would have added its masks again
        masks += n;
        // Images done before the crash kept their masks untouched.
        const earlier = before.get(imageId)!;
        if (earlier.length) expect(rows.map((r) => r.id)).toEqual(earlier);
      }
      expect(masks).toBe(end.masks);
      expect(check.reader.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      check.close();
    }
  });
});
