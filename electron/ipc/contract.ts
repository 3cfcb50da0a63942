/**
 * THE contract between the renderer and the backend (the project store + the inference service). Declared once
 * here; the renderer's client type is derived from it (`ClientApi`), the backend implements it (`AppApi`), and
 * both transports — Electron IPC and the serve-mode HTTP bridge — carry exactly these methods. The renderer
 * imports only types from this file (lint enforces it); no channel name is written anywhere else.
 *
 * Frames: every coordinate is in original-image pixels (after EXIF orientation). Masks cross as COCO compressed
 * RLE strings (the canonical, compact form), as typed arrays (previews), or by id (`maskInputRef`), never as
 * JSON arrays of pixels.
 */
import type { AmgParams } from '../common/amg/params.ts';
import type { DecodedMask, MaskPreview, PreviewMask } from '../common/candidate.ts';
import type { Distribution } from '../common/distribution.ts';
import type { IpcEnvelope } from '../common/ipcEnvelope.ts';
import { MENU_SHORTCUTS, type MenuCommand } from '../common/menuShortcuts.ts';
import type { ModelAbilities, ModelType } from '../common/modelFamily.ts';
import type { SpeedFigures } from '../common/modelSpeed.ts';
import type { MaskPrompts } from '../common/prompts.ts';
import type { Rle } from '../common/rle.ts';

export type { AmgParams } from '../common/amg/params.ts';
export type { Distribution, HistogramBin } from '../common/distribution.ts';

export type ImageStatus = 'todo' | 'in-progress' | 'done' | 'skipped';
export type FileState = 'ok' | 'missing' | 'changed';
export type AnnotationSource = 'manual' | 'semi-auto' | 'auto' | 'imported';
export type AnnotationStatus = 'draft' | 'accepted' | 'rejected' | 'needs-fix';
/**
 * Which stage made a mask (issue 17): 'manual' (prompts), 'semi-auto' (Find objects or boxes → masks on one
 * image), 'auto' (an automatic pass), 'imported'. `source` says what kind of mask it is.
 */
export type AnnotationStage = 'manual' | 'semi-auto' | 'auto' | 'imported';
export type EmbeddingState = 'missing' | 'queued' | 'encoding' | 'ready' | 'error';

export interface AppInfo {
  readonly version: string;
  /** 'electron' in the desktop app, 'serve' in a browser against `sam-annotate serve`. */
  readonly mode: 'electron' | 'serve';
  /** Where a sample project would be created (first start). */
  readonly sampleProjectPath: string;
  /**
   * Models may be installed from URLs and server folders (issue 18): always in the desktop app; in serve mode only
   * when started with --allow-model-install. Catalog installs are always allowed.
   */
  readonly allowModelInstall: boolean;
}

export interface ProjectSummary {
  readonly file: string;
  readonly name: string;
  readonly imageCount: number;
  readonly annotationCount: number;
  readonly readOnly: boolean;
  /** What Find objects and automatic passes last used in this project (issue 17). */
  readonly auto?: AutoSettings;
  /** Overlap control (issue 17): a mask accepted in the annotator leaves out the image's accepted masks. */
  readonly subtractAccepted?: boolean;
  /** createProject only: files of the folder that could not be added, and why (issue 17). */
  readonly skippedFiles?: readonly SkippedFile[];
}

/** A file a folder had but the project could not add (issue 17). */
export interface SkippedFile {
  /** The path as found in the folder. */
  readonly file: string;
  readonly reason: string;
}

/** Settings of the automatic stages a project remembers (issue 17). */
export interface AutoSettings {
  /** The AMG parameters last given (the rest are Meta's defaults). */
  readonly params: Partial<AmgParams>;
  /** An automatic mask whose IoU with an accepted mask of its image is above this is not proposed (default 0.9). */
  readonly duplicateIou: number;
}

export interface ImageItem {
  readonly id: number;
  readonly fileName: string;
  readonly relPath: string;
  readonly width: number;
  readonly height: number;
  readonly status: ImageStatus;
  readonly fileState: FileState;
  readonly annotationCount: number;
}

export interface ImageQuery {
  readonly status?: ImageStatus;
  /** Substring of the relative path, case-insensitive. */
  readonly search?: string;
  readonly offset: number;
  readonly limit: number;
}

export interface ImagePage {
  readonly items: readonly ImageItem[];
  readonly total: number;
}

export interface CategoryItem {
  readonly id: number;
  readonly name: string;
  /** CSS hex colour, e.g. "#e6194b". */
  readonly color: string;
  readonly supercategory: string | null;
}

export interface NewCategory {
  readonly name: string;
  readonly color?: string;
  readonly supercategory?: string | null;
}

