/**
 * `sam-annotate serve PROJECT` on a project it cannot open (issue 18): a one-line error and a non-zero exit, not
 * a process that prints the error and then runs forever (the model's workers kept it alive).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult } from '../../helpers/cli.ts';
import { repoRoot } from '../../helpers/paths.ts';
import { newProject, tempDir } from '../../helpers/projects.ts';
import { child, exited, waitForLine } from '../store/spawn.ts';

/** Generous: the CLI starts through tsx on a busy machine. A serve that never exits is killed and fails. */
const HANG_MS = 45_000;

function serve(args: string[]): Promise<CliResult & { killed: boolean }> {
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      [path.join(repoRoot, 'electron', 'cli', 'bin.js'), 'serve', ...args],
      {
        env: { ...process.env, SAM_ANNOTATE_DATA: tempDir('sam-serve-data-') },
      },
    );
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      proc.kill('SIGKILL');
    }, HANG_MS);
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

function expectOneLineFailure(r: CliResult & { killed: boolean }, message: RegExp) {
  expect(r.killed, `serve did not exit; it printed: ${r.stderr}`).toBe(false);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

describe('sam-annotate serve on a project it cannot open', () => {
  it('an --allow-write folder that does not exist: a usage error, not a silently useless flag', async () => {
    const missing = path.join(tempDir(), 'no-such-dir');
    const r = await serve(['--allow-write', missing]);
    expectOneLineFailure(
      r,
      new RegExp(`--allow-write ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: no such folder`),
    );
    expect(r.code).toBe(2);
  });

  it('a missing project: exits non-zero with one line naming it', async () => {
    const missing = path.join(tempDir(), 'nope.samproj');
    expectOneLineFailure(await serve([missing]), new RegExp(`${path.basename(missing)}.*no such`));
  });

  it('a file that is not a project: exits non-zero with one line naming it', async () => {
    const file = path.join(tempDir(), 'notes.samproj');
    writeFileSync(file, 'these are notes, not a SQLite database\n'.repeat(20));
    expectOneLineFailure(await serve([file]), /notes\.samproj/);
  });

  it('a project open in another process: exits non-zero with the "open elsewhere" line', async () => {
    const dir = tempDir();
    newProject(dir).close();
    const file = path.join(dir, 'p.samproj');
    const holder = child('holder.ts', [file]);
    try {
      await waitForLine(holder, /^ready$/);
      expectOneLineFailure(await serve([file]), /p\.samproj: open elsewhere by process/);
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
  });
});
