/**
 * The model manager in the app (issue 6): the registry of electron/models behind the contract's model methods
 * — list, use (switch the loaded model and make it the default), add a folder, remove, install with progress
 * and cancel. The CLI's `sam-annotate models …` drives the same registry, catalog and installer.
 *
 * One install at a time, in the background: its status goes out as 'model-install' events (progress at most
 * every PROGRESS_MS) and stays readable in `listModels` after it ended.
 *
 * Speed and suggestions (issue 15): the list carries this machine's benchmark (run on the first listing, then
 * cached in speed.json per app version), each model's measured or estimated speed, and the catalog models to
 * suggest (electron/models/recommend.ts). The backend reports the times of real encodes and clicks
 * (`recordTimes`); they replace the estimates of that model and correct the others'.
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
  ModelRecommendation,
  TaskReport,
} from '../ipc/contract.ts';
import { openModelFolder } from '../inference/modelFolder.ts';
import type { SamServiceOptions } from '../inference/samService.ts';
import { CATALOG, type CatalogEntry, findCatalogEntry } from '../models/catalog.ts';
import { type InstallPlan, installModel, planFromCatalog, planFromUrls } from '../models/install.ts';
import { recommend } from '../models/recommend.ts';
import { BUILTIN_NAME, type ModelEntry, type ModelRegistry, checkModelName } from '../models/registry.ts';
import { type MachineSpeed, SpeedStore, type SpeedView, machineSpeed, speedView } from '../models/speed.ts';
import { hasTorch } from '../models/torchCheck.ts';

/** What the manager needs of the backend that hosts it. */
export interface ModelHost {
  /** The folder of the model the app runs (or is loading) now. */
  loadedDir(): string | undefined;
  /** Load (switch to) a model folder; rejects when it cannot be loaded. */
  loadModel(dir: string): Promise<void>;
  /** Why the model cannot be switched now (an automatic pass runs), or undefined. */
  switchBlocker(): string | undefined;
  emit(event: AppEvent): void;
  /** How the benchmark starts inference workers (the Electron app bundles its worker); default: the service's. */
  readonly inference?: Pick<SamServiceOptions, 'providers' | 'threads' | 'spawnWorker'>;
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

const approxBytes = (e: CatalogEntry) => e.files.reduce((sum, f) => sum + f.approxBytes, 0);

function catalogModel(e: CatalogEntry, speed: SpeedView): CatalogModel {
  return {
    name: e.name,
    title: e.title,
    kind: e.kind,
    family: e.family,
    layout: e.layout,
    approxBytes: approxBytes(e),
    license: e.license,
    source: e.source,
    needsPython: e.kind === 'checkpoint',
    checksum: e.files.every((f) => f.sha256) ? 'sha256' : e.files.every((f) => f.md5) ? 'md5' : 'unverified',
    quality: e.quality,
    speed: speed.estimateFor(e.name),
  };
}

/** The suggestions of recommend.ts for this machine, in the contract's shape. */
export function recommendations(
  speed: SpeedView,
  installedNames: ReadonlySet<string>,
  torch: boolean,
): ModelRecommendation[] {
  const candidates = CATALOG.map((e) => ({
    name: e.name,
    kind: e.kind,
    quality: e.quality,
    approxBytes: approxBytes(e),
    encoderGmacs: e.gmacs.encoder,
    speed: speed.figuresFor(e.name),
    entry: e,
  }));
  return recommend(candidates, { hasTorch: torch }).map(({ role, entry: c }) => ({
    role,
    name: c.name,
    title: c.entry.title,
    approxBytes: c.approxBytes,
    needsPython: c.kind === 'checkpoint',
    speed: c.speed,
    installed: installedNames.has(c.name),
  }));
}

const samePath = (a: string | undefined, b: string) => !!a && path.resolve(a) === path.resolve(b);

export class ModelManager {
  private install: RunningInstall | undefined;
  private installs = 0;
  /** Model switches run one after the other. */
  private switching: Promise<unknown> = Promise.resolve();
  readonly speeds: SpeedStore;
  private torch: Promise<boolean> | undefined;
  /** Times being written to speed.json: a listing waits for them, so it shows every time recorded before it. */
  private readonly recording = new Set<Promise<void>>();
  /** Registry names of loaded model folders, for `recordTimes`. */
  private readonly names = new Map<string, string>();
  /** Models (name + encoder sha256) whose times are all kept: later ones are not even read. */
  private readonly timed = new Set<string>();

