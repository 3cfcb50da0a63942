// Runs exported ONNX graphs with onnxruntime-node (CPU) on inputs saved by Python, for the export smoke test
// (Python has no onnxruntime here).
//
//   node native-models/tools/smoke.mjs CASE_DIR
//
// CASE_DIR/cases.json: { "model_dir": "...", "runs": [ { "id", "file", "inputs": { name: { "dtype",
// "shape", "path" } }, "outputs": [names] } ] }, input paths relative to CASE_DIR, little-endian raw arrays.
// Writes CASE_DIR/<id>.<output>.bin (float32) and CASE_DIR/results.json ({ id: { output: { dims, path } } }).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

const ARRAYS = { float32: Float32Array, int64: BigInt64Array, uint8: Uint8Array };

function readTensor(caseDir, spec) {
  const ArrayType = ARRAYS[spec.dtype];
  if (!ArrayType) throw new Error(`unsupported input dtype ${spec.dtype}`);
  const bytes = readFileSync(path.join(caseDir, spec.path));
  // Copy into a fresh, aligned buffer: Node may hand back a slice of a shared pool at any offset.
  const data = new ArrayType(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return new ort.Tensor(spec.dtype, data, spec.shape);
}

async function main() {
  const caseDir = process.argv[2];
  if (!caseDir) throw new Error('usage: node smoke.mjs CASE_DIR');
  const cases = JSON.parse(readFileSync(path.join(caseDir, 'cases.json'), 'utf8'));
  const sessions = new Map();
  const results = {};
  for (const run of cases.runs) {
    if (!sessions.has(run.file)) {
      const file = path.join(cases.model_dir, run.file);
      sessions.set(run.file, await ort.InferenceSession.create(file, { executionProviders: ['cpu'] }));
    }
    const session = sessions.get(run.file);
    const feeds = {};
    for (const [name, spec] of Object.entries(run.inputs)) feeds[name] = readTensor(caseDir, spec);
    const outputs = await session.run(feeds);
    results[run.id] = {};
    for (const name of run.outputs) {
      const tensor = outputs[name];
      if (!tensor) throw new Error(`${run.file}: no output named ${name}`);
      if (tensor.type !== 'float32')
        throw new Error(`${run.file}: output ${name} is ${tensor.type}, expected float32`);
      const file = `${run.id}.${name}.bin`;
      const data = tensor.data;
      writeFileSync(path.join(caseDir, file), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      results[run.id][name] = { dims: tensor.dims, path: file };
    }
  }
  writeFileSync(path.join(caseDir, 'results.json'), JSON.stringify(results, null, 1));
}

main().catch((error) => {
  console.error(`smoke.mjs: ${error.message}`);
  process.exit(1);
});
