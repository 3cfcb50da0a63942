/**
 * Image paths in a project: stored relative to the project file's folder (POSIX separators) so that moving the
 * folder keeps the project working, with the absolute path as a fallback for when only the project file moved.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface StoredPaths {
  relPath: string;
  absPath: string;
}

export function storedPaths(projectDir: string, file: string): StoredPaths {
  const absPath = path.resolve(file);
  // On Windows a file on another drive has no relative path; path.relative then returns it absolute.
  const relPath = path.relative(projectDir, absPath).split(path.sep).join('/');
  return { relPath, absPath };
}

/** Where to look for an image, best first: beside the project as stored, then where it was when added. */
export function candidatePaths(projectDir: string, stored: StoredPaths): string[] {
  const relative = path.resolve(projectDir, ...stored.relPath.split('/'));
  return relative === stored.absPath ? [relative] : [relative, stored.absPath];
}

/** The first candidate that exists, if any. */
export function locateImage(projectDir: string, stored: StoredPaths): string | undefined {
  return candidatePaths(projectDir, stored).find((p) => existsSync(p));
}