  constructor(
    readonly registry: ModelRegistry,
    private readonly host: ModelHost,
  ) {
    this.speeds = new SpeedStore(registry.dataDir);
  }

  /** This machine's benchmark (cached in speed.json; `rerun` measures again), or why it could not run. */
  private async machine(rerun = false): Promise<{ machine: MachineSpeed | null; problem: string | null }> {
    try {
      const machine = await machineSpeed(this.speeds, this.registry.builtinDir, {
        rerun,
        inference: this.host.inference,
      });
      return { machine, problem: null };
    } catch (error) {
      return {
        machine: null,
        problem: `the speed of this computer could not be measured: ${describeError(error)}`,
      };
    }
  }

  /** The encoder sha256 of an installed model that has measured times (to tell them from an older file's). */
  private async encoderSha(e: ModelEntry): Promise<string | undefined> {
    if (e.problem) return undefined;
    return openModelFolder(e.dir, this.registry.hashes).then(
      (f) => f.encoderSha256,
      () => undefined,
    );
  }

  /**
   * Times of real work of the model loaded from `dir` (its encoder's sha256 from the service): an encode and/or
   * a click. Kept in speed.json (a failure to write only loses the measurement).
   */
  async recordTimes(
    model: { readonly dir: string; readonly encoderSha256: string } | undefined,
    times: { encodeMs?: number; clickMs?: number },
  ): Promise<void> {
    // Called without awaiting on the click path: it must never reject (a bad models.json, a full disk).
    const recording = this.recordTimesOrThrow(model, times).catch(() => undefined);
    this.recording.add(recording);
    await recording;
    this.recording.delete(recording);
  }

  private async recordTimesOrThrow(
    model: { readonly dir: string; readonly encoderSha256: string } | undefined,
    times: { encodeMs?: number; clickMs?: number },
  ): Promise<void> {
    if (!model || (times.encodeMs === undefined && times.clickMs === undefined)) return;
    const dir = path.resolve(model.dir);
    let name = this.names.get(dir);
    if (name === undefined) {
      name = (await this.registry.list()).find((e) => samePath(e.dir, dir))?.name ?? path.basename(dir);
      this.names.set(dir, name);
    }
    const key = `${name}\n${model.encoderSha256}`;
    if (this.timed.has(key)) return;
    const { complete } = await this.speeds.record(name, model.encoderSha256, times);
    if (complete) this.timed.add(key);
  }

  private installed(e: ModelEntry, speed: SpeedView, sha?: string): InstalledModel {
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
      speed: speed.figuresFor(e.name, sha),
    };
  }

  async list(options: { rerunBenchmark?: boolean } = {}): Promise<ModelList> {
    this.torch ??= hasTorch();
    await Promise.all(this.recording);
    const [entries, { machine, problem }, data, torch] = await Promise.all([
      this.registry.list(),
      this.machine(options.rerunBenchmark),
      this.speeds.read(),
      this.torch,
    ]);
    const speed = speedView(CATALOG, data, machine, BUILTIN_NAME);
    const names = new Set(entries.map((e) => e.name));
    const shas = await Promise.all(
      entries.map((e) => (speed.hasTimes(e.name) ? this.encoderSha(e) : undefined)),
    );
    return {
      installed: entries.map((e, i) => this.installed(e, speed, shas[i])),
      catalog: CATALOG.filter((e) => !names.has(e.name)).map((e) => catalogModel(e, speed)),
      install: this.install?.status ?? null,
      machine: machine && {
        encoderGmacPerSecond: machine.encoderGmacPerSecond,
        decoderGmacPerSecond: machine.decoderGmacPerSecond,
        measuredAt: machine.measuredAt,
      },
      speedProblem: problem,
      recommendations: recommendations(speed, names, torch),
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
    const speed = speedView(CATALOG, await this.speeds.read(), null);
    return this.installed(entry, speed);
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
    install.done = this.runInstall(plan, install, 'catalogName' in request && !!request.use);
    this.emit(true);
    return status;
  }

  /** `use`: switch the app to the model once installed (its status says so, or why it could not). */
  private async runInstall(plan: InstallPlan, install: RunningInstall, use: boolean): Promise<void> {
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
      let note = entry.isDefault ? '; it is now the default model' : '';
      if (use) {
        note = await this.use(entry.name).then(
          () => '; the app now uses it',
          (error: unknown) => `; it could not be used: ${describeError(error)}`,
        );
      }
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
