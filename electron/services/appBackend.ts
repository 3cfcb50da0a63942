/**
 * The backend: the contract (electron/ipc/contract.ts) implemented over the project store and the inference
 * service. Plain Node; serve mode exposes it over HTTP, the Electron app hosts it in a utility process. One
 * project and one model at a time.
 */
import { EventEmitter } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveAmgParams } from '../common/amg/params.ts';
import { UserError, shortenForMessage } from '../common/errors.ts';
import { statsCsv } from '../common/formatStatsCsv.ts';
import { promptOf } from '../common/prompts.ts';
import { addImagesFromFolder } from '../dataset/addImages.ts';
import { exportProject } from '../dataset/exportProject.ts';
import { exportRootNote, importCoco } from '../dataset/importCoco.ts';
import { relinkImages, relinkMessage } from '../dataset/relinkImages.ts';
import {
  type PredictOptions,
  type Prediction,
  SamService,
  type SamServiceOptions,
} from '../inference/samService.ts';
import { FileHashCache } from '../inference/fileHash.ts';
import type { DecodedCandidate } from '../inference/worker/protocol.ts';
import { ModelRegistry } from '../models/registry.ts';
import { writeFileAtomic } from '../node/atomicWrite.ts';
import type {
  AddModelRequest,
  AnnotationItem,
  AnnotationPatch,
  AnnotationStatus,
  AppEvent,
  AppInfo,
  AutoBatchRequest,
  AutoBatchStatus,
  AutoImageRequest,
  AutoImageResult,
  BackendApi,
  CategoryChange,
  CategoryItem,
  DecodeReply,
  DecodeRequest,
  DecodedMask,
  MaskPreview,
  EmbeddingState,
  FindObjectsStats,
  ExportRequest,
  ImagePage,
  ImageQuery,
  ImageStatus,
  InstalledModel,
  ModelInstallRequest,
  ModelInstallStatus,
  ModelList,
  ModelStatus,
  NewAnnotation,
  NewCategory,
  PreviewReply,
  ProjectSummary,
  SkippedFile,
  ReviewFacets,
  ReviewItem,
  ReviewPage,
  ReviewQuery,
  StatsQuery,
  TaskReport,
  TimingStats,
} from '../ipc/contract.ts';
import {
  addAnnotation,
  annotationsOfImage,
  moveAnnotation,
  deleteAnnotation,
  getAnnotation,
  setAnnotationCategory,
  updateAnnotationMask,
} from '../store/annotations.ts';
import {
  addCategory,
  deleteCategory,
  importCategoryNames,
  listCategories,
  reorderCategories,
  updateCategory,
} from '../store/categories.ts';
import { parseLabelList } from '../common/labelList.ts';
import { addImagesMessage, rescanImages, rescanMessage } from '../dataset/projectImages.ts';
import { getImage, queryImages, setImageStatus } from '../store/images.ts';
import { locateImage } from '../store/imagePaths.ts';
import { type Project, appVersion, createProject, openProject, userName } from '../store/projectDb.ts';
import { annotators, reviewQueue, reviewRow } from '../store/reviewQueue.ts';
import { reviewAnnotation } from '../store/reviews.ts';
import { endSession, startSession } from '../store/sessions.ts';
import { statsCsvRows, timingStats } from '../store/timingStats.ts';
import { countAnnotations } from '../store/annotations.ts';
import { RecentProjects } from './recentProjects.ts';
import { SAMPLE_IMAGE_COUNT, sampleImage } from './sampleImages.ts';
import { AutoBatches } from './autoBatch.ts';
import { type ImageResult, computeAmg, computeBoxes, storeImageResult } from './autoMasks.ts';
import {
  autoSettings,
  checkDuplicateIou,
  saveAutoSettings,
  saveSubtractAccepted,
  subtractAccepted,
} from '../store/projectSettings.ts';
import { subtractMasks } from '../common/maskOverlap.ts';
import { rleArea } from '../common/rle.ts';
import { ModelManager } from './modelManager.ts';
import { checkWritable } from './writeGuard.ts';
import { annotationItem, categoryItem, imageItem, reviewItem } from './toContract.ts';

/** Open a project; a missing one is explained in the app's words, not the CLI's command (issue 17). */
function openInApp(file: string): Project {
  try {
    return openProject(file);
  } catch (error) {
    if (!(error instanceof UserError) || !/no such project/.test(error.message)) throw error;
    throw new UserError(`${file}: no such project (create one with New project on the start screen)`);
  }
}

