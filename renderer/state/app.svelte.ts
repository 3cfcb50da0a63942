/**
 * App-level state: the backend connection, the open project, the model, backend events (embedding states,
 * progress, inference crashes), dialogs and messages. Components read it through `getApp()`.
 */
import type {
  AnnotationStatus,
  AppEvent,
  AppInfo,
  EmbeddingState,
  ModelStatus,
  ProjectSummary,
  SkippedFile,
} from '../../electron/ipc/contract.ts';
import { SvelteMap } from 'svelte/reactivity';
import type { Backend } from '../api/backend.ts';
import { type AnnotateFocus, type AppHost, type AppMode, describe } from './appHost.ts';
import { AutoPassState } from './autoPass.svelte.ts';
import { ModelsState } from './models.svelte.ts';
import type { ReviewState } from './review.svelte.ts';
import type { StatsState } from './stats.svelte.ts';

// Re-exported for the modules that imported them from here (state/models.svelte.ts among them).
export { type AnnotateFocus, type AppMode, describe };

export type StartAction = 'open' | 'new' | 'importCoco' | null;

export interface Message {
  readonly id: number;
  readonly kind: 'info' | 'error';
  readonly text: string;
}

export class AppState implements AppHost {
  info: AppInfo | null = $state.raw(null);
  project: ProjectSummary | null = $state.raw(null);
  recent: readonly string[] = $state.raw([]);
  model: ModelStatus | null = $state.raw(null);
  modelLoading = $state(true);
  modelError: string | null = $state(null);
  /** What the app is doing that the user waits for ("Creating the project…"), or null. */
  busy: string | null = $state(null);
  progress: { task: string; done: number; total: number } | null = $state.raw(null);
  /** Embedding state per image id (backend events; the status bar and the list show it). */
  readonly embedding = new SvelteMap<number, EmbeddingState>();
  readonly embeddingErrors = new SvelteMap<number, string>();
  crash: string | null = $state(null);
  messages: readonly Message[] = $state.raw([]);
  shortcutsOpen = $state(false);
  exportOpen = $state(false);
  /** The Models panel (components/models/ModelsDialog.svelte), open over any view. */
  modelOpen = $state(false);
  startAction: StartAction = $state(null);
  /** Shown instead of the workspace even with a project open (File ▸ Open …). */
  showStart = $state(false);
  mode: AppMode = $state('annotate');
  /** Set by review mode's E; the annotator opens it and clears it. */
  annotateFocus: AnnotateFocus | null = $state.raw(null);
  /** Review mode's and the statistics' state, kept across mode switches (made by their views; per project). */
  reviewState: ReviewState | null = null;
  statsState: StatsState | null = null;
  /** The project's automatic pass: status from events, the dialog, start / cancel / resume. */
  readonly autoPass: AutoPassState = new AutoPassState(this);
  /** The machine's models, the catalog and the running install (the Models panel). */
  readonly models: ModelsState = new ModelsState(this);

  private nextMessage = 1;
  /**
   * Changes with each project opened in this tab: image URLs carry it, so an image id of the new project never
   * hits the picture cached for the same id of the last one (issue 17).
   */
  private imageGeneration = $state(Date.now().toString(36));
  private readonly unsubscribe: () => void;

  constructor(readonly backend: Backend) {
    this.unsubscribe = backend.onEvent((event) => this.onEvent(event));
  }

  get api() {
    return this.backend.api;
  }

  /** The open project's image `id` (full size); see `imageGeneration`. */
  imageUrl(id: number): string {
    return withGeneration(this.backend.imageUrl(id), this.imageGeneration);
  }

  thumbUrl(id: number): string {
    return withGeneration(this.backend.thumbUrl(id), this.imageGeneration);
  }

  async init(): Promise<void> {
    try {
      const [info, project, recent] = await Promise.all([
        this.api.appInfo(),
        this.api.currentProject(),
        this.api.recentProjects(),
      ]);
      this.info = info;
      this.project = project;
      this.recent = recent;
      if (project) void this.autoPass.refresh();
    } catch (error) {
      this.say('error', describe(error));
    }
    void this.loadModelStatus();
  }

  /** `quiet`: keep showing the current model while asking (a switch another window made). */
  async loadModelStatus(quiet = false): Promise<void> {
    if (!quiet) this.modelLoading = true;
    try {
      this.model = await this.api.modelStatus();
      this.modelError = null;
    } catch (error) {
      this.model = null;
      this.modelError = describe(error);
    } finally {
      this.modelLoading = false;
    }
  }

