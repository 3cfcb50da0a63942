/**
 * The Models panel's state (issue 6): the machine's models and the download catalog (`listModels`), the
 * running install (from 'model-install' events), and the actions — use, add a folder, remove, install, cancel —
 * each a backend call. App-level: an install goes on while the panel is closed.
 */
import type {
  AppInfo,
  ModelInstallRequest,
  ModelInstallStatus,
  ModelList,
  ModelStatus,
} from '../../electron/ipc/contract.ts';
import { type AppHost, describe } from './appHost.ts';

/** What the Models panel needs of the app: a narrow host, so this file does not import app.svelte.ts. */
export interface ModelsHost extends Pick<AppHost, 'api' | 'say'> {
  readonly info: AppInfo | null;
  modelLoading: boolean;
  adoptModel(status: ModelStatus): void;
  loadModelStatus(quiet?: boolean): Promise<void>;
}

/** How far an install got: its status never goes back. */
const STAGE: Record<ModelInstallStatus['state'], number> = {
  running: 0,
  cancelling: 1,
  finished: 2,
  failed: 2,
  cancelled: 2,
};

/** Whether `a` may replace `b` as what is shown: a later install, or a later state of the same one. */
function newer(a: ModelInstallStatus, b: ModelInstallStatus | null): boolean {
  return !b || a.id > b.id || (a.id === b.id && STAGE[a.state] > STAGE[b.state]);
}

export class ModelsState {
  list: ModelList | null = $state.raw(null);
  install: ModelInstallStatus | null = $state.raw(null);
  /** What is being done now ('use:NAME', 'remove:NAME', 'add', 'install', 'measure'), to disable its button. */
  pending: string | null = $state(null);
  error: string | null = $state(null);
  /** One line about the last action that worked. */
  info: string | null = $state(null);

  constructor(private readonly app: ModelsHost) {}

  /**
   * Installs from URLs and adding model folders: off on a server started without --allow-model-install (issue
   * 18), so the panel says so instead of failing on submit. Catalog installs are always allowed.
   */
  get installAllowed(): boolean {
    return this.app.info?.allowModelInstall ?? true;
  }

  get installing(): boolean {
    return this.install?.state === 'running' || this.install?.state === 'cancelling';
  }

  async refresh(): Promise<void> {
    try {
      const list = await this.app.api.listModels();
      this.list = list;
      if (list.install && newer(list.install, this.install)) this.install = list.install;
    } catch (error) {
      this.error = describe(error);
    }
  }

  /**
   * A 'model-install' event or a reply, which may arrive in either order: an earlier install's status, or a
   * state before the one shown (a reply saying 'cancelling' after the event saying 'cancelled'), is ignored.
   */
  update(status: ModelInstallStatus): void {
    const shown = this.install;
    if (shown && !newer(status, shown) && !(status.id === shown.id && status.state === shown.state)) return;
    const final = STAGE[status.state] === 2;
    const seen = shown?.id === status.id && STAGE[shown.state] === 2;
    this.install = status;
    if (final && !seen) {
      if (status.state === 'failed') this.app.say('error', `Install failed: ${status.message}`);
      else if (status.message) this.app.say('info', status.message);
      void this.refresh();
    }
  }

  private async act(pending: string, fn: () => Promise<string | null>): Promise<boolean> {
    this.pending = pending;
    this.error = null;
    this.info = null;
    try {
      this.info = await fn();
      return true;
    } catch (error) {
      this.error = describe(error);
      return false;
    } finally {
      this.pending = null;
      await this.refresh();
    }
  }

  use(name: string): Promise<boolean> {
    return this.act(`use:${name}`, async () => {
      this.app.modelLoading = true;
      try {
        this.app.adoptModel(await this.app.api.useModel(name));
      } catch (error) {
        await this.app.loadModelStatus();
        throw error;
      }
      return `Now using ${name}, the default model from now on.`;
    });
  }

  addFolder(dir: string, copy: boolean): Promise<boolean> {
    return this.act('add', async () => {
      const entry = await this.app.api.addModelFolder({ dir, copy });
      return `${copy ? 'copied' : 'added'} ${entry.name}${entry.problem ? `, but it cannot be used: ${entry.problem}` : ''}`;
    });
  }

  remove(name: string): Promise<boolean> {
    return this.act(`remove:${name}`, async () => (await this.app.api.removeModel(name)).message);
  }

  start(request: ModelInstallRequest): Promise<boolean> {
    return this.act('install', async () => {
      const status = await this.app.api.installModel(request);
      // Its events may have come first: then they are newer than this first status.
      if (this.install?.id !== status.id) this.update(status);
      return null;
    });
  }

  /** Run the speed benchmark again (issue 15), e.g. after the computer was busy the first time. */
  measureAgain(): Promise<boolean> {
    return this.act('measure', async () => {
      this.list = await this.app.api.measureModelSpeed();
      return 'Measured the speed of this computer again.';
    });
  }

  async cancel(): Promise<void> {
    try {
      const status = await this.app.api.cancelModelInstall();
      if (status) this.update(status);
    } catch (error) {
      this.error = describe(error);
    }
  }
}