/** "0 objects found …": what each filter dropped, for the user to loosen the right one (issue 17). */
function findNothingMessage(s: FindObjectsStats): string {
  const t = s.thresholds;
  return (
    `0 objects found with the current thresholds (${s.belowPredictedIou} of ${s.candidates} candidates below ` +
    `predicted IoU ${t.predictedIou}; ${s.belowStability} below stability ${t.stability}; ` +
    `${s.overlapping} overlapping others; ${s.duplicatesOfAccepted} duplicates of accepted masks (IoU > ${t.duplicateIou}))`
  );
}

export interface AppBackendOptions {
  readonly mode: AppInfo['mode'];
  /** The app's data folder (recent projects, sample project). */
  readonly dataDir: string;
  /** Model folder to load at start; undefined = none (the UI says so). */
  readonly modelDir?: string;
  readonly inference?: Omit<SamServiceOptions, 'onEvent'>;
  /** The models of this machine (the Models panel); default: the registry in `dataDir`. */
  readonly registry?: ModelRegistry;
  /** What clients may make the server do (serve mode, issue 18); unset = no limits (the desktop app, tests). */
  readonly limits?: ServeLimits;
}

/** `sam-annotate serve`'s limits on what a client (a browser page) can make the server do (issue 18). */
export interface ServeLimits {
  /** Install models from URLs and register server folders (--allow-model-install); catalog installs always. */
  readonly allowModelInstall: boolean;
  /** Folders a client may write in, besides the data folder and the open project's folder. */
  readonly writeRoots: readonly string[];
}

const INSTALL_FLAG_HINT = 'start it with sam-annotate serve --allow-model-install to allow it';

interface OpenProject {
  readonly project: Project;
  readonly sessionId: number;
  /** Image file → id, for embedding events. */
  readonly idsByFile: Map<string, number>;
  /** Automatic passes of this project. */
  readonly auto: AutoBatches;
}

/** Low-res logits of recent decodes per lane, for `maskInputRef` refinement and `decodedMask`. */
const KEPT_DECODES = 64;

interface KeptDecode {
  readonly file: string;
  readonly size: { width: number; height: number };
  readonly candidates: readonly DecodedCandidate[];
}

export class AppBackend implements BackendApi {
  private open: OpenProject | undefined;
  private readonly sam: SamService;
  private modelLoad: Promise<void> | undefined;
  private modelError: string | undefined;
  /** The folder of the model loaded (or loading) now. */
  private modelDir: string | undefined;
  private readonly models: ModelManager;
  private readonly recents: RecentProjects;
  private readonly events = new EventEmitter();
  /** Recent decodes by lane, then by decode id. */
  private readonly decodes = new Map<string, Map<string, KeptDecode>>();
  private nextDecode = 1;
  private readonly author = userName();
  /** The Find objects running now (cancelAutoMaskImage). */
  private findAbort: AbortController | undefined;

  constructor(private readonly options: AppBackendOptions) {
    this.recents = new RecentProjects(path.join(options.dataDir, 'recent-projects.json'));
    this.sam = new SamService({
      ...options.inference,
      onEvent: (event) => {
        if (event.type === 'worker-crash') this.emit({ type: 'inference-crash', message: event.message });
        if (event.type !== 'embedding') return;
        const imageId = this.open?.idsByFile.get(event.file);
        if (imageId !== undefined)
          this.emit({ type: 'embedding', imageId, state: event.state, error: event.error });
      },
    });
    const registry =
      options.registry ?? new ModelRegistry(options.dataDir, new FileHashCache(options.inference?.hashStore));
    this.models = new ModelManager(registry, {
      loadedDir: () => this.modelDir,
      loadModel: (dir) => this.loadModel(dir),
      switchBlocker: () => {
        const pass = this.open?.auto.status();
        return pass?.state === 'running' || pass?.state === 'cancelling'
          ? 'an automatic pass is running: wait for it or cancel it before switching models'
          : undefined;
      },
      emit: (event) => this.emit(event),
      inference: options.inference,
    });
    if (options.modelDir) this.loadModel(options.modelDir);
  }