export interface AnnotationTiming {
  /** Active time from first prompt to accept; idle stretches over 30 s are not counted. */
  readonly activeMs: number;
  readonly clicks: number;
  readonly promptCount: number;
  readonly brushStrokes: number;
  /** Time spent waiting for the model (encoder and decoder). */
  readonly modelWaitMs: number;
}

export interface AnnotationItem {
  readonly id: number;
  readonly imageId: number;
  readonly categoryId: number | null;
  /** Null for a box-only annotation (imported detections). */
  readonly rle: Rle | null;
  /** COCO [x, y, w, h]. */
  readonly bbox: readonly [number, number, number, number];
  readonly area: number;
  readonly status: AnnotationStatus;
  readonly source: AnnotationSource;
  /** Optional so items made by older renderer code still type-check; the backend always sends it. */
  readonly stage?: AnnotationStage;
  readonly prompts: MaskPrompts | null;
  readonly predictedIou: number | null;
  readonly stabilityScore: number | null;
  /** Automatic masks: the crop they were generated on, COCO [x, y, w, h] in image pixels. */
  readonly cropBox?: readonly [number, number, number, number] | null;
  readonly modelId: string | null;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly timing: AnnotationTiming;
}

export interface NewAnnotation {
  readonly imageId: number;
  readonly categoryId: number | null;
  readonly rle: Rle;
  readonly source: AnnotationSource;
  readonly status: AnnotationStatus;
  readonly prompts: MaskPrompts | null;
  readonly predictedIou: number | null;
  readonly stabilityScore: number | null;
  readonly timing: AnnotationTiming;
}

/**
 * What a decision does to the masks' category (issue 17). An object, not a bare id or null: an omitted argument
 * crosses the serve bridge as null, which must not mean "take the category away".
 */
export type CategoryChange = { readonly give: number } | { readonly takeBack: true };

export interface AnnotationPatch {
  readonly categoryId?: number | null;
  readonly status?: AnnotationStatus;
  /** A new mask (brush/eraser edit), full image resolution. */
  readonly rle?: Rle;
  /** Brush strokes and active time added by this edit. */
  readonly timing?: Partial<AnnotationTiming>;
}

export interface ModelStatus {
  readonly name: string;
  readonly dir: string;
  /** Built-in demo model (trained on synthetic shapes): the UI says so. */
  readonly demo: boolean;
  readonly layout: string;
  readonly inputSize: number;
  readonly encoderProvider: string;
  readonly decoderProvider: string;
  /** Why a preferred execution provider was not used, e.g. "cuda: libcudart.so.12 not found". */
  readonly fallbacks: readonly string[];
  readonly capabilities: {
    readonly maskInput: boolean;
    readonly box: boolean;
    readonly singleMaskToken: boolean;
  };
}

/** A decode of the prompts (points, box: image pixels) of one image. */
export interface DecodeRequest extends MaskPrompts {
  readonly imageId: number;
  /** Refine from a candidate of an earlier decode (its low-res logits stay in the backend). */
  readonly maskInputRef?: { readonly decodeId: string; readonly candidate: number };
  readonly multimask: boolean;
  /** Requests of a lane supersede each other ('hover'): only the newest runs. */
  readonly lane?: string;
  /** Also return each candidate as a bitmap whose longer side is at most this many pixels. */
  readonly previewMaxSide?: number;
}

// The candidate types are declared once in electron/common/candidate.ts; listed here with the rest of the wire.
export type { DecodedMask, MaskPreview, PreviewMask };

export interface DecodeReply {
  /** Names this decode for `maskInputRef`. */
  readonly decodeId: string;
  readonly candidates: readonly DecodedMask[];
  readonly timings: { readonly decodeMs: number; readonly totalMs: number; readonly encodeMs?: number };
}

export interface PreviewReply {
  readonly decodeId: string;
  readonly candidates: readonly PreviewMask[];
  readonly timings: DecodeReply['timings'];
}

export type ExportFormat = 'coco' | 'coco-polygon' | 'coco-rle' | 'sa1b' | 'yolo' | 'png' | 'amg-png';

export interface ExportRequest {
  readonly format: ExportFormat;
  /** A file for coco*, a folder otherwise (absolute path on the backend's machine). */
  readonly out: string;
  /** Every status, not only accepted. */
  readonly all?: boolean;
  readonly categoryIds?: readonly number[];
  /**
   * COCO, YOLO, PNG: masks without a category go under a category "uncategorized"; by default they are left out
   * and the report says how many (issue 17).
   */
  readonly includeUncategorized?: boolean;
}

export interface TaskReport {
  /** One line for the user, e.g. "wrote coco.json: 12 images, 40 annotations". */
  readonly message: string;
}

