/**
 * Coordinate frames, and the one place that converts between them.
 *
 * - Image frame: pixels of the original image after EXIF orientation, x right, y down, origin at the top-left
 *   corner of the top-left pixel. This is the frame of every prompt and mask the user and the CLI see.
 * - Model frame: the model's square input of side S (1024 for Meta's models). The image is resized so its longest
 *   side is S (Meta's `ResizeLongestSide`), placed at the top-left and zero-padded bottom/right.
 * - Screen frame: Konva stage pixels; lives in the renderer, not here.
 *
 * The types are branded so that an image point cannot be passed where a model point is expected.
 */

declare const imageFrame: unique symbol;
declare const modelFrame: unique symbol;

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A point in original-image pixels. */
export type ImagePoint = { readonly x: number; readonly y: number } & { readonly [imageFrame]: true };
/** A point in the model's S×S input frame. */
export type ModelPoint = { readonly x: number; readonly y: number } & { readonly [modelFrame]: true };
/** An axis-aligned box (x0, y0) – (x1, y1) in original-image pixels. */
export type ImageBox = {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
} & {
  readonly [imageFrame]: true;
};

export const imagePoint = (x: number, y: number): ImagePoint => ({ x, y }) as ImagePoint;
export const modelPoint = (x: number, y: number): ModelPoint => ({ x, y }) as ModelPoint;
export const imageBox = (x0: number, y0: number, x1: number, y1: number): ImageBox =>
  ({ x0, y0, x1, y1 }) as ImageBox;

/** How one image sits in the model input. */
export interface ModelFrame {
  /** Original image size (after EXIF orientation). */
  readonly image: Size;
  /** Side S of the square model input. */
  readonly inputSize: number;
  /** Size of the resized image inside the S×S input, before padding. */
  readonly resized: Size;
}

/**
 * Meta's `ResizeLongestSide.get_preprocess_shape`: scale = S / max(h, w); new side = int(side * scale + 0.5).
 * Computed in double precision, as numpy does.
 */
export function modelFrameFor(image: Size, inputSize: number): ModelFrame {
  if (!(image.width > 0 && image.height > 0))
    throw new Error(`image size must be positive, got ${image.width}×${image.height}`);
  const scale = inputSize / Math.max(image.width, image.height);
  // A side can round to 0 for extreme aspect ratios (3000×2 at S = 64), where Meta's code fails; keep 1 pixel.
  const resized = {
    width: Math.max(1, Math.floor(image.width * scale + 0.5)),
    height: Math.max(1, Math.floor(image.height * scale + 0.5)),
  };
  // Copy only the size: callers pass decoded images, whose pixels must not ride along in every frame.
  return { image: { width: image.width, height: image.height }, inputSize, resized };
}

/**
 * Meta's `ResizeLongestSide.apply_coords`: x scaled by new_w / old_w and y by new_h / old_h (the rounded sizes,
 * so the two ratios differ slightly). Result in model-frame pixels, not yet shifted by +0.5: the decoder graph
 * adds the pixel-centre offset itself.
 */
export function imageToModel(frame: ModelFrame, p: ImagePoint): ModelPoint {
  return modelPoint(
    p.x * (frame.resized.width / frame.image.width),
    p.y * (frame.resized.height / frame.image.height),
  );
}

/** Inverse of {@link imageToModel}. */
export function modelToImage(frame: ModelFrame, p: ModelPoint): ImagePoint {
  return imagePoint(
    p.x * (frame.image.width / frame.resized.width),
    p.y * (frame.image.height / frame.resized.height),
  );
}
