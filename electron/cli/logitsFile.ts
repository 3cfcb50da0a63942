/**
 * Low-res logits on disk: a raw float32 little-endian file of shape [C, L, L] (C candidates) and a JSON sidecar
 * `<file>.json` giving the shape and the candidates' tokens and predicted IoUs. `FILE#N` names candidate N.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../common/errors.ts';
import { JsonReader } from '../common/jsonReader.ts';
import type { DecodedCandidate } from '../inference/worker/protocol.ts';
import { writeFileAtomic } from '../node/atomicWrite.ts';

export async function writeLogits(
  file: string,
  candidates: readonly DecodedCandidate[],
  side: number,
  about: object,
): Promise<void> {
  const chunks = candidates.map(
    (c) => new Uint8Array(c.lowRes.buffer, c.lowRes.byteOffset, c.lowRes.byteLength),
  );
  await writeFileAtomic(file, chunks);
  const sidecar = {
    dtype: 'float32',
    byte_order: 'little',
    shape: [candidates.length, side, side],
    candidates: candidates.map((c) => ({ token: c.token, predicted_iou: c.predictedIou })),
    ...about,
  };
  await writeFileAtomic(`${file}.json`, `${JSON.stringify(sidecar, null, 2)}\n`);
}

/** Read candidate N of a logits file, as a mask input for a model with L×L low-res masks. */
export async function readLogitsCandidate(spec: string, side: number): Promise<Float32Array> {
  const hash = spec.lastIndexOf('#');
  const file = hash === -1 ? spec : spec.slice(0, hash);
  const index = hash === -1 ? 0 : Number(spec.slice(hash + 1));
  if (!Number.isInteger(index) || index < 0)
    throw new UserError(`--mask-input ${spec}: candidate after # must be a whole number`);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new UserError(`cannot read mask input ${file}: no such file`);
  }
  const plane = side * side * 4;
  if (bytes.length === 0 || bytes.length % plane !== 0) {
    throw new UserError(
      `mask input ${file}: ${bytes.length} bytes is not a whole number of ${side}×${side} float32 logit maps`,
    );
  }
  const count = bytes.length / plane;
  const sidecar = await readFile(`${file}.json`, 'utf8').catch(() => undefined);
  if (sidecar !== undefined) {
    const r = new JsonReader(`${file}.json`);
    const shape = r.numbers(r.object(r.parse(sidecar), '$').shape, '$.shape', 3);
    if (shape[0] !== count || shape[1] !== side || shape[2] !== side) {
      r.fail(
        '$.shape',
        `is [${shape.join(', ')}] but the model needs [C, ${side}, ${side}] and the file holds ${count}`,
      );
    }
  }
  if (index >= count)
    throw new UserError(`mask input ${file} holds ${count} candidates; #${index} does not exist`);
  const out = new Float32Array(side * side);
  new Uint8Array(out.buffer).set(bytes.subarray(index * plane, (index + 1) * plane));
  return out;
}
