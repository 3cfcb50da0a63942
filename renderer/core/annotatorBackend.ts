/** What the annotator needs from outside: the backend (a fake in tests) and the app's hooks (no-ops by default). */
import type {
  AnnotationItem,
  AnnotationPatch,
  DecodeRequest,
  NewAnnotation,
  PreviewReply,
} from '../../electron/ipc/contract.ts';
import type { DecodedMask, MaskPreview } from '../../electron/common/candidate.ts';
import type { AutoBackend } from './auto/autoMasks.ts';

/** The part of the contract the annotator uses (a fake in tests). */
export interface AnnotatorBackend extends AutoBackend {
  previewDecode(request: DecodeRequest): Promise<PreviewReply>;
  decodedMask(decodeId: string, candidate: number): Promise<DecodedMask>;
  decodedPreview(decodeId: string, candidate: number, maxSide: number): Promise<MaskPreview>;
  addAnnotation(annotation: NewAnnotation): Promise<AnnotationItem>;
  updateAnnotation(id: number, patch: AnnotationPatch): Promise<AnnotationItem>;
  deleteAnnotation(id: number): Promise<void>;
  restoreAnnotation(annotation: AnnotationItem): Promise<AnnotationItem>;
  moveAnnotation(id: number, direction: 'up' | 'down'): Promise<readonly AnnotationItem[]>;
}

/** Things outside the editor that commands can ask for (image navigation, dialogs). No-ops by default. */
export interface AppHooks {
  nextImage(): void;
  previousImage(): void;
  markDoneAndNext(): void;
  toggleShortcuts(): void;
  openExport(): void;
  /** Back to the start screen (open, create, import). */
  openStart(action: 'open' | 'new' | 'importCoco'): void;
  /** The project's automatic pass dialog (issue 5). */
  openAutoPass(): void;
  /** The Models panel (issue 6). */
  openModels(): void;
}

export const NO_HOOKS: AppHooks = {
  nextImage() {},
  previousImage() {},
  markDoneAndNext() {},
  toggleShortcuts() {},
  openExport() {},
  openStart() {},
  openAutoPass() {},
  openModels() {},
};