/** What an export wrote (issue 17). */
export interface ExportReport extends TaskReport {
  /**
   * Serve mode only: the export can be downloaded at `DOWNLOAD_PATH/<downloadId>?token=…` (electron/common/
   * bridge.ts) — a file as is, a folder as a ZIP. The server sets it; the Electron app has the file already.
   */
  readonly downloadId?: string;
}

// — review mode and statistics (issue 5) —

export type ReviewDecision = 'accepted' | 'rejected' | 'needs-fix';
/** Review queue order: the model's scores, when the mask was made, or its size (pixels). */
export type ReviewSort = 'predicted_iou' | 'stability' | 'created_at' | 'area';

export interface ReviewQuery {
  /** Default: every status. */
  readonly statuses?: readonly AnnotationStatus[];
  readonly sources?: readonly AnnotationSource[];
  /** Who made the annotation (`createdBy`). */
  readonly annotators?: readonly string[];
  readonly categoryIds?: readonly number[];
  /** Inclusive bounds on the predicted IoU; either one leaves out annotations that have none (imported). */
  readonly minIou?: number;
  readonly maxIou?: number;
  /** Inclusive bounds on the stability score, likewise. */
  readonly minStability?: number;
  readonly maxStability?: number;
  readonly sort: ReviewSort;
  /** Annotations without the sort's score come last either way; ties by id, in the same direction. */
  readonly order: 'asc' | 'desc';
  readonly offset: number;
  readonly limit: number;
}

/** One status change of an annotation: who, when, from → to. */
export interface ReviewEvent {
  readonly reviewer: string;
  /** Unix ms. */
  readonly at: number;
  readonly fromStatus: AnnotationStatus;
  readonly toStatus: AnnotationStatus;
  readonly comment: string;
}

/** A mask to review: the annotation, its image, and its latest review event. */
export interface ReviewItem {
  readonly annotation: AnnotationItem;
  readonly image: ImageItem;
  readonly lastReview: ReviewEvent | null;
}

export interface ReviewPage {
  readonly items: readonly ReviewItem[];
  /** Matches of the whole query. */
  readonly total: number;
  /** Matches per status with every filter but the status filter (the status chips' counters). */
  readonly byStatus: Readonly<Record<AnnotationStatus, number>>;
}

export interface ReviewFacets {
  /** Everyone who made an annotation in this project. */
  readonly annotators: readonly string[];
  /** Whom a review decision made here is recorded for (this computer's user). */
  readonly reviewer: string;
}

export interface StatsQuery {
  readonly annotators?: readonly string[];
  /** Which stages made the masks (the stage, not the kind of mask: Find objects is 'semi-auto'; issue 17). */
  readonly sources?: readonly AnnotationSource[];
  /** The viewer's offset from UTC in minutes (east positive): where the trend's days begin. Default 0. */
  readonly utcOffsetMinutes?: number;
}

export interface TrendPoint {
  /** Local day of the viewer (StatsQuery.utcOffsetMinutes), YYYY-MM-DD. */
  readonly day: string;
  readonly masks: number;
  readonly medianSeconds: number;
  readonly meanSeconds: number;
}

export interface AnnotatorTrend {
  readonly annotator: string;
  readonly masks: number;
  /** One point per day with masks, in day order. */
  readonly points: readonly TrendPoint[];
}

/** Review outcome of automatic masks: the share accepted = accepted / (accepted + rejected) of reviewed ones. */
export interface AutoReviewShare {
  readonly source: 'auto' | 'semi-auto' | 'all';
  /** Masks of that source whose current status came from a review decision, by that status. */
  readonly accepted: number;
  readonly rejected: number;
  readonly needsFix: number;
  /** Never decided in Review mode, nor accepted in the annotator. */
  readonly unreviewed: number;
  /** Accepted in the annotator (Enter, Shift+A), not in Review mode (issue 17). */
  readonly acceptedInAnnotator: number;
  /** accepted / (accepted + rejected); null when none was decided. */
  readonly acceptedShare: number | null;
}

export interface TimingStats {
  /**
   * Masks timed in the app (active time > 0; imported and automatic masks have none): what the time and click
   * figures describe.
   */
  readonly timedMasks: number;
  /** Active seconds per timed mask. */
  readonly secondsPerMask: Distribution;
  /** Clicks per timed mask. */
  readonly clicksPerMask: Distribution;
  /** Masks (not rejected) per image, over images that have at least one. */
  readonly masksPerImage: Distribution & { readonly imagesWithoutMasks: number };
  /** Per annotator, per day: median and mean active seconds per mask (the SA paper's 34 s → 14 s). */
  readonly trend: readonly AnnotatorTrend[];
  readonly auto: readonly AutoReviewShare[];
  readonly reviewEvents: number;
}

