/** Serve mode's write confinement (issue 18): which paths a client may make the server write. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWritable, isInside, realTarget } from '../../../electron/services/writeGuard.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-guard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const allowed = path.join(tmp, 'allowed');
const other = path.join(tmp, 'other');
mkdirSync(path.join(allowed, 'sub'), { recursive: true });
mkdirSync(other);
symlinkSync(other, path.join(allowed, 'link-out'));
symlinkSync(path.join(allowed, 'sub'), path.join(other, 'link-in'));
symlinkSync(path.join(tmp, 'nowhere'), path.join(allowed, 'dangling'));

describe('isInside', () => {
  it('is true for the root and below, false for a sibling with the same prefix', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b/c/d', '/a/b')).toBe(true);
    expect(isInside('/a/bc', '/a/b')).toBe(false);
    expect(isInside('/a', '/a/b')).toBe(false);
    expect(isInside('/a/b/..c', '/a/b')).toBe(true);
    expect(isInside('/anything', '/')).toBe(true);
  });
});

describe('realTarget', () => {
  it('resolves `..` and the symlinks of the nearest existing parent, keeping the missing rest', () => {
    expect(realTarget(path.join(allowed, 'sub', '..', '..', 'other', 'x.csv'))).toBe(
      path.join(realTarget(other)!, 'x.csv'),
    );
    expect(realTarget(path.join(allowed, 'link-out', 'new', 'x.csv'))).toBe(
      path.join(realTarget(other)!, 'new', 'x.csv'),
    );
  });

  it('is null for a broken symlink (writing through it would create its target anywhere)', () => {
    expect(realTarget(path.join(allowed, 'dangling'))).toBeNull();
  });
});

describe('checkWritable', () => {
  const roots = [allowed];

  it('allows paths inside a root, existing or not, also through a symlink that leads inside', () => {
    expect(() => checkWritable(path.join(allowed, 'out.json'), roots)).not.toThrow();
    expect(() => checkWritable(path.join(allowed, 'new', 'deep', 'out'), roots)).not.toThrow();
    expect(() => checkWritable(path.join(other, 'link-in', 'x.csv'), roots)).not.toThrow();
  });

  it('refuses paths outside, naming the path and the --allow-write flag', () => {
    for (const target of [
      path.join(other, 'x.csv'),
      path.join(allowed, '..', 'other', 'x.csv'),
      path.join(allowed, 'link-out', 'x.csv'),
      path.join(allowed, 'dangling'),
      `${allowed}-x/x.csv`,
      '/etc/cron.d/evil',
    ]) {
      expect(() => checkWritable(target, roots)).toThrow(
        new RegExp(`^${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*--allow-write DIR`),
      );
    }
  });

  it('refuses a relative path (relative to what, on the server?)', () => {
    expect(() => checkWritable('out.json', [process.cwd()])).toThrow(/out\.json: give an absolute path/);
  });

  it('roots that do not exist yet (a fresh data folder) still count', () => {
    const fresh = path.join(tmp, 'fresh-data');
    expect(() => checkWritable(path.join(fresh, 'sample', 'p.samproj'), [fresh])).not.toThrow();
  });
});