  /** Load (or switch) the model in the background; `modelStatus` reports it once loaded. */
  loadModel(dir: string): Promise<void> {
    this.modelError = undefined;
    this.modelDir = path.resolve(dir);
    // Low-res logits of the previous model cannot refine masks of this one.
    this.decodes.clear();
    this.modelLoad = this.sam.loadModel(dir).then(
      () => undefined,
      (error: Error) => {
        this.modelError = error.message;
        throw error;
      },
    );
    this.modelLoad.catch(() => undefined);
    return this.modelLoad;
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  private emit(event: AppEvent): void {
    this.events.emit('event', event);
  }

  async close(): Promise<void> {
    await this.models.close();
    this.closeProject();
    await this.sam.close();
  }

  // — project —

  appInfo(): AppInfo {
    return {
      version: appVersion(),
      mode: this.options.mode,
      sampleProjectPath: this.samplePath(),
      allowModelInstall: this.options.limits?.allowModelInstall ?? true,
    };
  }

  /** Refuses a path a client named for writing outside the allowed folders (serve mode; writeGuard.ts). */
  private checkWrite(target: string): void {
    const limits = this.options.limits;
    if (!limits) return;
    const roots = [this.options.dataDir, ...(this.open ? [this.open.project.dir] : []), ...limits.writeRoots];
    checkWritable(target, roots);
  }

  private checkInstallAllowed(what: string): void {
    if (this.options.limits && !this.options.limits.allowModelInstall)
      throw new UserError(`${what} is turned off on this server: ${INSTALL_FLAG_HINT}`);
  }

  recentProjects(): Promise<string[]> {
    return this.recents.list();
  }

  currentProject(): ProjectSummary | null {
    return this.open ? this.summary(this.open.project) : null;
  }

  async openProject(file: string): Promise<ProjectSummary> {
    // Opening writes too: the lock note beside the file, the journal, a backup before a migration.
    this.checkWrite(file);
    return this.adopt(openInApp(file));
  }

  async createProject(file: string, imagesDir?: string): Promise<ProjectSummary> {
    this.checkWrite(file);
    const project = createProject(file);
    let skippedFiles: SkippedFile[] = [];
    try {
      if (imagesDir) {
        const report = await addImagesFromFolder(project, imagesDir, (done, total) =>
          this.emit({ type: 'progress', task: 'adding images', done, total }),
        );
        if (report.added.length === 0 && report.alreadyInProject === 0) {
          throw new UserError(`${imagesDir}: no readable images found`);
        }
        skippedFiles = report.unreadable.map(({ file, reason }) => ({
          file: path.relative(imagesDir, file),
          reason,
        }));
      }
    } catch (error) {
      project.close();
      throw error;
    }
    const summary = await this.adopt(project);
    return skippedFiles.length > 0 ? { ...summary, skippedFiles } : summary;
  }

  async createSampleProject(): Promise<ProjectSummary> {
    const file = this.samplePath();
    const dir = path.dirname(file);
    const images = path.join(dir, 'images');
    await mkdir(images, { recursive: true });
    for (let i = 0; i < SAMPLE_IMAGE_COUNT; i++) {
      await writeFile(
        path.join(images, `sample-${String(i + 1).padStart(2, '0')}.png`),
        await sampleImage(i),
      );
    }
    try {
      return await this.openProject(file);
    } catch (error) {
      if (!(error instanceof UserError) || !/no such project/.test(error.message)) throw error;
      return this.createProject(file, images);
    }
  }

  closeProject(): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    open.auto.close();
    this.sam.cancelPrefetch();
    try {
      endSession(open.project.db, open.sessionId);
    } finally {
      open.project.close();
    }
  }

  private samplePath(): string {
    return path.join(this.options.dataDir, 'sample-project', 'sample.samproj');
  }

  private async adopt(project: Project): Promise<ProjectSummary> {
    this.closeProject();
    const sessionId = startSession(project.db, {
      annotator: this.author,
      appVersion: appVersion(),
      modelId: this.sam.modelInfo?.name,
    });
    const auto = new AutoBatches({
      project,
      service: this.sam,
      author: this.author,
      sessionId,
      imageFile: (id) => this.imageFile(id),
      emit: (event) => this.emit(event),
    });
    this.open = { project, sessionId, idsByFile: new Map(), auto };
    await this.recents.add(project.file);
    // A pass the last process did not finish (it was closed or killed): the app offers to resume it.
    const pass = auto.status();
    if (pass?.state === 'interrupted') this.emit({ type: 'auto-batch', status: pass });
    return this.summary(project);
  }

  private summary(project: Project): ProjectSummary {
    return {
      file: project.file,
      name: path.basename(project.file, path.extname(project.file)),
      imageCount: queryImages(project.reader, { offset: 0, limit: 0 }).total,
      annotationCount: countAnnotations(project.reader),
      readOnly: false,
      auto: autoSettings(project.reader),
      subtractAccepted: subtractAccepted(project.reader),
    };
  }

  private project(): Project {
    if (!this.open) throw new UserError('no project is open');
    return this.open.project;
  }

  // — images and categories —

  listImages(query: ImageQuery): ImagePage {
    const { rows, total } = queryImages(this.project().reader, query);
    return { items: rows.map(imageItem), total };
  }

  setImageStatus(imageId: number, status: ImageStatus): void {
    setImageStatus(this.project().db, imageId, status);
  }