// — the semi-automatic and fully automatic stages (issue 5) —

/** 'amg' = automatic mask generation (Meta's SamAutomaticMaskGenerator); 'boxes' = box-only annotations → masks. */
export type AutoKind = 'amg' | 'boxes';

export interface AutoImageRequest {
  /** Default 'amg'. */
  readonly kind?: AutoKind;
  /** Meta's names; unset = Meta's default. Checked: a bad value is a one-line error naming the parameter. */
  readonly params?: Partial<AmgParams>;
  /** The duplicate threshold (`AutoSettings.duplicateIou`); given = remembered by the project. */
  readonly duplicateIou?: number;
}

/** Why Find objects found what it found (issue 17): how many each filter dropped, with the thresholds used. */
export interface FindObjectsStats {
  readonly found: number;
  /** Grid prompts, and the candidates they gave (3 per prompt). */
  readonly prompts: number;
  readonly candidates: number;
  readonly belowPredictedIou: number;
  /** Below the stability threshold (or touching an inner crop edge). */
  readonly belowStability: number;
  /** Merged away as overlapping other candidates (box NMS, small regions, the large-mask filter). */
  readonly overlapping: number;
  readonly duplicatesOfAccepted: number;
  readonly thresholds: {
    readonly predictedIou: number;
    readonly stability: number;
    readonly duplicateIou: number;
  };
}

export interface AutoImageResult {
  /** The image's new masks: status 'draft', source 'auto' (AMG) or 'semi-auto' (boxes → masks). */
  readonly added: readonly AnnotationItem[];
  /**
   * What they replaced: the image's earlier undecided automatic masks (AMG), or the box-only annotations that
   * became masks (boxes → masks; those keep their ids in `added`). Undo = `swapAnnotations(added, removed)`.
   */
  readonly removed: readonly AnnotationItem[];
  readonly message: string;
  /** AMG only (issue 17). */
  readonly stats?: FindObjectsStats;
}

export interface AutoBatchRequest {
  /** In this order; default: every image whose status is not 'done' or 'skipped'. */
  readonly imageIds?: readonly number[];
  readonly kind: AutoKind;
  readonly params?: Partial<AmgParams>;
  /** What the results start as: 'draft' (to be reviewed) or 'accepted' (the fully automatic stage). */
  readonly status: 'draft' | 'accepted';
  /** The duplicate threshold (`AutoSettings.duplicateIou`); given = remembered by the project. */
  readonly duplicateIou?: number;
}

export interface AutoBatchError {
  readonly imageId: number;
  readonly relPath: string;
  readonly message: string;
}

/**
 * An automatic pass over images, persisted in the project: 'running' (here, now), 'cancelling', 'interrupted'
 * (unfinished, nothing runs it: the app or its backend stopped; `resumeAutoBatch` continues it), 'cancelled',
 * 'finished'.
 */
export interface AutoBatchStatus {
  readonly jobId: number;
  readonly kind: AutoKind;
  readonly state: 'running' | 'cancelling' | 'interrupted' | 'cancelled' | 'finished';
  readonly resultStatus: 'draft' | 'accepted';
  readonly params: AmgParams;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  /** Masks the images done got. */
  readonly masks: number;
  /** Remaining time from the mean time per image so far; null before the first image is done. */
  readonly etaMs: number | null;
  /** Mean time per image done (ms); null before the first. */
  readonly msPerImage: number | null;
  readonly current: { readonly imageId: number; readonly relPath: string } | null;
  readonly errors: readonly AutoBatchError[];
  readonly startedAt: number;
}

// — the model manager (issue 6): the models of this machine, electron/models —

/** A model the registry knows (electron/models/registry.ts `ModelEntry`, plus whether the app runs it now). */
export interface InstalledModel {
  readonly name: string;
  readonly dir: string;
  /** 'builtin' = the demo model shipped with the app; 'installed' = under the data folder; 'added' = registered where it is. */
  readonly source: 'builtin' | 'installed' | 'added';
  readonly family: string | null;
  readonly variant: string | null;
  /** Detected layout; null when the folder does not open. */
  readonly layout: string | null;
  /** Box prompts, refinement (mask input), single-mask token; null when the folder does not open (issue 14). */
  readonly capabilities: ModelAbilities | null;
  /** Model input side S (pixels of the S×S model frame). */
  readonly inputSize: number | null;
  readonly demo: boolean;
  readonly description: string | null;
  /** Bytes on disk. */
  readonly bytes: number;
  /** Used when nothing is named (the app's next start, the CLI without --model). */
  readonly isDefault: boolean;
  /** The model the app runs now. */
  readonly inUse: boolean;
  /** Why it cannot be used (missing files, checksum mismatch, …); null when it opens. */
  readonly problem: string | null;
  /** Its speed here (issue 15): measured on its real work when known, else the catalog entry's estimate; null if neither. */
  readonly speed: SpeedFigures | null;
}

