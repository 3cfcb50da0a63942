/**
 * The Python model tooling (native-models/, PyTorch → ONNX) run from Node. The interpreter is $SAM_PYTHON, else
 * Debian's /usr/bin/python3 (which has python3-torch and python3-onnx), else `python3` on PATH.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../common/errors.ts';

export const NATIVE_MODELS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'native-models',
);

export function pythonExecutable(): string {
  if (process.env.SAM_PYTHON) return process.env.SAM_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export interface PythonRun {
  readonly code: number;
  readonly stderrTail: string;
}

/**
 * Run a Python script, streaming its output to ours; resolves with its exit code and last stderr lines.
 * `signal` kills it (the run then resolves with a non-zero code).
 */
export function runPython(
  args: readonly string[],
  options: { quiet?: boolean; signal?: AbortSignal } = {},
): Promise<PythonRun> {
  const python = pythonExecutable();
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return resolve({ code: 1, stderrTail: 'cancelled' });
    const child = spawn(python, args, {
      cwd: NATIVE_MODELS_DIR,
      stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'pipe'],
    });
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (!options.quiet) process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    const kill = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (error) =>
      reject(
        new UserError(
          `cannot run ${python}: ${error.message} (set SAM_PYTHON to a Python 3 with torch and onnx)`,
        ),
      ),
    );
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', kill);
      resolve({ code: code ?? 1, stderrTail: tail });
    });
  });
}

/** Fail early, in one line, when the interpreter lacks torch or onnx. */
export async function requireTorch(): Promise<void> {
  const check = await runPython(['-c', 'import torch, onnx'], { quiet: true });
  if (check.code !== 0) {
    throw new UserError(
      `${pythonExecutable()} cannot import torch and onnx, which converting a checkpoint needs ` +
        `(Debian/Ubuntu: apt install python3-torch python3-onnx; or set SAM_PYTHON to a Python that has them)`,
    );
  }
}

export function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines[lines.length - 1] ?? '';
}
