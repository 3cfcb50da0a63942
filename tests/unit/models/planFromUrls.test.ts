/** A checkpoint by URL (`models download URL --type`, the panel's "Other files by URL") for either family (issue 14). */
import { describe, expect, it } from 'vitest';
import { planFromUrls } from '../../../electron/models/install.ts';

describe('planFromUrls with a checkpoint', () => {
  it('takes a SAM 2.1 .pt with its --type', () => {
    expect(
      planFromUrls('s', ['https://example.org/sam2.1_hiera_small.pt'], [], 'sam2.1_hiera_s'),
    ).toMatchObject({
      kind: 'checkpoint',
      modelType: 'sam2.1_hiera_s',
      files: [{ path: 'sam2.1_hiera_small.pt' }],
    });
  });

  it('asks for a --type of either family when none is given', () => {
    expect(() => planFromUrls('s', ['https://example.org/sam2.1_hiera_small.pt'], [])).toThrow(
      /needs --type .*vit_b\|vit_l\|vit_h for SAM 1, sam2\.1_hiera_t\|s\|b\+\|l for SAM 2\.1/,
    );
  });

  it('refuses a --type neither converter knows', () => {
    expect(() => planFromUrls('s', ['https://example.org/x.pt'], [], 'hiera_t')).toThrow(
      /--type hiera_t: expected one of vit_b, vit_l, vit_h \(SAM 1\) or sam2\.1_hiera_t/,
    );
  });
});
