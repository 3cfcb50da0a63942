/**
 * The models this machine has: the built-in demo model shipped in the repository, models installed under
 * `<data dir>/models/<name>` (downloads, conversions, copies), and folders the user registered where they are.
 * A small JSON file, `<data dir>/models.json`, records the registered folders and the user's default.
 *
 * Default model: the user's choice if set, else the first installed real (non-demo) model by name, else the
 * built-in demo. Plain Node: the CLI and the app's main process share it.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError, describeError } from '../common/errors.ts';
import { JsonReader } from '../common/jsonReader.ts';
import type { FileHashCache } from '../inference/fileHash.ts';
import { type ModelFolder, openModelFolder } from '../inference/modelFolder.ts';
import { writeFileAtomic } from '../node/atomicWrite.ts';
import type { ModelAbilities } from '../common/modelFamily.ts';
import { REPO_ROOT } from '../node/rendererBuild.ts';

/**
 * The repository's (or packaged app's) built-in demo model folder; `$SAM_ANNOTATE_BUILTIN_MODEL` overrides it.
 * In a packaged app the folder is unpacked beside app.asar: onnxruntime cannot read files inside the archive.
 */
export function builtinModelDir(): string {
  if (process.env.SAM_ANNOTATE_BUILTIN_MODEL) return path.resolve(process.env.SAM_ANNOTATE_BUILTIN_MODEL);
  return path
    .join(REPO_ROOT, 'native-models', 'builtin', 'sam-annotate-demo')
    .replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
}

export const BUILTIN_NAME = 'sam-annotate-demo';

/** What the user is told whenever the demo model is the one that runs. */
export const DEMO_NOTE =
  'using the built-in demo model (trained on synthetic shapes, not on photos); install a real SAM: ' +
  'sam-annotate models download sam-vit-b (or: sam-annotate convert --checkpoint sam_vit_b_01ec64.pth ' +
  '--type vit_b --install sam-vit-b)';

export type ModelSource = 'builtin' | 'installed' | 'added';

export interface ModelEntry {
  readonly name: string;
  readonly dir: string;
  readonly source: ModelSource;
  /** From the manifest; null for a folder without one. */
  readonly family: string | null;
  readonly variant: string | null;
  /** Detected layout, null when the folder does not open. */
  readonly layout: string | null;
  /** What the decoder takes (its layout adapter's capabilities); null when the folder does not open. */
  readonly capabilities: ModelAbilities | null;
  readonly inputSize: number | null;
  readonly demo: boolean;
  readonly description: string | null;
  /** Bytes of every file in the folder. */
  readonly bytes: number;
  readonly isDefault: boolean;
  /** Why the folder cannot be used (missing files, checksum mismatch, …); null when it opens. */
  readonly problem: string | null;
}

interface RegistryFile {
  default?: string;
  added: Array<{ name: string; dir: string }>;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

export function checkModelName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new UserError(
      `model name "${name}": use letters, digits, '.', '_' and '-' (at most 80, not starting with a symbol)`,
    );
  }
  return name;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

/**
 * family / variant of a folder's manifest.json read as plain JSON, for a folder that does not open (issue 14: the
 * listing still says "SAM 2.1" beside why it cannot be used); nothing when there is no readable manifest.
 */
async function peekManifest(dir: string): Promise<{ family?: string; variant?: string } | undefined> {
  try {
    const root = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { family: text(root.family), variant: text(root.variant) };
  } catch {
    return undefined;
  }
}

export class ModelRegistry {
  readonly modelsDir: string;
  private readonly file: string;

  constructor(
    readonly dataDir: string,
    readonly hashes: FileHashCache,
    readonly builtinDir: string = builtinModelDir(),
  ) {
    this.modelsDir = path.join(dataDir, 'models');
    this.file = path.join(dataDir, 'models.json');
  }