/** A model of the download catalog (electron/models/catalog.ts) not installed yet. */
export interface CatalogModel {
  readonly name: string;
  readonly title: string;
  /**
   * 'checkpoint': Meta's PyTorch file, converted here; 'onnx': a published ONNX pair, used as is; 'archive': a
   * published .zip whose listed members form the model folder (issue 15).
   */
  readonly kind: 'checkpoint' | 'onnx' | 'archive';
  /** The manifest's family once installed: 'sam' (SAM 1) or 'sam2.1' (issue 14). */
  readonly family: string;
  readonly layout: string;
  /** Approximate download size (bytes). */
  readonly approxBytes: number;
  readonly license: string;
  /** Where it comes from (a web page). */
  readonly source: string;
  /** Converting needs Python with torch and onnx on the backend's machine. */
  readonly needsPython: boolean;
  /** What the download is checked against: a known digest, or nothing ('unverified', then only the folder is checked). */
  readonly checksum: 'sha256' | 'md5' | 'unverified';
  /** Relative mask quality, 1 (rough) to 5 (best) (catalog.ts). */
  readonly quality: number;
  /** Estimated speed here (issue 15); null before the benchmark. */
  readonly speed: SpeedFigures | null;
}

/** This machine's throughput, from the benchmark on the built-in demo model (electron/models/speed.ts). */
export interface MachineSpeedSummary {
  readonly encoderGmacPerSecond: number;
  readonly decoderGmacPerSecond: number;
  /** ISO time of the benchmark. */
  readonly measuredAt: string;
}

/** A catalog model suggested for this machine (electron/models/recommend.ts, issue 15). */
export interface ModelRecommendation {
  /** 'both': the fastest good model is also the most accurate one usable here. */
  readonly role: 'fastest' | 'accurate' | 'both';
  readonly name: string;
  readonly title: string;
  readonly approxBytes: number;
  readonly needsPython: boolean;
  readonly speed: SpeedFigures | null;
  /** Already installed under its catalog name (then "use" it instead of installing). */
  readonly installed: boolean;
}

export interface ModelList {
  readonly installed: readonly InstalledModel[];
  readonly catalog: readonly CatalogModel[];
  /** The latest install of this backend (running or how it ended); null if none. */
  readonly install: ModelInstallStatus | null;
  /** This machine's speed; null when the benchmark could not run (the reason is in `speedProblem`). */
  readonly machine: MachineSpeedSummary | null;
  readonly speedProblem: string | null;
  /** What to install here (issue 15): the fastest good model and the most accurate usable one. */
  readonly recommendations: readonly ModelRecommendation[];
}

export type ModelInstallRequest =
  /** `use`: once installed, switch the app to it (the start screen's one-click install, issue 15). */
  | { readonly catalogName: string; readonly name?: string; readonly use?: boolean }
  | {
      /** Two .onnx files (encoder + decoder) or one .pth checkpoint (then `modelType`). */
      readonly urls: readonly string[];
      /** Expected sha256 of each file, in order (fewer = the rest unchecked). */
      readonly sha256?: readonly string[];
      readonly name: string;
      /** The converter's --type: SAM 1 vit_*, SAM 2 / 2.1 sam2*_hiera_* (issue 14). */
      readonly modelType?: ModelType;
    };

/**
 * An install running in the backend: downloads (resumable), then 'check' (the folder opens: layout, shapes,
 * checksums) for ONNX pairs or 'convert' (native-models/export.py) for checkpoints.
 */
export interface ModelInstallStatus {
  /** Counts this backend's installs: events of an earlier install never overwrite a later one. */
  readonly id: number;
  readonly name: string;
  readonly state: 'running' | 'cancelling' | 'finished' | 'failed' | 'cancelled';
  readonly phase: 'download' | 'convert' | 'check';
  /** The file being downloaded (its path in the model folder), its 1-based index and the count. */
  readonly file: string | null;
  readonly fileIndex: number;
  readonly fileCount: number;
  /** Bytes of that file so far and its size (null when the server does not say). */
  readonly done: number;
  readonly total: number | null;
  /** One line: the result (finished, cancelled) or the error (failed, naming the file or URL). */
  readonly message: string | null;
}

export interface AddModelRequest {
  /** A model folder on the backend's machine. */
  readonly dir: string;
  /** Copy it into the data folder (the original may then go away); otherwise it is used where it is. */
  readonly copy?: boolean;
  /** Default: the manifest's name, else the folder's name. */
  readonly name?: string;
}

