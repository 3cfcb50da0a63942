/** `sam-annotate edges`: SAM's zero-shot edge map of one image (SA paper §7.2), as a grey PNG. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { greyPng } from '../../dataset/pngMasks.ts';
import { edgeMap } from '../../inference/edges.ts';
import { writeFileAtomic } from '../../node/atomicWrite.ts';
import { resolveModelDir } from '../../models/defaultModel.ts';
import { UsageError, parseFlags, positiveInteger, required } from '../args.ts';
import { Progress } from '../progress.ts';
import { SERVICE_FLAGS, SERVICE_HELP, serviceFrom } from '../serviceFlags.ts';

export const summary =
  'zero-shot edge map of an image (16×16 prompts, NMS, Sobel on mask probabilities) → PNG';

export const help = `Usage: sam-annotate edges [--model DIR] --input IMAGE --out FILE.png [--points-per-side N]

The SA paper's zero-shot edge detection: a grid of one-point prompts (3 masks each), box NMS at 0.7 to drop
redundant masks, the Sobel gradient of every remaining mask's probability map, the strongest per pixel, thinned
by non-maximum suppression. Writes an 8-bit grey PNG of the image's size (0 = no edge, 255 = strongest).

  --model DIR|NAME      model folder or installed model (default: the default model, see sam-annotate models)
  --input IMAGE         the image
  --out FILE.png        the edge map
  --points-per-side N   prompt grid (default 16, as the paper)
${SERVICE_HELP}`;

const FLAGS = {
  model: { type: 'string' },
  input: { type: 'string' },
  out: { type: 'string' },
  'points-per-side': { type: 'string' },
  ...SERVICE_FLAGS,
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags('edges', argv, FLAGS);
  const input = required('input', 'edges', values.input);
  const out = required('out', 'edges', values.out);
  const side = positiveInteger('points-per-side', values['points-per-side']) ?? 16;
  if (side < 1) throw new UsageError(`--points-per-side ${side}: expected at least 1`);
  const model = await resolveModelDir(values.model);
  if (!model) throw new UsageError('edges: no model; pass --model DIR');
  if (model.note) console.error(`sam-annotate: note: ${model.note}`);
  const service = serviceFrom(values);
  try {
    await service.loadModel(model.dir);
    const bar = new Progress('edges');
    const map = await edgeMap(service, input, {
      pointsPerSide: side,
      onProgress: (d, t) => bar.update(d, t),
    });
    bar.end();
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await writeFileAtomic(out, await greyPng(map.data, map.width, map.height));
    console.error(`wrote ${out} (${map.width}×${map.height}, edges of ${map.masks} masks)`);
    return 0;
  } finally {
    await service.close();
  }
}