  private async readFile(): Promise<RegistryFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { added: [] };
      throw new UserError(`cannot read ${this.file}: ${describeError(error)}`, { cause: error });
    }
    const r = new JsonReader(this.file);
    const root = r.object(r.parse(text), '$');
    const added = (r.optional(root.added, (v) => r.array(v, '$.added')) ?? []).map((item, i) => {
      const o = r.object(item, `$.added[${i}]`);
      return { name: r.string(o.name, `$.added[${i}].name`), dir: r.string(o.dir, `$.added[${i}].dir`) };
    });
    return { default: r.optional(root.default, (v) => r.string(v, '$.default')), added };
  }

  private async writeFile(data: RegistryFile): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    await writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
  }

  /** Folder names under `<data dir>/models`, skipping partial downloads (dot-prefixed). */
  private async installedNames(): Promise<string[]> {
    const entries = await readdir(this.modelsDir, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  }

  private async candidates(): Promise<Array<{ name: string; dir: string; source: ModelSource }>> {
    const registry = await this.readFile();
    const out: Array<{ name: string; dir: string; source: ModelSource }> = [];
    if (existsSync(this.builtinDir))
      out.push({ name: BUILTIN_NAME, dir: this.builtinDir, source: 'builtin' });
    for (const name of await this.installedNames())
      out.push({ name, dir: path.join(this.modelsDir, name), source: 'installed' });
    for (const a of registry.added) out.push({ name: a.name, dir: a.dir, source: 'added' });
    return out;
  }

  private async describe(
    c: { name: string; dir: string; source: ModelSource },
    isDefault: boolean,
  ): Promise<ModelEntry> {
    let folder: ModelFolder | undefined;
    let problem: string | null = null;
    try {
      folder = await openModelFolder(c.dir, this.hashes);
    } catch (error) {
      problem = describeError(error);
    }
    const unopened = folder ? undefined : await peekManifest(c.dir);
    return {
      name: c.name,
      dir: c.dir,
      source: c.source,
      family: folder?.manifest?.family ?? unopened?.family ?? null,
      variant: folder?.manifest?.variant ?? unopened?.variant ?? null,
      layout: folder?.layout.kind ?? null,
      capabilities: folder ? { ...folder.layout.capabilities } : null,
      inputSize: folder?.layout.geometry.inputSize ?? null,
      demo: folder?.demo ?? c.source === 'builtin',
      description: folder?.manifest?.description ?? null,
      bytes: await folderBytes(c.dir),
      isDefault,
      problem,
    };
  }

  /** Every known model, built-in first, then installed and added ones; each checked (see ModelEntry.problem). */
  async list(): Promise<ModelEntry[]> {
    const candidates = await this.candidates();
    const defaultName = await this.defaultName(candidates);
    return Promise.all(candidates.map((c) => this.describe(c, c.name === defaultName)));
  }

  private async defaultName(
    candidates: Array<{ name: string; dir: string; source: ModelSource }>,
  ): Promise<string | undefined> {
    const chosen = (await this.readFile()).default;
    if (chosen && candidates.some((c) => c.name === chosen)) return chosen;
    for (const c of candidates) {
      if (c.source === 'builtin') continue;
      const entry = await this.describe(c, false);
      if (!entry.problem && !entry.demo) return c.name;
    }
    return candidates.find((c) => c.source === 'builtin')?.name;
  }

  /** The model to use when none is named (module doc). Throws when there is none at all. */
  async defaultModel(): Promise<ModelEntry> {
    const candidates = await this.candidates();
    const name = await this.defaultName(candidates);
    const c = candidates.find((x) => x.name === name);
    if (!c) {
      throw new UserError(
        'no model installed and the built-in demo model is missing; install one: sam-annotate models download sam-vit-b',
      );
    }
    return this.describe(c, true);
  }

  /** A registered name → its entry; undefined when no model has that name. */
  async find(name: string): Promise<ModelEntry | undefined> {
    const candidates = await this.candidates();
    const c = candidates.find((x) => x.name === name);
    if (!c) return undefined;
    return this.describe(c, name === (await this.defaultName(candidates)));
  }

  /** `--model VALUE`: an existing folder is used as is; otherwise VALUE must be a registered name. */
  async resolve(value: string): Promise<string> {
    if (existsSync(value)) return path.resolve(value);
    const entry = await this.find(value);
    if (!entry) {
      const names = (await this.candidates()).map((c) => c.name);
      throw new UserError(
        `--model ${value}: no such folder and no model of that name (known: ${names.join(', ') || 'none'})`,
      );
    }
    return entry.dir;
  }

  /**
   * The folder a command runs: `value` (a folder or a model name) when given, else the default model. `note` is
   * the line to show the user when the demo model is the one that runs.
   */
  async pick(value?: string): Promise<{ dir: string; name: string; note?: string }> {
    if (value) {
      const dir = await this.resolve(value);
      const demo = path.resolve(dir) === path.resolve(this.builtinDir);
      return { dir, name: value, note: demo ? DEMO_NOTE : undefined };
    }
    const entry = await this.defaultModel();
    if (entry.problem)
      throw new UserError(`the default model ${entry.name} cannot be used: ${entry.problem}`);
    return { dir: entry.dir, name: entry.name, note: entry.demo ? DEMO_NOTE : undefined };
  }

  private async assertFreeName(name: string): Promise<void> {
    checkModelName(name);
    if ((await this.candidates()).some((c) => c.name === name))
      throw new UserError(
        `a model named ${name} already exists (remove it first: sam-annotate models remove ${name})`,
      );
  }

  /** Where a new installed model goes: `<data dir>/models/<name>`. */
  installDir(name: string): string {
    return path.join(this.modelsDir, checkModelName(name));
  }

  /**
   * Register a model folder: checked first (it must open: layout, manifest, checksums). With `copy` it is copied
   * into the data dir, so the original can go away; otherwise the registry points at it where it is.
   */
  async add(dir: string, options: { name?: string; copy?: boolean } = {}): Promise<ModelEntry> {
    const source = path.resolve(dir);
    const folder = await openModelFolder(source, this.hashes);
    const name = options.name ?? folder.manifest?.name ?? path.basename(source);
    await this.assertFreeName(name);
    if (options.copy) {
      const target = this.installDir(name);
      const temp = path.join(this.modelsDir, `.${name}.copy-${process.pid}`);
      await mkdir(this.modelsDir, { recursive: true });
      await rm(temp, { recursive: true, force: true });
      try {
        await cp(source, temp, { recursive: true });
        await openModelFolder(temp, this.hashes);
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { recursive: true, force: true });
        throw error instanceof UserError
          ? error
          : new UserError(`cannot copy ${source} to ${target}: ${describeError(error)}`, { cause: error });
      }
    } else {
      const registry = await this.readFile();
      registry.added.push({ name, dir: source });
      await this.writeFile(registry);
    }
    return (await this.find(name))!;
  }

  /** Record a folder just written into `installDir(name)` (nothing to do: installed folders are found by name). */
  async installed(name: string): Promise<ModelEntry> {
    const entry = await this.find(name);
    if (!entry) throw new UserError(`model ${name} was not installed`);
    return entry;
  }

  /** Forget a model; installed copies are deleted, registered folders are left on disk. */
  async remove(name: string): Promise<{ deleted: string | null }> {
    const candidates = await this.candidates();
    const c = candidates.find((x) => x.name === name);
    if (!c) throw new UserError(`no model named ${name} (see: sam-annotate models list)`);
    if (c.source === 'builtin')
      throw new UserError(`${name} is the built-in demo model; it cannot be removed`);
    const registry = await this.readFile();
    if (registry.default === name) delete registry.default;
    let deleted: string | null = null;
    if (c.source === 'installed') {
      await rm(c.dir, { recursive: true, force: true });
      deleted = c.dir;
    } else {
      registry.added = registry.added.filter((a) => a.name !== name);
    }
    await this.writeFile(registry);
    return { deleted };
  }

  /** Make `name` the default model. */
  async setDefault(name: string): Promise<ModelEntry> {
    const entry = await this.find(name);
    if (!entry) throw new UserError(`no model named ${name} (see: sam-annotate models list)`);
    if (entry.problem) throw new UserError(`model ${name} cannot be used: ${entry.problem}`);
    const registry = await this.readFile();
    registry.default = name;
    await this.writeFile(registry);
    return { ...entry, isDefault: true };
  }
}