/** Backend → renderer notifications. */
export type AppEvent =
  | {
      readonly type: 'embedding';
      readonly imageId: number;
      readonly state: EmbeddingState;
      readonly error?: string;
    }
  | { readonly type: 'inference-crash'; readonly message: string }
  | { readonly type: 'progress'; readonly task: string; readonly done: number; readonly total: number }
  /** An automatic pass changed: started, an image done or failed (`imageId`), cancelled, finished. */
  | { readonly type: 'auto-batch'; readonly status: AutoBatchStatus; readonly imageId?: number }
  /** A model install progressed or ended. */
  | { readonly type: 'model-install'; readonly status: ModelInstallStatus }
  /** The app now runs another model (`useModel`): reload `modelStatus`; embeddings are computed again. */
  | { readonly type: 'model-changed' };

/** Everything the renderer can ask of the backend. */
export interface AppApi {
  appInfo(): AppInfo;
  recentProjects(): readonly string[];
  currentProject(): ProjectSummary | null;
  openProject(file: string): ProjectSummary;
  createProject(file: string, imagesDir?: string): ProjectSummary;
  /** First start: a project of generated sample images, ready for the built-in model. */
  createSampleProject(): ProjectSummary;
  closeProject(): void;

  listImages(query: ImageQuery): ImagePage;
  setImageStatus(imageId: number, status: ImageStatus): void;
  /**
   * The images moved: find each missing one under `folder` (a folder on the backend's machine), checked to be the
   * same file, and store its new path (issue 17). The report says how many were relinked and which are still
   * missing.
   */
  relinkImages(folder: string): TaskReport;

  listCategories(): readonly CategoryItem[];
  addCategory(category: NewCategory): CategoryItem;
  updateCategory(id: number, patch: Partial<NewCategory>): CategoryItem;

  listAnnotations(imageId: number): readonly AnnotationItem[];
  addAnnotation(annotation: NewAnnotation): AnnotationItem;
  updateAnnotation(id: number, patch: AnnotationPatch): AnnotationItem;
  deleteAnnotation(id: number): void;
  /** Undo of a delete: store the same annotation again (it gets a new id). */
  restoreAnnotation(annotation: AnnotationItem): AnnotationItem;
  /**
   * Decide on many annotations at once (accept / reject all automatic masks of an image), one transaction, one
   * review event each with this computer's user; undo records the reverse change (comment 'undo').
   * `category` (issue 17): `{give: id}` = the masks without a category get it (accepting undecided automatic
   * masks with the current category; a category given by hand stays); `{takeBack: true}` = the masks lose their
   * category (the undo of such an accept: pass only the ids that had none before); omitted = unchanged.
   */
  setAnnotationStatuses(
    ids: readonly number[],
    status: AnnotationStatus,
    comment?: string,
    category?: CategoryChange | null,
  ): readonly AnnotationItem[];
  /**
   * Delete `removeIds` and store `restore` again (new ids, same order), in one transaction: the undo and redo of
   * an automatic run on one image.
   */
  swapAnnotations(
    removeIds: readonly number[],
    restore: readonly AnnotationItem[],
  ): readonly AnnotationItem[];

  modelStatus(): ModelStatus | null;
  /** Encode an image now (interactive priority); resolves when its embedding is ready. */
  prepareImage(imageId: number): EmbeddingState;
  /** Encode these in the background, cancelling earlier prefetches. */
  prefetch(imageIds: readonly number[]): void;
  decode(request: DecodeRequest): DecodeReply;
  /**
   * Like `decode`, but only previews (`previewMaxSide` defaults to 1024), and only of the candidate shown first
   * (`bestCandidate`; the others' `preview` is null): no full-resolution pass, so hover on a 20 MP photo stays
   * fluid. Its decodeId serves `maskInputRef`, `decodedMask` and `decodedPreview`.
   */
  previewDecode(request: DecodeRequest): PreviewReply;
  /** The full-resolution mask of candidate N of an earlier decode (e.g. the hover preview being accepted). */
  decodedMask(decodeId: string, candidate: number): DecodedMask;
  /**
   * The preview of candidate N of an earlier preview-only decode, longer side at most `maxSide` (a decode
   * previews only the candidate shown first; this is the others', when chosen).
   */
  decodedPreview(decodeId: string, candidate: number, maxSide: number): MaskPreview;

  importCoco(file: string, imagesRoot?: string, status?: AnnotationStatus): TaskReport;
  exportProject(request: ExportRequest): ExportReport;

