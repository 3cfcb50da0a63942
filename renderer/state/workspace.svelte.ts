/**
 * The annotation workspace: ties the image list to the annotator. Opening an image shows it at once, loads its
 * annotations, asks the backend to encode it now (interactive priority) and the next few in the background, and
 * keeps the list's counts and statuses in step with what the annotator stores.
 */
import type { ImageItem } from '../../electron/ipc/contract.ts';
import { AnnotatorState } from './annotator.svelte.ts';
import { type AppState, describe } from './app.svelte.ts';
import { ImagesState } from './images.svelte.ts';

export class Workspace {
  readonly images: ImagesState;
  readonly annotator: AnnotatorState;
  /** The photo is loading (the canvas shows a note). */
  imageLoading = $state(false);
  imageError: string | null = $state(null);
  private openSerial = 0;
  /** The image whose masks the document holds (null while they load, or for a missing file). */
  private annotationsLoadedFor: number | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private listReload: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly app: AppState) {
    const api = app.api;
    this.images = new ImagesState(api, (error) => app.say('error', describe(error)));
    this.annotator = new AnnotatorState({
      backend: api,
      maskInput: app.model?.capabilities.maskInput ?? true,
      mac: typeof navigator !== 'undefined' && /Mac/.test(navigator.platform),
      hooks: {
        nextImage: () => void this.step(1),
        previousImage: () => void this.step(-1),
        markDoneAndNext: () => void this.markDoneAndNext(),
        toggleShortcuts: () => (app.shortcutsOpen = !app.shortcutsOpen),
        openExport: () => (app.exportOpen = true),
        openStart: (action) => {
          app.startAction = action;
          app.showStart = true;
        },
        openAutoPass: () => (app.autoPass.open = true),
        openModels: () => (app.modelOpen = true),
      },
    });
    // The project remembers what Find objects and passes last used (issue 17).
    const remembered = app.project?.auto?.params;
    if (remembered && Object.keys(remembered).length) app.autoPass.params = { ...remembered };
    // The popover and the pass dialog share their parameters; the dialog offers this image and the listed ones.
    this.annotator.core.auto.setParams(app.autoPass.params);
    app.autoPass.selection = () => ({
      current: this.images.current,
      listed: {
        ...(this.images.filter !== 'all' ? { status: this.images.filter } : {}),
        ...(this.images.search.trim() ? { search: this.images.search.trim() } : {}),
      },
      listedCount: this.images.total,
    });
    // Keep the list row of the current image in step (count, todo → in progress).
    this.unsubscribe.push(
      app.autoPass.onImageDone((imageId) => this.autoImageDone(imageId)),
      app.autoPass.onEnd(() => this.scheduleListReload(0)),
    );
    const offDocument = this.annotator.core.on('document', () => {
      const doc = this.annotator.core.doc;
      const current = this.images.current;
      // Until its masks are loaded (never, for a missing file) the document is empty: that is not "0 masks".
      if (!current || current.id !== doc.image.id || this.annotationsLoadedFor !== current.id) return;
      const count = doc.annotations.length;
      if (count !== current.annotationCount)
        this.images.patch(current.id, {
          annotationCount: count,
          ...(count > 0 && current.status === 'todo' ? { status: 'in-progress' as const } : {}),
        });
    });
    this.unsubscribe.push(offDocument);
  }

  /** An automatic pass finished an image: show its masks if it is on screen; refresh the list's counts soon. */
  private async autoImageDone(imageId: number): Promise<void> {
    this.scheduleListReload(600);
    if (this.images.currentId !== imageId) return;
    const serial = this.openSerial;
    try {
      const annotations = await this.app.api.listAnnotations(imageId);
      if (serial === this.openSerial) this.annotator.core.replaceAnnotations(annotations);
    } catch (error) {
      this.app.say('error', describe(error));
    }
  }

  private scheduleListReload(ms: number): void {
    clearTimeout(this.listReload);
    this.listReload = setTimeout(() => void this.images.reload(), ms);
  }

  async start(): Promise<void> {
    await Promise.all([this.images.reload(), this.loadCategories()]);
    // Review mode's "fix it in the annotator" (E): that image, with that mask selected.
    const focus = this.app.annotateFocus;
    if (focus) {
      this.app.annotateFocus = null;
      await this.open(focus.image, focus.annotationId);
      this.app.say(
        'info',
        `Mask #${focus.annotationId} is selected: the brush (B) and eraser (E) edit it. Review returns to the queue.`,
      );
      return;
    }
    // The image this project showed last (a reload, issue 17), else the first not done.
    const lastId = lastImageOf(this.app.project?.file);
    const first =
      this.images.items.find((i) => i.id === lastId) ??
      this.images.items.find((i) => i.status === 'todo' || i.status === 'in-progress') ??
      this.images.items[0];
    if (first) await this.open(first);
  }

  async loadCategories(): Promise<void> {
    try {
      this.annotator.core.setCategories(await this.app.api.listCategories());
    } catch (error) {
      this.app.say('error', describe(error));
    }
  }

  /**
   * Categories were edited (issue 17: rename, recolour, reorder, delete, import): reload them; when masks moved
   * to another category, reload the open image's masks too.
   */
  async categoriesChanged(masksMoved = false): Promise<void> {
    await this.loadCategories();
    const current = this.images.current;
    if (masksMoved && current) await this.autoImageDone(current.id);
  }

  async addCategory(name: string, color: string): Promise<void> {
    try {
      const created = await this.app.api.addCategory({ name, color });
      await this.loadCategories();
      this.annotator.core.categoryId = created.id;
      this.annotator.core.touch('view');
    } catch (error) {
      this.app.say('error', describe(error));
    }
  }

  /** Show an image and load its annotations; `selectId` selects one of them once loaded. */
  async open(item: ImageItem, selectId?: number): Promise<void> {
    const serial = ++this.openSerial;
    const a = this.annotator.core;
    this.images.select(item);
    rememberLastImage(this.app.project?.file, item.id);
    this.imageLoading = true;
    this.imageError = null;
    this.annotationsLoadedFor = null;
    a.openImage({ id: item.id, width: item.width, height: item.height }, []);
    if (item.fileState === 'missing') {
      this.imageError = `${item.relPath} is missing: it was moved or deleted`;
      this.imageLoading = false;
      return;
    }
    const api = this.app.api;
    if (this.app.model) this.prepare();
    try {
      const annotations = await api.listAnnotations(item.id);
      if (serial === this.openSerial) {
        this.annotationsLoadedFor = item.id;
        a.replaceAnnotations(annotations);
        if (selectId !== undefined && annotations.some((m) => m.id === selectId)) a.setSelected(selectId);
      }
    } catch (error) {
      if (serial === this.openSerial) this.app.say('error', describe(error));
    }
  }

  /**
   * Encode the current image now (interactive priority) and the next ones in the background, so the first click
   * is fast. Called on open, and once the model has loaded if it was still loading.
   */
  prepare(): void {
    const item = this.images.current;
    if (!item || item.fileState === 'missing') return;
    const serial = this.openSerial;
    if (this.app.embedding.get(item.id) !== 'ready') this.app.setEmbedding(item.id, 'encoding');
    this.app.api.prepareImage(item.id).then(
      (state) => this.app.setEmbedding(item.id, state),
      (error: unknown) => {
        this.app.setEmbedding(item.id, 'error');
        if (serial === this.openSerial) this.app.say('error', describe(error));
      },
    );
    const next = this.images.nextIds;
    if (next.length) this.app.api.prefetch(next).catch(() => undefined);
  }

  onImageLoaded(imageId: number, error?: string): void {
    if (imageId !== this.images.currentId) return;
    this.imageLoading = false;
    // A missing file keeps its own message ("… is missing: it was moved or deleted"), which says more than the
    // browser's failed load of it.
    if (this.images.current?.fileState === 'missing') return;
    this.imageError = error ?? null;
  }

  async step(delta: 1 | -1): Promise<void> {
    const next = await this.images.step(delta);
    if (next) await this.open(next);
  }

  async markDoneAndNext(): Promise<void> {
    const current = this.images.current;
    if (!current) return;
    try {
      await this.app.api.setImageStatus(current.id, 'done');
      this.images.patch(current.id, { status: 'done' });
    } catch (error) {
      this.app.say('error', describe(error));
      return;
    }
    await this.step(1);
  }

  async setStatus(status: ImageItem['status']): Promise<void> {
    const current = this.images.current;
    if (!current) return;
    try {
      await this.app.api.setImageStatus(current.id, status);
      this.images.patch(current.id, { status });
    } catch (error) {
      this.app.say('error', describe(error));
    }
  }

  destroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.app.autoPass.selection = null;
    clearTimeout(this.listReload);
    this.annotator.destroy();
  }
}

/** The last image shown per project, in this browser profile (localStorage; keyed by the project file). */
const LAST_IMAGE_KEY = 'sam-annotate.lastImage:';

function lastImageOf(projectFile: string | undefined): number | null {
  if (!projectFile) return null;
  try {
    const stored = Number(localStorage.getItem(LAST_IMAGE_KEY + projectFile));
    return Number.isInteger(stored) && stored > 0 ? stored : null;
  } catch {
    return null; // storage disabled: start at the first image
  }
}

function rememberLastImage(projectFile: string | undefined, imageId: number): void {
  if (!projectFile) return;
  try {
    localStorage.setItem(LAST_IMAGE_KEY + projectFile, String(imageId));
  } catch {
    // storage full or disabled: a reload starts at the first image
  }
}
