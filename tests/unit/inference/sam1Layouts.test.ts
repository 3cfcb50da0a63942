/**
 * Both SAM 1 layouts own Meta's preprocessing and postprocessing through their adapter (issue 14): the encoder
 * feeds are exactly ResizeLongestSide + normalise + pad under the layout's input name, with the manifest's pixel
 * statistics when it has them, and the postprocessing refuses a frame of another family.
 */
import { describe, expect, it } from 'vitest';
import { stretchFrameFor } from '../../../electron/common/frames.ts';
import { resizeLongestSide, toModelInput } from '../../../electron/common/modelInput.ts';
import type { ModelManifest } from '../../../electron/inference/manifest.ts';
import { detectLayout } from '../../../electron/inference/layouts/detect.ts';
import { LAYOUTS, type LayoutKind } from '../../../electron/inference/layouts/registry.ts';
import { FIXTURES } from './layoutFixtures.ts';

const width = 40;
const height = 30;
const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
// Layouts whose encoder takes all of Meta's preprocessing from us (in-graph ones: fastVariantLayouts.test.ts).
const INPUT_NAMES: Partial<Record<LayoutKind, string>> = {
  'sam-annotate': 'input_image',
  'transformers.js': 'pixel_values',
  edgesam: 'image',
  'sam-hq': 'image',
};
const FULL_PREPROCESSING = LAYOUTS.filter((l) => l.family === 'sam1' && INPUT_NAMES[l.kind]);

describe.each(FULL_PREPROCESSING)('SAM 1 layout $kind', (entry) => {
  it("preprocesses as Meta's set_image: PIL-exact resize to the long side, normalise, pad", () => {
    const adapter = detectLayout('/models/x', FIXTURES[entry.kind]);
    const { feeds, frame } = adapter.preprocess(rgb, width, height);
    expect(frame).toEqual({
      kind: 'longest-side',
      image: { width, height },
      inputSize: 1024,
      resized: { width: 1024, height: 768 },
    });
    const expected = toModelInput(resizeLongestSide(rgb, { width, height }, 1024).resized, frame);
    expect(Object.keys(feeds)).toEqual([INPUT_NAMES[entry.kind]!]);
    const feed = feeds[INPUT_NAMES[entry.kind]!]!;
    expect(feed.dims).toEqual([1, 3, 1024, 1024]);
    expect(Buffer.from(feed.data.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it("normalises with the manifest's pixel statistics", () => {
    const mean = [100, 110, 120] as const;
    const std = [50, 51, 52] as const;
    const manifest = { input_size: 1024, pixel_mean: mean, pixel_std: std } as unknown as ModelManifest;
    const adapter = detectLayout('/models/x', FIXTURES[entry.kind], manifest);
    const { feeds, frame } = adapter.preprocess(rgb, width, height);
    const expected = toModelInput(resizeLongestSide(rgb, { width, height }, 1024).resized, frame, mean, std);
    const feed = feeds[INPUT_NAMES[entry.kind]!]!;
    expect(Buffer.from(feed.data.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it('refuses to postprocess a SAM 2 (stretch) frame rather than crop it wrongly', () => {
    const adapter = detectLayout('/models/x', FIXTURES[entry.kind]);
    const lowRes = new Float32Array(256 * 256);
    const frame = stretchFrameFor({ width, height }, 1024);
    expect(() => adapter.postprocess.toMask(lowRes, frame, {})).toThrow(
      /'longest-side' frame, got 'stretch'/,
    );
    expect(() => adapter.postprocess.toRle(lowRes, frame, {})).toThrow(/'longest-side' frame/);
  });
});
