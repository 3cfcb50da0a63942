/**
 * Child process of workerRetire.test.ts (an abort must not take the test runner with it): starts an encode on
 * the slow model in argv[2], then, while onnxruntime runs it, switches to the model in argv[3] ('switch') or
 * closes the service ('close'). Prints what happened; exits 0 when the process survived.
 */
import { imagePoint } from '../../electron/common/frames.ts';
import { SamService } from '../../electron/inference/samService.ts';

const [slow, other, image, mode] = process.argv.slice(2) as [string, string, string, string];
const service = new SamService({ providers: ['cpu'], threads: 2 });
await service.loadModel(slow);
const started = performance.now();
const encode = service.embed(image).then(
  () => 'encode finished',
  (error: unknown) => `encode rejected: ${(error as Error).message}`,
);
await new Promise((resolve) => setTimeout(resolve, 400)); // the image is decoded; the encoder is running
if (mode === 'switch') {
  await service.loadModel(other);
  const p = await service.predict(image, { points: [{ point: imagePoint(90, 80), label: 1 }] });
  console.log(`clicked on the other model: ${p.candidates.length} candidates`);
  console.log(await encode);
  await service.close();
} else {
  await service.close();
  console.log(await encode);
}
console.log(`survived after ${Math.round(performance.now() - started)} ms`);