  async relinkImages(folder: string): Promise<TaskReport> {
    const report = await relinkImages(this.project(), folder, (done, total) =>
      this.emit({ type: 'progress', task: 'relinking images', done, total }),
    );
    return { message: relinkMessage(report) };
  }

  /** The image's file on disk (wherever the project folder moved), for display and inference. */
  imageFile(imageId: number): string {
    const project = this.project();
    const row = getImage(project.reader, imageId);
    if (!row) throw new UserError(`no image with id ${imageId}`);
    const file = locateImage(project.dir, row);
    if (!file) throw new UserError(`image ${row.relPath} is missing (moved or deleted)`);
    this.open!.idsByFile.set(path.resolve(file), imageId);
    return file;
  }

  listCategories(): CategoryItem[] {
    return listCategories(this.project().reader).map(categoryItem);
  }

  addCategory(category: NewCategory): CategoryItem {
    return categoryItem(
      addCategory(this.project().db, { ...category, supercategory: category.supercategory ?? undefined }),
    );
  }

  updateCategory(id: number, patch: Partial<NewCategory>): CategoryItem {
    return categoryItem(
      updateCategory(this.project().db, id, { ...patch, supercategory: patch.supercategory ?? undefined }),
    );
  }

  // — annotations —

  listAnnotations(imageId: number): AnnotationItem[] {
    return annotationsOfImage(this.project().reader, imageId).map(annotationItem);
  }

  addAnnotation(a: NewAnnotation): AnnotationItem {
    const project = this.project();
    const id = addAnnotation(project.db, {
      imageId: a.imageId,
      categoryId: a.categoryId,
      mask: this.withoutAccepted(a),
      source: a.source,
      modelId: this.sam.modelInfo?.name ?? null,
      prompts: a.prompts ? { points: [...a.prompts.points], box: a.prompts.box } : null,
      predictedIou: a.predictedIou,
      stabilityScore: a.stabilityScore,
      status: a.status,
      author: this.author,
      sessionId: this.open!.sessionId,
      timing: a.timing,
    });
    const image = getImage(project.reader, a.imageId);
    if (image?.status === 'todo') setImageStatus(project.db, a.imageId, 'in-progress');
    return annotationItem(getAnnotation(project.reader, id)!);
  }

  /** Overlap control (issue 17): an accepted mask minus the image's accepted masks, when the project says so. */
  private withoutAccepted(a: NewAnnotation): NewAnnotation['rle'] {
    const reader = this.project().reader;
    if (!a.rle || a.status !== 'accepted' || !subtractAccepted(reader)) return a.rle;
    const accepted = annotationsOfImage(reader, a.imageId)
      .filter((m) => m.status === 'accepted' && m.rle)
      .map((m) => m.rle!);
    const rle = subtractMasks(a.rle, accepted);
    if (rleArea(rle) === 0)
      throw new UserError('the new mask lies entirely under accepted masks (overlap control is on)');
    return rle;
  }

  updateAnnotation(id: number, patch: AnnotationPatch): AnnotationItem {
    const db = this.project().db;
    db.transaction(() => {
      if (patch.categoryId !== undefined) setAnnotationCategory(db, id, patch.categoryId, this.author);
      if (patch.rle)
        updateAnnotationMask(db, id, { mask: patch.rle, author: this.author, timing: patch.timing });
      if (patch.status)
        reviewAnnotation(db, {
          annotationId: id,
          reviewer: this.author,
          toStatus: patch.status,
          sessionId: this.open!.sessionId,
          place: 'annotator',
        });
    })();
    return annotationItem(getAnnotation(db, id)!);
  }

  deleteAnnotation(id: number): void {
    deleteAnnotation(this.project().db, id);
  }

  restoreAnnotation(a: AnnotationItem): AnnotationItem {
    const project = this.project();
    return annotationItem(getAnnotation(project.reader, this.insertItem(a))!);
  }

  private insertItem(a: AnnotationItem): number {
    const project = this.project();
    return addAnnotation(project.db, {
      imageId: a.imageId,
      categoryId: a.categoryId,
      mask: a.rle,
      box: a.rle ? undefined : [...a.bbox],
      source: a.source,
      stage: a.stage,
      modelId: a.modelId,
      prompts: a.prompts ? { points: [...a.prompts.points], box: a.prompts.box } : null,
      predictedIou: a.predictedIou,
      stabilityScore: a.stabilityScore,
      cropBox: a.cropBox ? [...a.cropBox] : null,
      status: a.status,
      author: a.createdBy,
      sessionId: this.open!.sessionId,
      timing: a.timing,
      at: a.createdAt,
    });
  }

