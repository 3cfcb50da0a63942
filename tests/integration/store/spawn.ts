/** Run a child script under tsx and wait for a line on its stdout. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** `stdin: 'pipe'` lets the parent drive the child by lines (the create race). */
export function child(script: string, args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(here, 'children', script), ...args], {
    stdio: [stdin, 'pipe', 'pipe'],
  });
}

/** Resolves with the first stdout line matching `pattern`; rejects if the child exits first. */
export function waitForLine(proc: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const onData = (d: Buffer) => {
      buffer += d.toString();
      const line = buffer.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        proc.stdout!.off('data', onData);
        resolve(line);
      }
    };
    proc.stdout!.on('data', onData);
    // 'close', not 'exit': a child that prints its last line and exits may fire 'exit' before that line's
    // 'data' event is delivered (seen in CI on the create race); 'close' comes after its stdout has ended.
    proc.once('close', (code) =>
      reject(new Error(`child exited (${code}) before printing ${pattern}: ${stderr}`)),
    );
  });
}

export function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve()),
  );
}
