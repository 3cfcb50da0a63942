/**
 * What the benchmark parts share: the cache folder, the ViT-B-size random model, synthetic photos, percentiles.
 * Kept apart from the parts so a part can import another part's module without importing an entry point (a
 * cycle through a module with top-level await never settles: `inference.ts` exited with code 13 that way).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { exportedModel } from '../helpers/models.ts';
import { repoRoot } from '../helpers/paths.ts';

export const cache = path.join(repoRoot, '.cache', 'bench');

/** A ViT-B-size model with random weights (seed 0), re-exported when the exporter changes. */
export function ensureVitB(): string {
  return exportedModel('vit_b-random', ['--random-seed', '0', '--type', 'vit_b'], []);
}

export async function syntheticPhoto(file: string, width: number, height: number): Promise<void> {
  if (existsSync(file)) return;
  // Smooth gradients plus shapes: compresses like a photo, decodes at realistic cost.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#4a7"/><stop offset="1" stop-color="#c84"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.3}" cy="${height * 0.4}" r="${height * 0.2}" fill="#236"/>
    <rect x="${width * 0.55}" y="${height * 0.3}" width="${width * 0.3}" height="${height * 0.4}" fill="#eee"/></svg>`;
  await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toFile(file);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
