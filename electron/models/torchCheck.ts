/**
 * Whether this machine can convert checkpoints (Python with torch and onnx), for the recommendation: a model
 * that needs them is never suggested to a user without them (issue 15).
 */
import { requireTorch } from '../node/python.ts';

export function hasTorch(): Promise<boolean> {
  return requireTorch().then(
    () => true,
    () => false,
  );
}
