/**
 * `sam-annotate start` (npm start) where Electron cannot start: it serves the app as the local user's desktop
 * app stand-in (issue 18): models may be installed, and projects created in the user's home folder, while
 * writes elsewhere stay refused as in `serve`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATH, TOKEN_HEADER } from '../../../electron/common/bridge.ts';
import { decodeWire, encodeWire } from '../../../electron/common/wire.ts';
import { repoRoot } from '../../helpers/paths.ts';
import { tempDir, writeImage } from '../../helpers/projects.ts';
import { exited, waitForLine } from '../store/spawn.ts';

let proc: ChildProcess;
let base: string;
let token: string;
let home: string;
let stderr = '';

async function call(method: string, args: unknown[]): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${API_PATH}/${method}`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: token },
    body: encodeWire(args) as Uint8Array<ArrayBuffer>,
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    status: response.status,
    body: response.ok ? decodeWire(bytes) : JSON.parse(Buffer.from(bytes).toString()),
  };
}

beforeAll(async () => {
  home = tempDir('sam-start-home-');
  proc = spawn(process.execPath, [path.join(repoRoot, 'electron', 'cli', 'bin.js'), 'start'], {
    // No DISPLAY: the desktop app cannot start, so start falls back to serving.
    env: {
      ...process.env,
      HOME: home,
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
      SAM_ANNOTATE_DATA: tempDir('sam-start-data-'),
    },
  });
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await waitForLine(proc, /SAM Annotate is serving http:\/\/\S+/);
  const url = new URL(/http:\/\/\S+/.exec(line)![0]);
  base = url.origin;
  token = url.searchParams.get('token')!;
}, 120_000);

afterAll(async () => {
  proc?.kill('SIGTERM');
  if (proc) await exited(proc);
});

describe('npm start without Electron', () => {
  it('says why and serves the desktop app stand-in: model installs on, writes in the home folder', async () => {
    expect(stderr).toMatch(/The desktop app cannot start here/);
    const info = await call('appInfo', []);
    expect(info.body).toMatchObject({ mode: 'serve', allowModelInstall: true });

    const photos = path.join(home, 'photos');
    mkdirSync(photos);
    await writeImage(path.join(photos, 'a.png'), 32, 24);
    const created = await call('createProject', [path.join(photos, 'p.samproj'), photos]);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(existsSync(path.join(photos, 'p.samproj'))).toBe(true);

    const outside = path.join(tempDir('sam-start-outside-'), 'stats.csv');
    const refused = await call('exportStatsCsv', [outside]);
    expect(refused.status).toBe(400);
    expect((refused.body as { message: string }).message).toMatch(/--allow-write/);
    expect(existsSync(outside)).toBe(false);
  }, 60_000);

  it('on a fresh data folder, prints the models suggested for this computer with their speed here (issue 15)', async () => {
    await waitForStderr(/Suggested for this computer/);
    expect(stderr).toMatch(/the built-in demo model \(cannot segment real photos; offline fallback\)/);
    // One line per suggestion: name, role, download size, the speed measured-here estimate, how to install it.
    expect(stderr).toMatch(
      /\n {2}(\S+) \((fastest good|most accurate)[^;]*; ~[\d.]+ [MG]B download; about [\d.]+ s per image, \d+ ms per click \(estimated\)\): sam-annotate models download \1 --default/,
    );
  }, 120_000);
});

async function waitForStderr(pattern: RegExp): Promise<void> {
  for (let i = 0; i < 600 && !pattern.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
  expect(stderr).toMatch(pattern);
}