  /** The backend runs another model now (`useModel`): embeddings of the old one no longer count. */
  adoptModel(status: ModelStatus): void {
    this.model = status;
    this.modelError = null;
    this.modelLoading = false;
    this.embedding.clear();
    this.embeddingErrors.clear();
  }

  private onEvent(event: AppEvent): void {
    if (event.type === 'embedding') {
      this.embedding.set(event.imageId, event.state);
      if (event.error) this.embeddingErrors.set(event.imageId, event.error);
    } else if (event.type === 'progress') {
      this.progress = event.done >= event.total ? null : event;
    } else if (event.type === 'auto-batch') {
      this.autoPass.update(event.status, event.imageId);
    } else if (event.type === 'model-install') {
      this.models.update(event.status);
    } else if (event.type === 'model-changed') {
      this.embedding.clear();
      this.embeddingErrors.clear();
      void this.loadModelStatus(true);
      if (this.modelOpen) void this.models.refresh();
    } else if (event.type === 'inference-crash') {
      this.crash = event.message;
      this.say('error', `The model process stopped: ${event.message}. It restarts on the next click.`);
    }
  }

  setEmbedding(imageId: number, state: EmbeddingState): void {
    this.embedding.set(imageId, state);
  }

  say(kind: Message['kind'], text: string): void {
    const message = { id: this.nextMessage++, kind, text };
    this.messages = [...this.messages.slice(-3), message];
    if (kind === 'info') setTimeout(() => this.dismiss(message.id), 6000);
  }

  dismiss(id: number): void {
    this.messages = this.messages.filter((m) => m.id !== id);
  }

  /** Run a backend task with a busy note; errors become messages. Returns undefined on failure. */
  async task<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
    this.busy = label;
    try {
      return await fn();
    } catch (error) {
      this.say('error', describe(error));
      return undefined;
    } finally {
      this.busy = null;
      this.progress = null;
    }
  }

  private adopt(project: ProjectSummary | undefined, mode: AppMode = 'annotate'): boolean {
    if (!project) return false;
    this.imageGeneration = `${Date.now().toString(36)}-${this.nextMessage++}`;
    // The last project's errors are about it, not the new one (issue 17).
    this.messages = this.messages.filter((m) => m.kind !== 'error');
    this.project = project;
    this.mode = mode;
    this.reviewState = null;
    this.statsState = null;
    this.showStart = false;
    this.startAction = null;
    this.annotateFocus = null;
    this.embedding.clear();
    this.embeddingErrors.clear();
    this.autoPass.reset();
    void this.autoPass.refresh();
    void this.api.recentProjects().then((r) => (this.recent = r));
    return true;
  }

  openProject(file: string): Promise<boolean> {
    return this.task('Opening the project…', () => this.api.openProject(file)).then((p) => this.adopt(p));
  }

  async createProject(file: string, imagesDir: string): Promise<boolean> {
    const project = await this.task('Adding the images…', () =>
      this.api.createProject(file, imagesDir || undefined),
    );
    if (!this.adopt(project)) return false;
    // Files the folder had but the project could not add are named, with the reason (issue 17).
    const skipped = project!.skippedFiles ?? [];
    if (skipped.length > 0) this.say('error', skippedMessage(skipped));
    return true;
  }

  createSample(): Promise<boolean> {
    return this.task('Making the sample project…', () => this.api.createSampleProject()).then((p) =>
      this.adopt(p),
    );
  }

  /**
   * Import a COCO file into a new project (created next to it unless a file is given). `status` 'draft' makes
   * every mask wait for review; the project then opens in review mode.
   */
  async importCoco(
    json: string,
    projectFile: string,
    imagesRoot: string,
    status: AnnotationStatus = 'accepted',
  ): Promise<boolean> {
    const created = await this.task('Creating the project…', () => this.api.createProject(projectFile));
    if (!created) return false;
    const report = await this.task('Importing COCO…', () =>
      this.api.importCoco(json, imagesRoot || undefined, status),
    );
    if (report) this.say('info', report.message);
    const project = await this.api.currentProject();
    return this.adopt(project ?? created, report && status === 'draft' ? 'review' : 'annotate');
  }

  async refreshProject(): Promise<void> {
    this.project = await this.api.currentProject();
  }

  destroy(): void {
    this.unsubscribe();
  }
}

function withGeneration(url: string, generation: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}v=${generation}`;
}

/** "2 files were not added: a.jpg (not an image); b.png (truncated)". */
function skippedMessage(skipped: readonly SkippedFile[]): string {
  const list = skipped.map((f) => `${f.file} (${f.reason})`).join('; ');
  return `${skipped.length} ${skipped.length === 1 ? 'file was' : 'files were'} not added: ${list}`;
}