  setAnnotationStatuses(
    ids: readonly number[],
    status: AnnotationStatus,
    comment?: string,
    category?: CategoryChange | null,
  ): AnnotationItem[] {
    const project = this.project();
    return project.db.transaction(() =>
      ids.map((id) => {
        this.changeCategory(id, category);
        reviewAnnotation(project.db, {
          annotationId: id,
          reviewer: this.author,
          toStatus: status,
          comment: comment ?? undefined,
          sessionId: this.open!.sessionId,
          place: 'annotator',
        });
        return annotationItem(getAnnotation(project.reader, id)!);
      }),
    )();
  }

  /** What a decision does to the mask's category (issue 17; contract `CategoryChange`). */
  private changeCategory(id: number, change: CategoryChange | null | undefined): void {
    if (!change) return;
    const db = this.project().db;
    const current = getAnnotation(db, id);
    if (!current) throw new UserError(`no annotation with id ${id}`);
    if ('takeBack' in change) {
      setAnnotationCategory(db, id, null, this.author);
      return;
    }
    if (!listCategories(db).some((c) => c.id === change.give))
      throw new UserError(`no category with id ${change.give}`);
    if (current.categoryId === null) setAnnotationCategory(db, id, change.give, this.author);
  }

  swapAnnotations(removeIds: readonly number[], restore: readonly AnnotationItem[]): AnnotationItem[] {
    const project = this.project();
    return project.db.transaction(() => {
      for (const id of removeIds) deleteAnnotation(project.db, id);
      return restore.map((a) => annotationItem(getAnnotation(project.reader, this.insertItem(a))!));
    })();
  }

  // — inference —

  async modelStatus(): Promise<ModelStatus | null> {
    await this.modelLoad?.catch(() => undefined);
    const info = this.sam.modelInfo;
    if (!info) {
      if (this.modelError) throw new UserError(`the model could not be loaded: ${this.modelError}`);
      return null;
    }
    return {
      name: info.name,
      dir: info.dir,
      demo: info.demo,
      layout: info.layout,
      inputSize: info.geometry.inputSize,
      encoderProvider: info.encoder.provider,
      decoderProvider: info.decoder.provider,
      fallbacks: [...info.encoder.fallbacks, ...info.decoder.fallbacks]
        .map((f) => `${f.provider}: ${f.reason}`)
        .filter((f, i, all) => all.indexOf(f) === i),
      capabilities: info.capabilities,
    };
  }

  private async requireModel(): Promise<void> {
    if (!this.modelLoad)
      throw new UserError('no model is installed: see "Getting real SAM models" in the README');
    await this.modelLoad;
  }

  async prepareImage(imageId: number): Promise<EmbeddingState> {
    await this.requireModel();
    const { encodeMs } = await this.sam.embed(this.imageFile(imageId), 'interactive');
    void this.models.recordTimes(this.sam.modelInfo, { encodeMs });
    return 'ready';
  }

  async prefetch(imageIds: readonly number[]): Promise<void> {
    await this.requireModel();
    this.sam.cancelPrefetch();
    const files: string[] = [];
    for (const id of imageIds) {
      try {
        files.push(this.imageFile(id));
      } catch {
        // A missing image is shown as missing in the list; nothing to prefetch.
      }
    }
    this.sam.prefetch(files);
  }

  async decode(request: DecodeRequest): Promise<DecodeReply> {
    const { decodeId, prediction } = await this.runDecode(request, {
      rle: true,
      bitmap: false,
      previewMaxSide: request.previewMaxSide,
    });
    const size: [number, number] = [prediction.image.height, prediction.image.width];
    return {
      decodeId,
      candidates: prediction.candidates.map((c) => ({
        token: c.token,
        predictedIou: c.predictedIou,
        rankScore: c.rankScore,
        stabilityScore: c.stabilityScore,
        area: c.area,
        bbox: c.bbox,
        rle: { size, counts: c.rle! },
        preview: c.preview,
      })),
      timings: this.timingsOf(prediction),
    };
  }

  async previewDecode(request: DecodeRequest): Promise<PreviewReply> {
    const output = {
      rle: false,
      bitmap: false,
      previewMaxSide: request.previewMaxSide ?? 1024,
      previewBestOnly: true,
    };
    const { decodeId, prediction } = await this.runDecode(request, output);
    return {
      decodeId,
      candidates: prediction.candidates.map((c) => ({
        token: c.token,
        predictedIou: c.predictedIou,
        rankScore: c.rankScore,
        preview: c.preview ?? null,
        area: c.area,
      })),
      timings: this.timingsOf(prediction),
    };
  }

