/**
 * Execution providers: a preference list per platform, overridable, with fallback. onnxruntime-node throws when
 * asked for a provider it cannot load (even `['cuda', 'cpu']` throws when CUDA is absent), so each provider is
 * tried alone, in order, and every failure is recorded as a reason the caller can show.
 */
import { describeError } from '../common/errors.ts';
import type { ProviderFallback } from './worker/protocol.ts';

export const KNOWN_PROVIDERS = ['cuda', 'tensorrt', 'dml', 'coreml', 'webgpu', 'cpu'] as const;

/** cuda, dml, coreml where the platform can have them, then cpu. */
export function defaultProviders(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return ['cuda', 'dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return ['cuda', 'cpu'];
}

/**
 * Parse a comma-separated list ("cuda,cpu"). CPU is always appended as the last resort, so a list without it
 * still gives a working session.
 */
export function parseProviders(
  spec: string | undefined,
  platform: NodeJS.Platform = process.platform,
): string[] {
  if (!spec?.trim()) return defaultProviders(platform);
  const list = spec
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  for (const p of list) {
    if (!(KNOWN_PROVIDERS as readonly string[]).includes(p)) {
      throw new Error(`unknown execution provider "${p}" (known: ${KNOWN_PROVIDERS.join(', ')})`);
    }
  }
  return list.includes('cpu') ? list : [...list, 'cpu'];
}

/** The providers to try, and whether the user named them (--providers, SAM_PROVIDERS) rather than the default. */
export interface ProviderChoice {
  readonly providers: string[];
  readonly requested: boolean;
}

export function providerChoice(
  spec: string | undefined,
  platform: NodeJS.Platform = process.platform,
): ProviderChoice {
  return { providers: parseProviders(spec, platform), requested: Boolean(spec?.trim()) };
}

/**
 * GPU providers this machine can have (issue 17): CUDA where NVIDIA's driver is installed, DirectML on every
 * Windows, Core ML on every Mac. `exists` checks a file (injected so the decision is tested without the GPU).
 */
export function gpuProvidersOnMachine(
  platform: NodeJS.Platform,
  exists: (file: string) => boolean,
): string[] {
  const found: string[] = [];
  if (platform === 'linux' && ['/proc/driver/nvidia/version', '/dev/nvidiactl'].some(exists))
    found.push('cuda');
  if (platform === 'win32') found.push('dml');
  if (platform === 'darwin') found.push('coreml');
  return found;
}

/**
 * The fallbacks worth telling the user about (issue 17): every one when they asked for providers themselves;
 * otherwise only for a GPU the machine has (its driver is there but the runtime did not load). The default
 * list tries CUDA first everywhere, so on a CPU-only machine its failure is expected and not news.
 */
export function reportedFallbacks(
  fallbacks: readonly ProviderFallback[],
  context: { readonly requested: boolean; readonly present: readonly string[] },
): ProviderFallback[] {
  if (context.requested) return [...fallbacks];
  return fallbacks.filter((f) => context.present.includes(f.provider));
}

export interface ProviderAttempt<T> {
  readonly value: T;
  readonly provider: string;
  readonly fallbacks: readonly ProviderFallback[];
}

/** Try `create(provider)` for each provider in order; the first success wins. */
export async function withProviderFallback<T>(
  providers: readonly string[],
  create: (provider: string) => Promise<T>,
): Promise<ProviderAttempt<T>> {
  const fallbacks: ProviderFallback[] = [];
  for (const provider of providers) {
    try {
      return { value: await create(provider), provider, fallbacks };
    } catch (error) {
      fallbacks.push({ provider, reason: describeError(error) });
    }
  }
  const tried = fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ');
  throw new Error(`no execution provider could load the model (${tried})`);
}
