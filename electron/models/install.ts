/**
 * Install a model into `<data dir>/models/<name>` from downloads: the files go to a staging folder
 * `<data dir>/models/.download-<name>/` (kept across interruptions, so a rerun resumes), then
 * - ONNX pairs: the staging folder must open as a model folder (layout, shapes, manifest checksums), then it is
 *   renamed into place;
 * - an archive (issue 15): one .zip downloaded into the staging folder; its listed members are extracted into
 *   `.extract-<name>/`, which must open as a model folder and is then renamed into place; the archive stays in
 *   staging until then (a rerun resumes its download), and is deleted when it proves damaged or hostile (a rerun
 *   downloads it again);
 * - a PyTorch checkpoint: converted with the project's converter for its --type (native-models/export.py for
 *   SAM 1, export_sam2.py for SAM 2 / 2.1: families.ts) into the install folder, then the staging folder (the
 *   checkpoint) is deleted.
 * Nothing appears under the final name unless every step succeeded.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../common/errors.ts';
import { openModelFolder } from '../inference/modelFolder.ts';
import { lastLine, requireTorch, runPython } from '../node/python.ts';
import { type ArchiveMember, extractArchive } from './archive.ts';
import type { CatalogEntry } from './catalog.ts';
import { converterForType } from './families.ts';
import { catalogFileUrl } from './mirror.ts';
import { type DownloadResult, completedDownload, displayUrl, downloadFile } from './download.ts';
import type { ModelEntry, ModelRegistry } from './registry.ts';

export interface InstallFile {
  readonly url: string;
  /** Path inside the model folder. */
  readonly path: string;
  readonly sha256?: string | null;
  readonly md5?: string | null;
  /** For an archive plan: the members to extract (archive name → model folder path). */
  readonly members?: readonly ArchiveMember[];
}

export interface InstallPlan {
  readonly name: string;
  /** 'archive': one .zip whose `members` form the model folder. */
  readonly kind: 'onnx' | 'checkpoint' | 'archive';
  readonly modelType?: string;
  readonly files: readonly InstallFile[];
}

export interface InstallEvents {
  onFileStart?(file: InstallFile, index: number, count: number): void;
  onProgress?(done: number, total: number | undefined): void;
  /** `verified`: which checksum the file was checked against, null when none was known. */
  onFileDone?(file: InstallFile, result: DownloadResult, verified: 'sha256' | 'md5' | null): void;
  onConvert?(): void;
  /** The downloaded ONNX pair is being checked (it must open as a model folder). */
  onCheck?(): void;
  /** An archive's member is being extracted. */
  onExtract?(member: ArchiveMember, index: number, count: number): void;
}

/**
 * A catalog entry with the user's `--sha256` values (one per file, in order) taking precedence; the URLs are the
 * publishers', or the mirror's when SAM_ANNOTATE_MODEL_MIRROR is set (mirror.ts).
 */
export function planFromCatalog(entry: CatalogEntry, name: string, sha256: readonly string[]): InstallPlan {
  if (sha256.length > entry.files.length)
    throw new UserError(
      `${entry.name} has ${entry.files.length} file(s) but ${sha256.length} --sha256 values were given`,
    );
  return {
    name,
    kind: entry.kind,
    modelType: entry.modelType,
    files: entry.files.map((f, i) => ({
      url: catalogFileUrl(entry.name, f.path, f.url),
      path: f.path,
      sha256: sha256[i] ?? f.sha256,
      md5: f.md5,
      ...(f.members ? { members: f.members } : {}),
    })),
  };
}

/** Plain URLs: a `.pth` is a checkpoint to convert (needs `modelType`); otherwise the files form an ONNX pair. */
export function planFromUrls(
  name: string,
  urls: readonly string[],
  sha256: readonly string[],
  modelType?: string,
): InstallPlan {
  if (sha256.length > urls.length)
    throw new UserError(`${urls.length} URL(s) but ${sha256.length} --sha256 values were given`);
  const files = urls.map((url, i) => {
    let base: string;
    try {
      base = decodeURIComponent(path.posix.basename(new URL(url).pathname));
    } catch {
      throw new UserError(`not a URL: ${url}`);
    }
    if (!base || base.includes('..')) throw new UserError(`cannot name a file after ${displayUrl(url)}`);
    return { url, path: base, sha256: sha256[i] ?? null };
  });
  const checkpoint = files.some((f) => f.path.endsWith('.pth') || f.path.endsWith('.pt'));
  if (checkpoint) {
    if (files.length !== 1) throw new UserError('a checkpoint download is one .pth/.pt URL');
    if (!modelType)
      throw new UserError(
        'a checkpoint needs --type to be converted (vit_b|vit_l|vit_h for SAM 1, sam2.1_hiera_t|s|b+|l for SAM 2.1)',
      );
    converterForType(modelType);
    return { name, kind: 'checkpoint', modelType, files };
  }
  if (new Set(files.map((f) => f.path)).size !== files.length)
    throw new UserError('two URLs end in the same file name');
  return { name, kind: 'onnx', files };
}

