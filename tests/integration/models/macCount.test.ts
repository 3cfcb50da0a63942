/**
 * Counting an ONNX graph's multiply-accumulates (issue 15, electron/models/macCount.ts) on a small graph made
 * here with onnx's helper, whose MACs are known by hand: the weight shapes come from the file, the activation
 * shapes (including one that only a run tells: a Reshape to a shape computed from Shape) from the profiler.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { countMacs } from '../../../electron/models/macCount.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sam-macs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// x [1, 3, 8, 8] → Conv 3→4, 3×3 pad 1 (weight [4, 3, 3, 3]) → [1, 4, 8, 8]
// → ConvTranspose 4→2, 2×2 stride 2 (weight [4, 2, 2, 2]) → [1, 2, 16, 16]
// → Reshape to [Shape[0]·2, 256] = [2, 256] → MatMul [256, 5] → [2, 5] → Gemm transB (B [3, 5]) → [2, 3].
const MAKE_GRAPH = `
import sys, numpy as np, onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh
w = lambda name, *shape: nh.from_array(np.ones(shape, np.float32), name)
nodes = [
  h.make_node('Conv', ['x', 'wc'], ['c'], name='conv', pads=[1, 1, 1, 1]),
  h.make_node('ConvTranspose', ['c', 'wt'], ['t'], name='convT', strides=[2, 2]),
  h.make_node('Shape', ['t'], ['s'], name='shape'),
  h.make_node('Gather', ['s', 'zero'], ['n'], name='batch'),
  h.make_node('Mul', ['n', 'two'], ['rows'], name='rows'),
  h.make_node('Concat', ['rows', 'cols'], ['shape2'], name='shape2', axis=0),
  h.make_node('Reshape', ['t', 'shape2'], ['r'], name='reshape'),
  h.make_node('MatMul', ['r', 'wm'], ['m'], name='matmul'),
  h.make_node('Gemm', ['m', 'wg'], ['y'], name='gemm', transB=1),
]
inits = [w('wc', 4, 3, 3, 3), w('wt', 4, 2, 2, 2), w('wm', 256, 5), w('wg', 3, 5),
  nh.from_array(np.array([0], np.int64), 'zero'), nh.from_array(np.array([2], np.int64), 'two'),
  nh.from_array(np.array([256], np.int64), 'cols')]
g = h.make_graph(nodes, 'g', [h.make_tensor_value_info('x', T.FLOAT, ['b', 3, 8, 8])],
  [h.make_tensor_value_info('y', T.FLOAT, None)], inits)
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid('', 17)], ir_version=8), sys.argv[1])
`;

describe('countMacs', () => {
  const file = path.join(tmp, 'g.onnx');
  const made = spawnSync('/usr/bin/python3', ['-c', MAKE_GRAPH, file], { encoding: 'utf8' });

  it.skipIf(made.error !== undefined || made.status !== 0)(
    'counts Conv, ConvTranspose, MatMul and Gemm with shapes known only at run time',
    async () => {
      const x = new ort.Tensor('float32', new Float32Array(3 * 64), [1, 3, 8, 8]);
      const conv = 4 * 64 * (3 * 9);
      const convT = 4 * 64 * (2 * 4);
      const matmul = 2 * 5 * 256;
      const gemm = 2 * 3 * 5;
      expect(await countMacs(file, { x })).toBe(conv + convT + matmul + gemm);
    },
  );

  it('names the file when it cannot count', async () => {
    await expect(countMacs(path.join(tmp, 'missing.onnx'), {})).rejects.toThrow(/missing\.onnx/);
  });
});