  async decodedMask(decodeId: string, candidate: number): Promise<DecodedMask> {
    const { kept, c } = this.keptCandidate(decodeId, candidate);
    const forms = await this.sam.fullMask(kept.file, c.lowRes);
    const { width, height } = kept.size;
    return {
      token: c.token,
      predictedIou: c.predictedIou,
      rankScore: c.rankScore,
      stabilityScore: forms.stabilityScore,
      area: forms.area,
      bbox: forms.bbox,
      rle: { size: [height, width], counts: forms.rle! },
    };
  }

  async decodedPreview(decodeId: string, candidate: number, maxSide: number): Promise<MaskPreview> {
    if (!Number.isInteger(maxSide) || maxSide < 1)
      throw new UserError(`a preview size must be a positive whole number of pixels, not ${String(maxSide)}`);
    const { kept, c } = this.keptCandidate(decodeId, candidate);
    const output = { rle: false, bitmap: false, previewMaxSide: maxSide };
    const forms = await this.sam.fullMask(kept.file, c.lowRes, output);
    return forms.preview!;
  }

  private async runDecode(
    request: DecodeRequest,
    output: PredictOptions['output'],
  ): Promise<{ decodeId: string; prediction: Prediction }> {
    await this.requireModel();
    const file = this.imageFile(request.imageId);
    let maskInput: Float32Array | undefined;
    if (request.maskInputRef) {
      const { decodeId, candidate } = request.maskInputRef;
      maskInput = this.keptDecode(decodeId)?.candidates[candidate]?.lowRes;
      if (!maskInput)
        throw new UserError('the mask to refine is no longer available; click again to start over');
    }
    const prediction = await this.sam.predict(file, promptOf(request, maskInput), {
      multimask: request.multimask,
      lane: request.lane,
      output,
    });
    // Real work times the model on this machine (issue 15: the Models panel's measured speed).
    void this.models.recordTimes(this.sam.modelInfo, {
      encodeMs: prediction.timings.encodeMs,
      clickMs: prediction.timings.decodeMs,
    });
    const decodeId = `d${this.nextDecode++}`;
    // Kept per lane: a stream of hover previews must not evict the decode a click refines from.
    const lane = request.lane ?? '';
    const kept = this.decodes.get(lane) ?? new Map<string, KeptDecode>();
    this.decodes.set(lane, kept);
    kept.set(decodeId, { file, size: prediction.image, candidates: prediction.candidates });
    if (kept.size > KEPT_DECODES) kept.delete(kept.keys().next().value!);
    return { decodeId, prediction };
  }

  /** Candidate N of a kept decode; anything else (an old id, a made-up index) is "no longer available". */
  private keptCandidate(decodeId: string, candidate: number): { kept: KeptDecode; c: DecodedCandidate } {
    const kept = this.keptDecode(decodeId);
    const c = Number.isInteger(candidate) ? kept?.candidates[candidate] : undefined;
    if (!kept || !c) throw new UserError('that mask is no longer available; click again');
    return { kept, c };
  }

  private keptDecode(decodeId: string): KeptDecode | undefined {
    for (const lane of this.decodes.values()) {
      const kept = lane.get(decodeId);
      if (kept) return kept;
    }
    return undefined;
  }

  private timingsOf(prediction: Prediction): DecodeReply['timings'] {
    const t = prediction.timings;
    return { decodeMs: t.decodeMs, totalMs: t.totalMs, encodeMs: t.encodeMs };
  }

  // — datasets —

  async importCoco(file: string, imagesRoot?: string, status?: AnnotationStatus): Promise<TaskReport> {
    const report = await importCoco(this.project(), file, {
      author: this.author,
      imagesRoot,
      status,
      onProgress: (done, total) => this.emit({ type: 'progress', task: 'importing COCO', done, total }),
    });
    const a = report.annotations;
    const note = exportRootNote(report);
    return {
      message:
        `imported ${a.masks} masks and ${a.boxes} boxes; ${report.images.added} images added, ${report.images.matched} matched, ${report.images.missing.length} missing` +
        (note ? `; ${note}` : ''),
    };
  }

  async exportProject(request: ExportRequest): Promise<TaskReport> {
    const project = this.project();
    const names =
      request.categoryIds &&
      listCategories(project.reader)
        .filter((c) => request.categoryIds!.includes(c.id))
        .map((c) => c.name);
    this.checkWrite(request.out);
    // The app picks a path in a dialog or a text field: create the folder a COCO file goes into.
    if (request.format.startsWith('coco')) await mkdir(path.dirname(request.out), { recursive: true });
    const message = await exportProject(project, request.format, request.out, {
      all: request.all,
      categories: names,
      includeUncategorized: request.includeUncategorized ?? undefined,
      onProgress: (done, total) =>
        this.emit({ type: 'progress', task: `exporting ${request.format}`, done, total }),
    });
    return { message };
  }

