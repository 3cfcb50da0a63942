/** Temporary folders, small generated images and projects for the store/dataset tests. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach } from 'vitest';
import { type Project, createProject } from '../../electron/store/projectDb.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A fresh folder, removed after the test. */
export function tempDir(prefix = 'sam-store-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A project in `dir` (closed after the test). */
export function newProject(dir: string, name = 'p.samproj'): Project {
  const project = createProject(path.join(dir, name));
  cleanups.push(() => project.close());
  return project;
}

/** Register something to close after the test. */
export function closeLater(project: Project): Project {
  cleanups.push(() => project.close());
  return project;
}

/** A PNG (or JPEG) of `width`×`height` whose content (and so hash) depends on `seed`. */
export async function writeImage(file: string, width: number, height: number, seed = 1): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 31 + seed * 97) % 251);
  const image = sharp(rgb, { raw: { width, height, channels: 3 } });
  await (file.endsWith('.jpg') ? image.jpeg() : image.png()).toFile(file);
  return file;
}
