import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from '../../../electron/common/wire.ts';

describe('wire codec', () => {
  it('round-trips structure and typed arrays as bytes', () => {
    const value = {
      decodeId: 'd1',
      candidates: [
        {
          rle: { size: [2, 3], counts: '0`1' },
          preview: { width: 3, height: 2, data: Uint8Array.of(0, 1, 1, 0, 1, 0) },
        },
        { logits: Float32Array.of(1.5, -2.25, Math.PI) },
      ],
      nothing: null,
    };
    const bytes = encodeWire(value);
    const back = decodeWire(bytes) as typeof value;
    expect(back.candidates[0]!.preview!.data).toBeInstanceOf(Uint8Array);
    expect([...back.candidates[0]!.preview!.data]).toEqual([0, 1, 1, 0, 1, 0]);
    expect(back.candidates[1]!.logits).toBeInstanceOf(Float32Array);
    expect([...back.candidates[1]!.logits!]).toEqual([...value.candidates[1]!.logits!]);
    expect(back.nothing).toBeNull();
    // The pixels are not in the JSON part.
    expect(new TextDecoder().decode(bytes).includes('"data":[')).toBe(false);
  });

  it('handles subarray views and undefined', () => {
    const big = Uint8Array.from({ length: 20 }, (_, i) => i);
    const back = decodeWire(encodeWire([big.subarray(5, 9), undefined])) as [Uint8Array, null];
    expect([...back[0]]).toEqual([5, 6, 7, 8]);
    expect(decodeWire(encodeWire(undefined))).toBeNull();
  });

  it('rejects foreign or truncated bodies', () => {
    expect(() => decodeWire(new TextEncoder().encode('{"a":1}'))).toThrow(/not a SAM Annotate wire message/);
    const bytes = encodeWire({ data: new Float32Array(8) });
    expect(() => decodeWire(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
  });
});
