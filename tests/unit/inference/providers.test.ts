import { describe, expect, it } from 'vitest';
import {
  defaultProviders,
  gpuProvidersOnMachine,
  parseProviders,
  providerChoice,
  reportedFallbacks,
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

// Issue 17: a CPU-only machine showed "fell back: cuda: … Failed to load shared library" on every start.
describe('which provider fallbacks are worth showing', () => {
  const cudaMissing = {
    provider: 'cuda',
    reason: 'Failed to load shared library libonnxruntime_providers_cuda.so',
  };
  const dmlMissing = { provider: 'dml', reason: 'DirectML not available' };

  it('hides the default GPU attempt on a machine without that GPU', () => {
    expect(reportedFallbacks([cudaMissing], { requested: false, present: [] })).toEqual([]);
  });

  it('shows it when the user asked for a GPU provider (flag, SAM_PROVIDERS, settings)', () => {
    expect(reportedFallbacks([cudaMissing], { requested: true, present: [] })).toEqual([cudaMissing]);
  });

  it('shows it when the machine has that GPU (the driver is there, the libraries are not)', () => {
    expect(reportedFallbacks([cudaMissing, dmlMissing], { requested: false, present: ['cuda'] })).toEqual([
      cudaMissing,
    ]);
  });

  it('knows a GPU from its driver files or the platform', () => {
    const files = new Set(['/proc/driver/nvidia/version']);
    expect(gpuProvidersOnMachine('linux', (f) => files.has(f))).toEqual(['cuda']);
    expect(gpuProvidersOnMachine('linux', () => false)).toEqual([]);
    expect(gpuProvidersOnMachine('darwin', () => false)).toEqual(['coreml']);
    expect(gpuProvidersOnMachine('win32', () => false)).toEqual(['dml']);
  });

  it('tells a requested list from the default', () => {
    expect(providerChoice(undefined, 'linux')).toEqual({ providers: ['cuda', 'cpu'], requested: false });
    expect(providerChoice(' ', 'linux')).toEqual({ providers: ['cuda', 'cpu'], requested: false });
    expect(providerChoice('cuda', 'linux')).toEqual({ providers: ['cuda', 'cpu'], requested: true });
    // Asking for CPU only is a request too: nothing is tried before it, so nothing falls back.
    expect(providerChoice('cpu', 'linux')).toEqual({ providers: ['cpu'], requested: true });
  });
});