  /** Review mode: a page of the masks that pass the filters, sorted. Needs no model. */
  reviewQueue(query: ReviewQuery): ReviewPage;
  reviewFacets(): ReviewFacets;
  /**
   * Record a review decision (any status: undo records the reverse change) with this computer's user as the
   * reviewer and the time; one transaction. Returns the updated item. `category` as in
   * `setAnnotationStatuses` (issue 17).
   */
  reviewAnnotation(
    id: number,
    status: AnnotationStatus,
    comment?: string,
    category?: CategoryChange | null,
  ): ReviewItem;
  timingStats(query?: StatsQuery): TimingStats;
  /** The statistics CSV (one row per annotation with its timing), for a download in the browser. */
  statsCsv(query?: StatsQuery): string;
  /** The statistics CSV written to a file (atomically), e.g. a path from the native save dialog. */
  exportStatsCsv(file: string, query?: StatsQuery): TaskReport;

  /**
   * Automatic masks on one image now (the semi-automatic stage): AMG replaces the image's earlier undecided
   * automatic masks; boxes → masks turns its box-only annotations into masks. Results are drafts.
   */
  autoMaskImage(imageId: number, request?: AutoImageRequest): AutoImageResult;
  /**
   * Stop the Find objects running now (its progress comes as 'progress' events of task 'finding objects'): it
   * rejects with "Find objects was cancelled" and stores nothing (issue 17).
   */
  cancelAutoMaskImage(): void;
  /**
   * Start an automatic pass in the background (interactive clicks keep priority); progress comes as
   * 'auto-batch' events. Refused while another pass runs or an interrupted one waits (resume or cancel it).
   */
  startAutoBatch(request: AutoBatchRequest): AutoBatchStatus;
  /** The project's latest pass (running, interrupted, or how the last one ended); null if it never had one. */
  autoBatchStatus(): AutoBatchStatus | null;
  /** Stop the running pass after the current image (or give up an interrupted one). */
  cancelAutoBatch(): AutoBatchStatus | null;
  /** Continue an interrupted pass with its own parameters, from the images not done yet. */
  resumeAutoBatch(): AutoBatchStatus;

  // — the model manager (issue 6) —

  /** Installed models (built-in, installed, added), the catalog's models not installed yet, the latest install. */
  listModels(): ModelList;
  /**
   * Run this model from now on and make it the default: resolves once it is loaded (the new status). Refused
   * while an automatic pass runs; when it cannot be loaded the previous model stays.
   */
  useModel(name: string): ModelStatus;
  /** Register a model folder (checked first: it must open). */
  addModelFolder(request: AddModelRequest): InstalledModel;
  /** Forget a model (an installed copy is deleted, an added folder left in place); not the one in use, not the built-in. */
  removeModel(name: string): TaskReport;
  /** Start an install in the background (one at a time); progress comes as 'model-install' events. */
  installModel(request: ModelInstallRequest): ModelInstallStatus;
  /** Stop the running install (a partial download is kept and resumes on the next install of that model). */
  cancelModelInstall(): ModelInstallStatus | null;
  /** Run the speed benchmark again (issue 15), then list the models with the new figures. */
  measureModelSpeed(): ModelList;

  // — managing categories (issue 17): order, delete, import a label list; each one transaction —

  /** Put the categories in this order (every id once); returns the list in its new order. */
  reorderCategories(ids: readonly number[]): readonly CategoryItem[];
  /**
   * Delete a category. Its masks move to `reassignTo`; with none (null), a category that masks use is refused
   * (the error says how many). The report says how many masks moved.
   */
  deleteCategory(id: number, reassignTo: number | null): TaskReport;
  /**
   * Add the names of a label list (`text`: one name per line, or JSON with a COCO `categories` block; `fileName`
   * only names it in messages). Names already there, or repeated in the list, are skipped and reported.
   */
  importCategories(text: string, fileName: string): TaskReport;

  // — images of the open project (issue 17): reading image files only —

  /** Add the images of a folder on the backend's machine (recursively; duplicates skipped and reported). */
  addImages(folder: string): TaskReport;
  /**
   * Check every image file (missing / changed are flagged) and add the new images of the project's image
   * folder (the folder its images share).
   */
  rescanImages(): TaskReport;

  // — overlap control (issue 17) —

  /**
   * Turn overlap control on or off for the project: when on, `addAnnotation` of an accepted mask stores it minus
   * the image's accepted masks (as CVAT and X-AnyLabeling do), and refuses one that would be left empty.
   */
  setSubtractAccepted(on: boolean): void;

  // — z-order of masks (issue 17) —

  /**
   * Move a mask one step up (drawn over the mask above it; later in PNG exports) or down its image's stack, in one
   * transaction; the opposite move undoes it. Returns the image's annotations bottom to top (as
   * `listAnnotations`); unchanged when the mask is already at that end.
   */
  moveAnnotation(id: number, direction: 'up' | 'down'): readonly AnnotationItem[];
}

