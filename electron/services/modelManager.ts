/**
 * The model manager in the app (issue 6): the registry of electron/models behind the contract's model methods
 * — list, use (switch the loaded model and make it the default), add a folder, remove, install with progress
 * and cancel. The CLI's `sam-annotate models …` drives the same registry, catalog and installer.
 *
 * One install at a time, in the background: its status goes out as 'model-install' events (progress at most
 * every PROGRESS_MS) and stays readable in `listModels` after it ended.
 */
import path from 'node:path';
import { UserError, describeError } from '../common/errors.ts';
import type {
  AddModelRequest,
  AppEvent,
  CatalogModel,
  InstalledModel,
  ModelInstallRequest,
  ModelInstallStatus,
  ModelList,
  TaskReport,
} from '../ipc/contract.ts';
import { CATALOG, type CatalogEntry, findCatalogEntry } from '../models/catalog.ts';
import { type InstallPlan, installModel, planFromCatalog, planFromUrls } from '../models/install.ts';
import { BUILTIN_NAME, type ModelEntry, type ModelRegistry, checkModelName } from '../models/registry.ts';

/** What the manager needs of the backend that hosts it. */
export interface ModelHost {
  /** The folder of the model the app runs (or is loading) now. */
  loadedDir(): string | undefined;
  /** Load (switch to) a model folder; rejects when it cannot be loaded. */
  loadModel(dir: string): Promise<void>;
  /** Why the model cannot be switched now (an automatic pass runs), or undefined. */
  switchBlocker(): string | undefined;
  emit(event: AppEvent): void;
}

const PROGRESS_MS = 150;

interface RunningInstall {
  status: ModelInstallStatus;
  readonly abort: AbortController;
  done: Promise<void>;
  /** When the last event went out (performance.now()), and the timer of a held-back one. */
  sentAt: number;
  trailing?: ReturnType<typeof setTimeout>;
}

function catalogModel(e: CatalogEntry): CatalogModel {
  return {
    name: e.name,
    title: e.title,
    kind: e.kind,
    family: e.family,
    layout: e.layout,
    approxBytes: e.files.reduce((sum, f) => sum + f.approxBytes, 0),
    license: e.license,
    source: e.source,
    needsPython: e.kind === 'checkpoint',
    checksum: e.files.every((f) => f.sha256) ? 'sha256' : e.files.every((f) => f.md5) ? 'md5' : 'unverified',
  };
}

const samePath = (a: string | undefined, b: string) => !!a && path.resolve(a) === path.resolve(b);

export class ModelManager {
  private install: RunningInstall | undefined;
  private installs = 0;
  /** Model switches run one after the other. */
  private switching: Promise<unknown> = Promise.resolve();

  constructor(
    readonly registry: ModelRegistry,
    private readonly host: ModelHost,
  ) {}

  private installed(e: ModelEntry): InstalledModel {
    return {
      name: e.name,
      dir: e.dir,
      source: e.source,
      family: e.family,
      variant: e.variant,
      layout: e.layout,
      capabilities: e.capabilities,
      inputSize: e.inputSize,
      demo: e.demo,
      description: e.description,
      bytes: e.bytes,
      isDefault: e.isDefault,
      inUse: samePath(this.host.loadedDir(), e.dir),
      problem: e.problem,
    };
  }

  async list(): Promise<ModelList> {
    const entries = await this.registry.list();
    const names = new Set(entries.map((e) => e.name));
    return {
      installed: entries.map((e) => this.installed(e)),
      catalog: CATALOG.filter((e) => !names.has(e.name)).map(catalogModel),
      install: this.install?.status ?? null,
    };
  }

  /** Load `name` (the previous model stays when that fails), then make it the default. */
  use(name: string): Promise<void> {
    const run = this.switching.then(async () => {
      const entry = await this.registry.find(name);
      if (!entry) throw new UserError(`no model named ${name}`);
      if (entry.problem) throw new UserError(`model ${name} cannot be used: ${entry.problem}`);
      const blocker = this.host.switchBlocker();
      if (blocker) throw new UserError(blocker);
      const previous = this.host.loadedDir();
      if (!samePath(previous, entry.dir)) {
        try {
          await this.host.loadModel(entry.dir);
        } catch (error) {
          if (previous) await this.host.loadModel(previous).catch(() => undefined);
          throw new UserError(
            `model ${name} could not be loaded: ${describeError(error)}` +
              (previous ? ' (the previous model stays in use)' : ''),
            { cause: error },
          );
        }
      }
      await this.registry.setDefault(name);
      this.host.emit({ type: 'model-changed' });
    });
    this.switching = run.catch(() => undefined);
    return run;
  }

  async addFolder(request: AddModelRequest): Promise<InstalledModel> {
    const dir = request.dir?.trim();
    if (!dir) throw new UserError('give the model folder');
    const entry = await this.registry.add(dir, { copy: !!request.copy, name: request.name || undefined });
    return this.installed(entry);
  }

