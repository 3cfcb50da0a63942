/** Flags every command that runs a model shares: execution providers, threads, the embedding cache. */
import path from 'node:path';
import { SamService, type SamServiceOptions } from '../inference/samService.ts';
import { type ProviderChoice, providerChoice } from '../inference/providers.ts';
import { cacheDir } from '../node/appPaths.ts';
import { UsageError, positiveInteger } from './args.ts';

export const SERVICE_FLAGS = {
  providers: { type: 'string' },
  threads: { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
} as const;

export const SERVICE_HELP = `
Runtime:
  --providers LIST    execution providers to try in order, e.g. cuda,cpu (default: cuda,cpu on Linux,
                      cuda,dml,cpu on Windows, coreml,cpu on macOS; env SAM_PROVIDERS). CPU is always last.
  --threads N         onnxruntime threads per session (default: all cores)
  --cache-dir DIR     embedding cache (default: $SAM_ANNOTATE_CACHE or ~/.cache/sam-annotate)
  --no-cache          do not read or write cached embeddings`;

interface ServiceFlagValues {
  providers?: string;
  threads?: string;
  'cache-dir'?: string;
  'no-cache'?: boolean;
}

export function serviceFrom(values: ServiceFlagValues): SamService {
  return new SamService(serviceOptionsFrom(values));
}

export function serviceOptionsFrom(values: ServiceFlagValues): SamServiceOptions {
  let choice: ProviderChoice;
  try {
    choice = providerChoice(values.providers ?? process.env.SAM_PROVIDERS);
  } catch (error) {
    throw new UsageError(`--providers: ${(error as Error).message}`);
  }
  const root = values['cache-dir'] ? path.resolve(values['cache-dir']) : cacheDir();
  return {
    providers: choice.providers,
    providersRequested: choice.requested,
    threads: positiveInteger('threads', values.threads) ?? 0,
    diskCacheDir: values['no-cache'] ? undefined : path.join(root, 'embeddings'),
    hashStore: path.join(root, 'model-hashes.json'),
  };
}
