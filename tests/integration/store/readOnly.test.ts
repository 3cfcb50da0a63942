import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { encodeMask } from '../../../electron/common/rle.ts';
import { addAnnotation } from '../../../electron/store/annotations.ts';
import { insertImage } from '../../../electron/store/images.ts';
import { migrate } from '../../../electron/store/migrate.ts';
import { APPLICATION_ID, openProject } from '../../../electron/store/projectDb.ts';
import { repoRoot } from '../../helpers/paths.ts';
import { newProject, tempDir, writeImage } from '../../helpers/projects.ts';

/**
 * Issue 18, item 12a: a read-only project. Root ignores file modes (CI runs as root), so as root the CLI runs as
 * `nobody` (uid/gid 65534), for whom the modes below hold.
 */
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'cli', 'bin.js'), ...args], {
    encoding: 'utf8',
    ...(asRoot ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: '/tmp' } } : {}),
  });
  if (asRoot && result.stderr.includes('Cannot find module'))
    throw new Error(
      `nobody (uid ${NOBODY}) cannot reach ${repoRoot}: give its parent folders o+x (.ci/run does)`,
    );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Give `target` to the user the CLI runs as, with `mode`. */
function own(target: string, mode: number): void {
  if (asRoot) chownSync(target, NOBODY, NOBODY);
  chmodSync(target, mode);
}

/** A project with one image and one accepted mask, in a folder the CLI's user can reach. */
async function projectWithMask(): Promise<{ dir: string; file: string; outDir: string }> {
  const dir = tempDir();
  const image = await writeImage(path.join(dir, 'img.png'), 8, 6);
  const project = newProject(dir);
  const imageId = insertImage(project.db, dir, {
    file: image,
    sha256: null,
    byteSize: null,
    mtimeMs: null,
    width: 8,
    height: 6,
  });
  const data = new Uint8Array(48).map((_, i) => (i % 8 > 2 ? 1 : 0));
  addAnnotation(project.db, {
    imageId,
    mask: encodeMask({ width: 8, height: 6, data }),
    source: 'manual',
    status: 'accepted',
    author: 'a',
  });
  project.close();
  for (const f of readdirSync(dir)) own(path.join(dir, f), 0o644);
  const outDir = tempDir();
  own(outDir, 0o777);
  return { dir, file: project.file, outDir };
}

function readsAndRefusesWrites(file: string, outDir: string): void {
  const stats = cli('project', 'stats', file, '--json');
  expect(stats.code, stats.stderr).toBe(0);
  expect(JSON.parse(stats.stdout).annotations.total).toBe(1);

  const out = path.join(outDir, 'out.json');
  // Its mask has no category: included on request (issue 17).
  const exported = cli(
    'project',
    'export',
    file,
    '--format',
    'coco-rle',
    '--out',
    out,
    '--include-uncategorized',
  );
  expect(exported.code, exported.stderr).toBe(0);
  expect(JSON.parse(readFileSync(out, 'utf8')).annotations).toHaveLength(1);

  const written = cli('project', 'add-images', file, outDir);
  expect(written.code).not.toBe(0);
  expect(written.stderr.trim()).toBe(
    `sam-annotate: error: ${file}: permission denied (read-only); make the file and its folder writable, or copy the project to a writable folder (project stats and project export can read it as it is)`,
  );
}

describe('a read-only project', () => {
  it('(file mode 0444) can be read by stats and export; a write names the file and says read-only', async () => {
    const { dir, file, outDir } = await projectWithMask();
    own(dir, 0o755);
    own(file, 0o444);
    readsAndRefusesWrites(file, outDir);
    expect(readdirSync(dir).sort()).toEqual(['img.png', 'p.samproj']); // nothing left beside it
  });

  it('(in a read-only folder) can be read by stats and export; a write names the file and says read-only', async () => {
    const { dir, file, outDir } = await projectWithMask();
    own(dir, 0o555);
    readsAndRefusesWrites(file, outDir);
    expect(readdirSync(dir).sort()).toEqual(['img.png', 'p.samproj']);
  });

  it('cannot be created in a read-only folder: the message names the file and says read-only', () => {
    const dir = tempDir();
    own(dir, 0o555);
    const file = path.join(dir, 'new.samproj');
    const created = cli('project', 'create', file);
    expect(created.code).toBe(1);
    expect(created.stderr).toContain(`${file}: permission denied (read-only); `);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('needing a migration is not migrated when opened read-only: it says to open it once for writing', () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.samproj');
    const db = new Database(file);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    migrate(db, { to: 40 });
    db.close();
    const message = `${file}: made by an older version of SAM Annotate (schema version 40; this version uses`;
    expect(() => openProject(file, { readOnly: true })).toThrow(message);
    expect(existsSync(`${file}.schema-40.bak`)).toBe(false);
    const again = new Database(file, { readonly: true });
    expect(again.pragma('user_version', { simple: true })).toBe(40);
    again.close();
    own(dir, 0o755);
    own(file, 0o644);
    const stats = cli('project', 'stats', file);
    expect(stats.code).not.toBe(0);
    expect(stats.stderr).toContain(message);
    expect(stats.stderr).toContain('; open it once for writing to upgrade');
  });
});