/** `signal` stops the download (its bytes stay in the staging folder for a resume) or the conversion. */
export async function installModel(
  registry: ModelRegistry,
  plan: InstallPlan,
  events: InstallEvents = {},
  signal?: AbortSignal,
): Promise<ModelEntry> {
  const target = registry.installDir(plan.name);
  if (await registry.find(plan.name))
    throw new UserError(
      `a model named ${plan.name} already exists (remove it first: sam-annotate models remove ${plan.name})`,
    );
  const staging = path.join(registry.modelsDir, `.download-${plan.name}`);
  await mkdir(staging, { recursive: true }).catch((error: unknown) => {
    throw new UserError(`cannot create ${staging}: ${describeError(error)}`, { cause: error });
  });
  const converter = plan.kind === 'checkpoint' ? converterForType(plan.modelType ?? '') : undefined;
  if (converter) await requireTorch();

  for (const [i, file] of plan.files.entries()) {
    events.onFileStart?.(file, i, plan.files.length);
    const dest = path.join(staging, file.path);
    await mkdir(path.dirname(dest), { recursive: true });
    const options = { sha256: file.sha256 ?? undefined, md5: file.md5 ?? undefined };
    // An archive downloaded completely by an earlier run (whose extraction failed or was cancelled) is reused.
    const kept = plan.kind === 'archive' ? await completedDownload(dest, options) : undefined;
    const result =
      kept ?? (await downloadFile(file.url, dest, { ...options, onProgress: events.onProgress, signal }));
    events.onFileDone?.(file, result, file.sha256 ? 'sha256' : file.md5 ? 'md5' : null);
  }

  if (plan.kind === 'archive') {
    await installArchive(registry, plan, staging, events, signal);
  } else if (plan.kind === 'onnx') {
    events.onCheck?.();
    try {
      await openModelFolder(staging, registry.hashes);
    } catch (error) {
      throw new UserError(
        `the downloaded files do not form a usable model folder (${describeError(error)}); they are kept in ${staging}`,
        { cause: error },
      );
    }
    await rename(staging, target);
  } else {
    events.onConvert?.();
    const converting = path.join(registry.modelsDir, `.convert-${plan.name}`);
    await rm(converting, { recursive: true, force: true });
    const run = await runPython(
      [
        converter!.script,
        '--checkpoint',
        path.join(staging, plan.files[0]!.path),
        '--type',
        plan.modelType!,
        '--name',
        plan.name,
        '--out',
        converting,
        ...converter!.conversionFlags(undefined),
      ],
      { signal },
    );
    if (run.code !== 0) {
      await rm(converting, { recursive: true, force: true });
      throw new UserError(
        `converting ${plan.files[0]!.path} failed: ${lastLine(run.stderrTail) || `exit code ${run.code}`} (the checkpoint is kept in ${staging})`,
      );
    }
    await rename(converting, target);
    await rm(staging, { recursive: true, force: true });
  }
  return registry.installed(plan.name);
}

/** Extract the downloaded archive's members into `.extract-<name>`, check the folder, move it into place. */
async function installArchive(
  registry: ModelRegistry,
  plan: InstallPlan,
  staging: string,
  events: InstallEvents,
  signal: AbortSignal | undefined,
): Promise<void> {
  const [file] = plan.files;
  if (plan.files.length !== 1 || !file?.members?.length)
    throw new Error(`install plan ${plan.name}: an archive plan is one file with members`);
  const archive = path.join(staging, file.path);
  const extracting = path.join(registry.modelsDir, `.extract-${plan.name}`);
  await rm(extracting, { recursive: true, force: true });
  await mkdir(extracting, { recursive: true });
  try {
    await extractArchive(archive, file.members, extracting, { onMember: events.onExtract, signal });
  } catch (error) {
    await rm(extracting, { recursive: true, force: true });
    if (signal?.aborted)
      throw new UserError(`extracting ${file.path}: cancelled (the archive is kept in ${staging})`, {
        cause: error,
      });
    // A damaged or hostile archive cannot get better by resuming: delete it, so a rerun downloads it again.
    await rm(archive, { force: true });
    throw new UserError(`${describeError(error)} (nothing was installed; the archive was deleted)`, {
      cause: error,
    });
  }
  events.onCheck?.();
  try {
    await openModelFolder(extracting, registry.hashes);
  } catch (error) {
    await rm(extracting, { recursive: true, force: true });
    throw new UserError(
      `the files extracted from ${file.path} do not form a usable model folder (${describeError(error)}); ` +
        `the archive is kept in ${staging}`,
      { cause: error },
    );
  }
  await rename(extracting, registry.installDir(plan.name));
  await rm(staging, { recursive: true, force: true });
}