  async remove(name: string): Promise<TaskReport> {
    const entry = await this.registry.find(name);
    if (!entry) throw new UserError(`no model named ${name}`);
    if (entry.source === 'builtin' || name === BUILTIN_NAME)
      throw new UserError(`${name} is the built-in demo model; it cannot be removed`);
    if (samePath(this.host.loadedDir(), entry.dir))
      throw new UserError(`${name} is the model in use; use another model first, then remove it`);
    const { deleted } = await this.registry.remove(name);
    return {
      message: deleted
        ? `removed ${name} (deleted ${deleted})`
        : `removed ${name} (its folder was left in place)`,
    };
  }

  private plan(request: ModelInstallRequest): InstallPlan {
    if ('catalogName' in request) {
      const entry = findCatalogEntry(request.catalogName);
      if (!entry)
        throw new UserError(
          `no catalog model named ${request.catalogName} (known: ${CATALOG.map((e) => e.name).join(', ')})`,
        );
      return planFromCatalog(entry, checkModelName(request.name || entry.name), []);
    }
    if (!request.urls?.length) throw new UserError('give the URLs of the model files');
    for (const h of request.sha256 ?? [])
      if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new UserError(`sha256 ${h}: expected 64 hex digits`);
    return planFromUrls(
      checkModelName(request.name ?? ''),
      request.urls,
      (request.sha256 ?? []).map((h) => h.toLowerCase()),
      request.modelType,
    );
  }

  /** Check the request, then run the install in the background. */
  async startInstall(request: ModelInstallRequest): Promise<ModelInstallStatus> {
    const state = this.install?.status.state;
    if (state === 'running' || state === 'cancelling')
      throw new UserError(`${this.install!.status.name} is being installed; wait for it or cancel it`);
    const plan = this.plan(request);
    if (await this.registry.find(plan.name))
      throw new UserError(`a model named ${plan.name} already exists (remove it first)`);
    const abort = new AbortController();
    const status: ModelInstallStatus = {
      id: ++this.installs,
      name: plan.name,
      state: 'running',
      phase: 'download',
      file: plan.files[0]?.path ?? null,
      fileIndex: 1,
      fileCount: plan.files.length,
      done: 0,
      total: null,
      message: null,
    };
    const install: RunningInstall = { status, abort, done: Promise.resolve(), sentAt: 0 };
    this.install = install;
    install.done = this.runInstall(plan, install);
    this.emit(true);
    return status;
  }

  private async runInstall(plan: InstallPlan, install: RunningInstall): Promise<void> {
    const update = (patch: Partial<ModelInstallStatus>, force = false) => {
      install.status = { ...install.status, ...patch };
      if (this.install === install) this.emit(force);
    };
    try {
      const entry = await installModel(
        this.registry,
        plan,
        {
          onFileStart: (file, i, count) =>
            update(
              {
                phase: 'download',
                file: file.path,
                fileIndex: i + 1,
                fileCount: count,
                done: 0,
                total: null,
              },
              true,
            ),
          onProgress: (done, total) => update({ done, total: total ?? null }),
          onFileDone: (_file, result) => update({ done: result.bytes, total: result.bytes }, true),
          onConvert: () => update({ phase: 'convert', file: null }, true),
          onCheck: () => update({ phase: 'check', file: null }, true),
        },
        install.abort.signal,
      );
      const note = entry.isDefault ? '; it is now the default model' : '';
      update({ state: 'finished', message: `installed ${entry.name} (${entry.layout} layout)${note}` }, true);
    } catch (error) {
      if (install.abort.signal.aborted) {
        const resumable = install.status.phase === 'download';
        update(
          {
            state: 'cancelled',
            message: `cancelled the install of ${plan.name}${resumable ? ' (installing it again resumes the download)' : ''}`,
          },
          true,
        );
      } else {
        update({ state: 'failed', message: describeError(error) }, true);
      }
    }
  }

  /** Progress at most every PROGRESS_MS, the latest one always sent in the end (a stalled download shows it). */
  private emit(force: boolean): void {
    const install = this.install;
    if (!install) return;
    const wait = install.sentAt + PROGRESS_MS - performance.now();
    if (!force && wait > 0) {
      install.trailing ??= setTimeout(() => {
        install.trailing = undefined;
        if (this.install === install) this.emit(true);
      }, wait);
      return;
    }
    clearTimeout(install.trailing);
    install.trailing = undefined;
    install.sentAt = performance.now();
    this.host.emit({ type: 'model-install', status: install.status });
  }

  cancelInstall(): ModelInstallStatus | null {
    const install = this.install;
    if (!install) return null;
    if (install.status.state === 'running') {
      install.status = { ...install.status, state: 'cancelling' };
      this.emit(true);
      install.abort.abort();
    }
    return install.status;
  }

  /** Resolves when the current install (if any) has ended. */
  async settled(): Promise<void> {
    await this.install?.done;
  }

  async close(): Promise<void> {
    this.install?.abort.abort();
    await this.settled();
  }
}
