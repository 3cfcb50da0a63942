/**
 * Coordinate frames, and the one place that converts between them.
 *
 * - Image frame: pixels of the original image after EXIF orientation, x right, y down, origin at the top-left
 *   corner of the top-left pixel. This is the frame of every prompt and mask the user and the CLI see.
 * - Model frame: the model's square input of side S (1024 for Meta's models). How the image sits in it depends on
 *   the model family (issue 14), named by `ModelFrame.kind`:
 *   - 'longest-side' (SAM 1, Meta's `ResizeLongestSide`): resized so its longest side is S, placed at the top-left
 *     and zero-padded bottom/right;
 *   - 'stretch' (SAM 2, `SAM2Transforms`): each axis stretched to S on its own (x · S / W, y · S / H), no padding.
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

/** How an image is placed in the model input: see the module comment. */
export type FrameKind = 'longest-side' | 'stretch';

/** How one image sits in the model input. */
export interface ModelFrame {
  readonly kind: FrameKind;
  /** Original image size (after EXIF orientation). */
  readonly image: Size;
  /** Side S of the square model input. */
  readonly inputSize: number;
  /** Size of the resized image inside the S×S input, before padding ('stretch': S×S). */
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
  return { kind: 'longest-side', image: { width: image.width, height: image.height }, inputSize, resized };
}

/** SAM 2's frame (`SAM2Transforms`): the image stretched to S×S, each axis on its own. */
export function stretchFrameFor(image: Size, inputSize: number): ModelFrame {
  if (!(image.width > 0 && image.height > 0))
    throw new Error(`image size must be positive, got ${image.width}×${image.height}`);
  return {
    kind: 'stretch',
    image: { width: image.width, height: image.height },
    inputSize,
    resized: { width: inputSize, height: inputSize },
  };
}

/**
 * An image point in model-frame pixels, not yet shifted by +0.5 (the decoder graphs add the pixel-centre offset
 * themselves). Each kind computes in its family's order, so the decoder sees the same float32 coordinates:
 * - 'longest-side', Meta's `ResizeLongestSide.apply_coords`: x · (new_w / old_w), y · (new_h / old_h) (the rounded
 *   sizes, so the two ratios differ slightly), in double precision as numpy does;
 * - 'stretch', `SAM2Transforms.transform_coords`: (x / W) · S, (y / H) · S on float32 tensors.
 */
export function imageToModel(frame: ModelFrame, p: ImagePoint): ModelPoint {
  switch (frame.kind) {
    case 'longest-side':
      return modelPoint(
        p.x * (frame.resized.width / frame.image.width),
        p.y * (frame.resized.height / frame.image.height),
      );
    case 'stretch': {
      const f = Math.fround;
      return modelPoint(
        f(f(f(p.x) / f(frame.image.width)) * frame.inputSize),
        f(f(f(p.y) / f(frame.image.height)) * frame.inputSize),
      );
    }
  }
}

/** Inverse of {@link imageToModel} (up to rounding). */
export function modelToImage(frame: ModelFrame, p: ModelPoint): ImagePoint {
  switch (frame.kind) {
    case 'longest-side':
      return imagePoint(
        p.x * (frame.image.width / frame.resized.width),
        p.y * (frame.image.height / frame.resized.height),
      );
    case 'stretch':
      return imagePoint(
        (p.x / frame.inputSize) * frame.image.width,
        (p.y / frame.inputSize) * frame.image.height,
      );
  }
}
