import { describe, expect, it } from 'vitest';
import {
  defaultProviders,
  parseProviders,
  withProviderFallback,
} from '../../../electron/inference/providers.ts';

describe('execution providers', () => {
  it('prefers GPU providers per platform, CPU last', () => {
    expect(defaultProviders('linux')).toEqual(['cuda', 'cpu']);
    expect(defaultProviders('win32')).toEqual(['cuda', 'dml', 'cpu']);
    expect(defaultProviders('darwin')).toEqual(['coreml', 'cpu']);
  });

  it('parses a user list and always keeps CPU as the last resort', () => {
    expect(parseProviders('CUDA', 'linux')).toEqual(['cuda', 'cpu']);
    expect(parseProviders('cpu,cuda', 'linux')).toEqual(['cpu', 'cuda']);
    expect(parseProviders(undefined, 'darwin')).toEqual(['coreml', 'cpu']);
    expect(() => parseProviders('cuda,tpu')).toThrow('unknown execution provider "tpu"');
  });

  it('falls through failing providers and reports why', async () => {
    const attempt = await withProviderFallback(['cuda', 'dml', 'cpu'], async (p) => {
      if (p !== 'cpu') throw new Error(`${p} library not found\nsecond line`);
      return 'session';
    });
    expect(attempt.value).toBe('session');
    expect(attempt.provider).toBe('cpu');
    expect(attempt.fallbacks).toEqual([
      { provider: 'cuda', reason: 'cuda library not found' },
      { provider: 'dml', reason: 'dml library not found' },
    ]);
  });

  it('fails with every reason when nothing loads', async () => {
    await expect(
      withProviderFallback(['cuda', 'cpu'], async (p) => {
        throw new Error(`${p} broken`);
      }),
    ).rejects.toThrow('no execution provider could load the model (cuda: cuda broken; cpu: cpu broken)');
  });
});