  // — review and statistics (issue 5): the store only, no model needed —

  reviewQueue(query: ReviewQuery): ReviewPage {
    const { rows, total, byStatus } = reviewQueue(this.project().reader, query);
    return { items: rows.map(reviewItem), total, byStatus };
  }

  reviewFacets(): ReviewFacets {
    return { annotators: annotators(this.project().reader), reviewer: this.author };
  }

  reviewAnnotation(
    id: number,
    status: AnnotationStatus,
    comment?: string,
    category?: CategoryChange | null,
  ): ReviewItem {
    const project = this.project();
    project.db.transaction(() => {
      this.changeCategory(id, category);
      reviewAnnotation(project.db, {
        annotationId: id,
        reviewer: this.author,
        toStatus: status,
        comment: comment ?? undefined,
        sessionId: this.open!.sessionId,
      });
    })();
    return reviewItem(reviewRow(project.reader, id)!);
  }

  // An omitted query may arrive as null over the wire: `?? {}`, not a default parameter.
  timingStats(query?: StatsQuery): TimingStats {
    return timingStats(this.project().reader, query ?? {}, query?.utcOffsetMinutes ?? 0);
  }

  statsCsv(query?: StatsQuery): string {
    return statsCsv(statsCsvRows(this.project().reader, query ?? {}));
  }

  // — the semi-automatic and fully automatic stages (issue 5) —