export type AppMethod = keyof AppApi;

/** The backend may answer any method asynchronously. */
export type BackendApi = {
  [M in AppMethod]: (
    ...args: Parameters<AppApi[M]>
  ) => ReturnType<AppApi[M]> | Promise<ReturnType<AppApi[M]>>;
};

/** The renderer's view: every method returns a Promise (derived, never written by hand). */
export type ClientApi = {
  [M in AppMethod]: (...args: Parameters<AppApi[M]>) => Promise<Awaited<ReturnType<AppApi[M]>>>;
};

/**
 * The Electron preload's verbs (issue 17): each resolves to the main process's result envelope, which the
 * renderer unwraps into the error serve mode throws (electron/common/ipcEnvelope.ts).
 */
export type PreloadApi = {
  [M in AppMethod]: (...args: Parameters<AppApi[M]>) => Promise<IpcEnvelope<Awaited<ReturnType<AppApi[M]>>>>;
};

/** Every method name, checked against the interface both ways (a missing or extra name fails to compile). */
const METHOD_TABLE: { [M in AppMethod]: true } = {
  appInfo: true,
  recentProjects: true,
  currentProject: true,
  openProject: true,
  createProject: true,
  createSampleProject: true,
  closeProject: true,
  listImages: true,
  setImageStatus: true,
  relinkImages: true,
  listCategories: true,
  addCategory: true,
  updateCategory: true,
  listAnnotations: true,
  addAnnotation: true,
  updateAnnotation: true,
  deleteAnnotation: true,
  restoreAnnotation: true,
  setAnnotationStatuses: true,
  swapAnnotations: true,
  modelStatus: true,
  prepareImage: true,
  prefetch: true,
  decode: true,
  previewDecode: true,
  decodedMask: true,
  decodedPreview: true,
  importCoco: true,
  exportProject: true,
  reviewQueue: true,
  reviewFacets: true,
  reviewAnnotation: true,
  timingStats: true,
  statsCsv: true,
  exportStatsCsv: true,
  autoMaskImage: true,
  cancelAutoMaskImage: true,
  startAutoBatch: true,
  autoBatchStatus: true,
  cancelAutoBatch: true,
  resumeAutoBatch: true,
  listModels: true,
  useModel: true,
  addModelFolder: true,
  removeModel: true,
  installModel: true,
  cancelModelInstall: true,
  measureModelSpeed: true,
  reorderCategories: true,
  deleteCategory: true,
  importCategories: true,
  addImages: true,
  rescanImages: true,
  setSubtractAccepted: true,
  moveAnnotation: true,
};
export const APP_METHODS = Object.keys(METHOD_TABLE) as AppMethod[];

/** Electron IPC channels: one per method, under this prefix; the preload accepts nothing else. */
export const CHANNEL_PREFIX = 'sam:';
export const EVENT_CHANNEL = 'sam-event';
export const channelOf = (method: AppMethod): string => `${CHANNEL_PREFIX}${method}`;

/**
 * Desktop-only verbs the preload adds next to the backend's (native dialogs). In serve mode they do not exist;
 * the renderer asks for paths as text instead.
 */
export interface ShellApi {
  /** Native "open" dialog for a project file; null when cancelled. */
  pickProjectFile(): string | null;
  /** Native folder dialog (images to annotate, export target); null when cancelled. */
  pickFolder(title: string): string | null;
  /** Native "save" dialog; null when cancelled. */
  pickSaveFile(title: string, defaultName: string): string | null;
  /** Native "open" dialog for a JSON file (COCO import); null when cancelled. */
  pickJsonFile(title: string): string | null;
}
export type ShellMethod = keyof ShellApi;
export type ClientShellApi = {
  [M in ShellMethod]: (...args: Parameters<ShellApi[M]>) => Promise<ReturnType<ShellApi[M]>>;
};
const SHELL_TABLE: { [M in ShellMethod]: true } = {
  pickProjectFile: true,
  pickFolder: true,
  pickSaveFile: true,
  pickJsonFile: true,
};
export const SHELL_METHODS = Object.keys(SHELL_TABLE) as ShellMethod[];
export const SHELL_PREFIX = 'sam-shell:';
export const COMMAND_CHANNEL = 'sam-command';

/**
 * Command ids the native menu sends to the renderer; the renderer's command registry uses the same ids for its
 * keyboard shortcuts and buttons. Listed once, with their keys, in electron/common/menuShortcuts.ts.
 */
export const MENU_COMMANDS = Object.keys(MENU_SHORTCUTS) as MenuCommand[];
export type { MenuCommand };
