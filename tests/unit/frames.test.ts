import { describe, expect, it } from 'vitest';
import {
  imagePoint,
  imageToModel,
  modelFrameFor,
  modelToImage,
  stretchFrameFor,
} from '../../electron/common/frames.ts';

describe('modelFrameFor (Meta ResizeLongestSide)', () => {
  it('rounds each side as int(side * S / longest + 0.5)', () => {
    expect(modelFrameFor({ width: 800, height: 534 }, 1024).resized).toEqual({ width: 1024, height: 684 });
    expect(modelFrameFor({ width: 1800, height: 1200 }, 1024).resized).toEqual({ width: 1024, height: 683 });
    expect(modelFrameFor({ width: 200, height: 320 }, 256).resized).toEqual({ width: 160, height: 256 });
  });

  it('scales x and y by their own rounded ratios, as the conformance decoder inputs show', () => {
    const frame = modelFrameFor({ width: 800, height: 534 }, 1024);
    const p = imageToModel(frame, imagePoint(300, 320));
    expect(p.x).toBe(384);
    expect(Math.fround(p.y)).toBe(Math.fround(409.88763427734375));
    const back = modelToImage(frame, p);
    expect(back.x).toBeCloseTo(300, 10);
    expect(back.y).toBeCloseTo(320, 10);
  });

  it('rejects an empty image', () => {
    expect(() => modelFrameFor({ width: 0, height: 10 }, 1024)).toThrow(/positive/);
  });
});

describe('stretchFrameFor (SAM 2 SAM2Transforms, issue 14)', () => {
  it('stretches each axis to S on its own, in float32 as the SAM 2 conformance decoder inputs show', () => {
    const frame = stretchFrameFor({ width: 800, height: 534 }, 1024);
    expect(frame).toEqual({
      kind: 'stretch',
      image: { width: 800, height: 534 },
      inputSize: 1024,
      resized: { width: 1024, height: 1024 },
    });
    // ../shared/conformance/sam2/index.json, dog, point1_multi: (300, 320) → (384.0, 613.6329345703125)
    const p = imageToModel(frame, imagePoint(300, 320));
    expect(p.x).toBe(384);
    expect(p.y).toBe(613.6329345703125);
    const back = modelToImage(frame, p);
    expect(back.x).toBeCloseTo(300, 4);
    expect(back.y).toBeCloseTo(320, 4);
  });

  it('the SAM 1 frame is named too', () => {
    expect(modelFrameFor({ width: 800, height: 534 }, 1024).kind).toBe('longest-side');
  });
});
