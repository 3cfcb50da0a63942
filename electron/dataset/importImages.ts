/**
 * Images named by an imported dataset file (COCO `images`, SA-1B `image`): found on disk or not, identified, and
 * matched to the project's images (by sha256, else by path) or added. A file that is missing or unreadable is
 * still imported as an image flagged "missing" (its annotations keep their size from the JSON), and listed in
 * the report; a file whose size differs from the JSON is an error, since its masks would not fit it.
 */
import { describeError, shortenForMessage } from '../common/errors.ts';
import type { JsonReader } from '../common/jsonReader.ts';
import { findImageByRelPath, findImageBySha, insertImage } from '../store/images.ts';
import { storedPaths } from '../store/imagePaths.ts';
import type { Project } from '../store/projectDb.ts';
import type { WritableDB } from '../store/types.ts';
import { type ImageFileInfo, inspectImage, mapLimit } from './imageFiles.ts';
import { existsSync } from 'node:fs';

export interface ImportImage {
  reader: JsonReader;
  /** JSON path of the image record, for errors. */
  at: string;
  file: string;
  width: number;
  height: number;
}

export interface InspectedImage extends ImportImage {
  info?: ImageFileInfo;
  problem?: string;
}

export async function inspectImportImages(
  images: readonly ImportImage[],
  onProgress?: (done: number, total: number) => void,
): Promise<InspectedImage[]> {
  let done = 0;
  return mapLimit(images, 4, async (image) => {
    try {
      if (!existsSync(image.file)) return { ...image, problem: 'not found' };
      const info = await inspectImage(image.file).catch((error: unknown) => describeError(error));
      if (typeof info === 'string')
        return { ...image, problem: info.replace(/^cannot read image [^:]*: /, '') };
      if (info.width !== image.width || info.height !== image.height) {
        image.reader.fail(
          image.at,
          `says ${image.width}×${image.height} but ${shortenForMessage(image.file, 300)} is ${info.width}×${info.height} (after EXIF orientation); its masks would not fit`,
        );
      }
      return { ...image, info };
    } finally {
      onProgress?.(++done, images.length);
    }
  });
}

/** The project image id for an imported image (inside the import's transaction). */
export function projectImageFor(db: WritableDB, project: Project, image: InspectedImage): number {
  const existing =
    (image.info && findImageBySha(db, image.info.sha256)) ??
    findImageByRelPath(db, storedPaths(project.dir, image.file).relPath);
  if (existing) {
    if (existing.width !== image.width || existing.height !== image.height) {
      image.reader.fail(
        image.at,
        `says ${image.width}×${image.height} but the project already has this image as ${existing.width}×${existing.height}`,
      );
    }
    return existing.id;
  }
  return insertImage(db, project.dir, {
    file: image.file,
    sha256: image.info?.sha256 ?? null,
    byteSize: image.info?.byteSize ?? null,
    mtimeMs: image.info?.mtimeMs ?? null,
    width: image.width,
    height: image.height,
    fileState: image.info ? 'ok' : 'missing',
  });
}
