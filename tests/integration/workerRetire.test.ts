/**
 * Switching models or closing the service while the encoder worker is inside onnxruntime must not abort the
 * process. `Worker.terminate()` during a native run did: when the run returned, onnxruntime-node threw a C++
 * exception into the terminated environment ("terminate called after throwing an instance of 'Napi::Error'",
 * exit 134), seen switching models during a ViT-B encode. Now such a worker finishes its run and exits
 * (workerHost.ts, `retire`). The encoder here is made slow on purpose (a chain of MatMuls, ~1-2 s), so the
 * switch lands during its run; each case runs in a child process so an abort cannot take the runner with it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, repoRoot } from '../helpers/paths.ts';

const tiny = path.join(fixturesDir, 'models', 'tiny-random');
const image = path.join(fixturesDir, 'reference', 'wide.png');
let slow: string;

/** An ONNX pair folder: the tiny model's decoder and an encoder of the same signature that runs for seconds. */
function slowModel(dir: string): void {
  copyFileSync(path.join(tiny, 'decoder.onnx'), path.join(dir, 'decoder.onnx'));
  const script = `
import numpy as np, onnx, sys
from onnx import helper as h, TensorProto as T, numpy_helper as nh
w = (np.eye(256) * 0.999).astype(np.float32)
k = (np.random.default_rng(0).standard_normal((32, 3, 16, 16)) * 0.01).astype(np.float32)
nodes = [h.make_node("Reshape", ["image", "flat"], ["x0"])]
for i in range(1500):
    nodes.append(h.make_node("MatMul", [f"x{i}", "w"], [f"x{i + 1}"]))
nodes += [h.make_node("Reshape", ["x1500", "back"], ["y"]),
          h.make_node("Conv", ["y", "k"], ["image_embeddings"], kernel_shape=[16, 16], strides=[16, 16])]
inits = [nh.from_array(w, "w"), nh.from_array(k, "k"),
         nh.from_array(np.array([768, 256], np.int64), "flat"), nh.from_array(np.array([1, 3, 256, 256], np.int64), "back")]
g = h.make_graph(nodes, "slow", [h.make_tensor_value_info("image", T.FLOAT, [1, 3, 256, 256])],
                 [h.make_tensor_value_info("image_embeddings", T.FLOAT, [1, 32, 16, 16])], inits)
m = h.make_model(g, opset_imports=[h.make_opsetid("", 17)]); m.ir_version = 8
onnx.save(m, sys.argv[1])
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, path.join(dir, 'encoder.onnx')], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`could not write the slow encoder: ${r.stderr}`);
}

function child(mode: 'switch' | 'close') {
  return spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(repoRoot, 'tests', 'integration', 'workerRetire.child.ts'),
      slow,
      tiny,
      image,
      mode,
    ],
    { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
  );
}

beforeAll(() => {
  slow = mkdtempSync(path.join(os.tmpdir(), 'sam-slow-encoder-'));
  slowModel(slow);
});
afterAll(() => rmSync(slow, { recursive: true, force: true }));

describe('a worker inside onnxruntime is never terminated', () => {
  it('switching models during an encode: the click on the new model works, the process lives', () => {
    const r = child('switch');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/clicked on the other model: 3 candidates/);
    expect(r.stdout).toMatch(/encode rejected: the encoder worker was restarted/);
    expect(r.stdout).toMatch(/survived/);
  });

  it('closing the service during an encode waits for the run, then ends', () => {
    const r = child('close');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/encode rejected: the encoder worker was closed/);
    expect(r.stdout).toMatch(/survived/);
  });
});