  async autoMaskImage(imageId: number, request?: AutoImageRequest): Promise<AutoImageResult> {
    await this.requireModel();
    const kind = request?.kind ?? 'amg';
    const params = resolveAmgParams(request?.params ?? {}, this.sam.modelInfo?.modelFamily);
    const project = this.project();
    const given = request?.duplicateIou;
    const duplicateIou = given === undefined || given === null ? undefined : checkDuplicateIou(given);
    // Remembered by the project when used, before the run (a cancelled run keeps them too; issue 17).
    if (kind === 'amg') saveAutoSettings(project.db, { params: request?.params ?? undefined, duplicateIou });
    const threshold = duplicateIou ?? autoSettings(project.reader).duplicateIou;
    const file = this.imageFile(imageId);
    const started = performance.now();
    this.findAbort?.abort(new UserError('Find objects was cancelled: another one started'));
    const abort = new AbortController();
    this.findAbort = abort;
    let result: ImageResult;
    try {
      const options = {
        signal: abort.signal,
        onProgress: (done: number, total: number) =>
          this.emit({ type: 'progress', task: 'finding objects', done, total }),
      };
      result =
        kind === 'amg'
          ? await computeAmg(this.sam, imageId, file, params, options)
          : await computeBoxes(this.sam, project.db, imageId, file, options);
    } finally {
      if (this.findAbort === abort) this.findAbort = undefined;
    }
    if (this.open?.project !== project) throw new UserError('the project was closed meanwhile');
    const stored = storeImageResult(project.db, imageId, result, {
      author: this.author,
      sessionId: this.open.sessionId,
      modelId: this.sam.modelInfo?.name ?? null,
      status: 'draft',
      stage: 'semi-auto',
      duplicateIou: threshold,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const n = stored.added.length;
    const stats =
      result.kind === 'amg' && result.filtered
        ? {
            ...result.filtered,
            found: n,
            duplicatesOfAccepted: stored.duplicates,
            thresholds: {
              predictedIou: params.pred_iou_thresh,
              stability: params.stability_score_thresh,
              duplicateIou: threshold,
            },
          }
        : undefined;
    const message =
      kind !== 'amg'
        ? `${n} box${n === 1 ? '' : 'es'} → mask${n === 1 ? '' : 's'} in ${seconds} s`
        : n === 0 && stats
          ? findNothingMessage(stats)
          : `found ${n} object${n === 1 ? '' : 's'} in ${seconds} s` +
            (stored.removed.length ? ` (replacing ${stored.removed.length} undecided)` : '') +
            (stored.duplicates ? `; ${stored.duplicates} already accepted left out` : '');
    return {
      added: stored.added.map(annotationItem),
      removed: stored.removed.map(annotationItem),
      message,
      ...(stats ? { stats } : {}),
    };
  }

  cancelAutoMaskImage(): void {
    this.findAbort?.abort(new UserError('Find objects was cancelled'));
  }

  async startAutoBatch(request: AutoBatchRequest): Promise<AutoBatchStatus> {
    await this.requireModel();
    return this.autoBatches().start(request);
  }

  autoBatchStatus(): AutoBatchStatus | null {
    return this.autoBatches().status();
  }

  cancelAutoBatch(): AutoBatchStatus | null {
    return this.autoBatches().cancel();
  }

  async resumeAutoBatch(): Promise<AutoBatchStatus> {
    await this.requireModel();
    return this.autoBatches().resume();
  }

  /** The open project's automatic passes (tests wait on `settled()`). */
  autoBatches(): AutoBatches {
    this.project();
    return this.open!.auto;
  }

  async exportStatsCsv(file: string, query?: StatsQuery): Promise<TaskReport> {
    this.checkWrite(file);
    let rows = 0;
    const counted = function* <T>(items: Iterable<T>) {
      for (const item of items) {
        rows++;
        yield item;
      }
    };
    const text = statsCsv(counted(statsCsvRows(this.project().reader, query ?? {})));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, text);
    return { message: `wrote ${file}: ${rows} annotation${rows === 1 ? '' : 's'}` };
  }

  // — the model manager (issue 6): electron/services/modelManager.ts —

  listModels(): Promise<ModelList> {
    return this.models.list();
  }

  async useModel(name: string): Promise<ModelStatus> {
    await this.models.use(name);
    const status = await this.modelStatus();
    if (!status) throw new UserError(`model ${name} did not load`);
    return status;
  }

  async addModelFolder(request: AddModelRequest): Promise<InstalledModel> {
    this.checkInstallAllowed('adding a model folder of the server');
    return this.models.addFolder(request);
  }

  removeModel(name: string): Promise<TaskReport> {
    return this.models.remove(name);
  }

  async installModel(request: ModelInstallRequest): Promise<ModelInstallStatus> {
    // Catalog entries download from the app's own URLs; anything else is the client's choice of file.
    if (!('catalogName' in request)) this.checkInstallAllowed('installing models from URLs');
    return this.models.startInstall(request);
  }

  measureModelSpeed(): Promise<ModelList> {
    return this.models.list({ rerunBenchmark: true });
  }

  cancelModelInstall(): ModelInstallStatus | null {
    return this.models.cancelInstall();
  }

  /** Resolves when the model install running now (if any) has ended (tests). */
  modelInstallSettled(): Promise<void> {
    return this.models.settled();
  }

  // — managing categories (issue 17) —

  reorderCategories(ids: readonly number[]): CategoryItem[] {
    reorderCategories(this.project().db, ids);
    return this.listCategories();
  }

  deleteCategory(id: number, reassignTo: number | null): TaskReport {
    const moved = deleteCategory(this.project().db, id, reassignTo ?? null, this.author);
    return {
      message: moved
        ? `deleted the category; ${moved} mask${moved === 1 ? '' : 's'} moved`
        : 'deleted the category',
    };
  }

  // — overlap control (issue 17) —

  setSubtractAccepted(on: boolean): void {
    saveSubtractAccepted(this.project().db, on === true);
  }

  // — z-order of masks (issue 17) —

  moveAnnotation(id: number, direction: 'up' | 'down'): AnnotationItem[] {
    if (direction !== 'up' && direction !== 'down')
      throw new UserError(
        `move annotation: direction must be 'up' or 'down', got ${JSON.stringify(direction)}`,
      );
    const project = this.project();
    moveAnnotation(project.db, id, direction);
    return this.listAnnotations(getAnnotation(project.reader, id)!.imageId);
  }

  // — images of the open project (issue 17) —

  async addImages(folder: string): Promise<TaskReport> {
    if (typeof folder !== 'string' || !folder.trim()) throw new UserError('add images: name a folder');
    const dir = path.resolve(folder.trim());
    const report = await addImagesFromFolder(this.project(), dir, (done, total) =>
      this.emit({ type: 'progress', task: 'adding images', done, total }),
    );
    return { message: addImagesMessage(dir, report) };
  }

  async rescanImages(): Promise<TaskReport> {
    const report = await rescanImages(this.project(), (done, total) =>
      this.emit({ type: 'progress', task: 'rescanning images', done, total }),
    );
    return { message: rescanMessage(report) };
  }

  importCategories(text: string, fileName: string): TaskReport {
    if (typeof text !== 'string' || typeof fileName !== 'string')
      throw new UserError('import labels: expected the text of a label list and its file name');
    const list = parseLabelList(text, fileName);
    const { added, skipped } = importCategoryNames(this.project().db, list.names);
    const already = [...new Set([...list.repeated, ...skipped])];
    return {
      message:
        `${shortenForMessage(fileName)}: added ${added.length} categor${added.length === 1 ? 'y' : 'ies'}` +
        (already.length
          ? `; skipped ${already.length} already there or repeated: ${shortenForMessage(already.join(', '))}`
          : ''),
    };
  }
}
