/**
 * `sam-annotate start` (npm start): the desktop app. Where Electron cannot start (no binary, no display) it says
 * why and serves the same app on 127.0.0.1 instead, printing the URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { UserError, describeError } from '../../common/errors.ts';
import { openRegistry } from '../../models/defaultModel.ts';
import { checkElectron } from '../../node/electronBinary.ts';
import { REPO_ROOT, ensureRendererBuilt } from '../../node/rendererBuild.ts';
import { parseFlags } from '../args.ts';
import { recommendationLines, speedReport } from './modelManager.ts';
import * as serve from './serve.ts';

export const summary = 'open the desktop app (or, where Electron cannot run, serve it to a browser)';

export const help = `Usage: sam-annotate start [PROJECT.samproj | IMAGE_FOLDER] [--allow-write DIR]...

Opens the desktop app. Where Electron cannot start here (its binary is not installed, or there is no display),
says so and runs "sam-annotate serve" instead: the same app in a browser, on 127.0.0.1, at the printed URL.
That stand-in is the desktop app for the user at this computer: it may install models (serve
--allow-model-install) and write in the user's home folder (serve --allow-write ~) as the desktop app may;
--allow-write DIR adds another folder (the desktop app ignores it: its user picks paths in dialogs).`;

/**
 * The fallback is the local user's own desktop app on 127.0.0.1, so it gets the desktop app's model installs
 * (the HTTP layer's token and Origin checks keep other pages out; checkpoints load without running code) and
 * may write where that user keeps photos and projects: the home folder. Elsewhere stays confined as in serve
 * (issue 18); --allow-write adds folders such as a data disk.
 */
const fallbackFlags = (): string[] => ['--allow-model-install', '--allow-write', os.homedir()];

/**
 * On a data folder with no real model yet (a fresh install), what to install: the suggestions for this computer
 * with their measured-here speed (issue 15). Runs beside the app's start (the benchmark takes a few seconds).
 */
async function suggestModels(): Promise<void> {
  try {
    const registry = openRegistry();
    if ((await registry.list()).some((e) => !e.demo && !e.problem)) return;
    const report = await speedReport(registry, { recommend: true });
    const lines = recommendationLines(report.recommendations);
    console.error(
      'No SAM model is installed yet: the built-in demo model (cannot segment real photos; offline fallback) runs.\n' +
        (lines.length
          ? `Suggested for this computer (or install from the start screen):\n${lines.join('\n')}`
          : 'Install one from the start screen or: sam-annotate models download (lists the catalog)') +
        (report.problem ? `\n(${report.problem})` : ''),
    );
  } catch (error) {
    console.error(`(no model suggestion: ${describeError(error)})`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    'start',
    argv,
    { 'allow-write': { type: 'string', multiple: true } },
    true,
  );
  const electron = checkElectron();
  void suggestModels();
  if (!electron.ok) {
    console.error(`The desktop app cannot start here: ${electron.reason}.`);
    console.error('Serving the same app to a browser instead.');
    const allowWrite = (values['allow-write'] ?? []).flatMap((dir) => ['--allow-write', dir]);
    return serve.run([...positionals, ...fallbackFlags(), ...allowWrite]);
  }
  ensureRendererBuilt();
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  for (const mode of [[], ['--mode', 'preload']]) {
    const r = spawnSync(
      process.execPath,
      [vite, 'build', '-c', 'vite.electron.config.ts', '--logLevel', 'warn', ...mode],
      { cwd: REPO_ROOT, stdio: 'inherit' },
    );
    if (r.status !== 0) throw new UserError('building the desktop app failed (see the messages above)');
  }
  // The backend process opens this project at start (electron/main/backendProcess.ts).
  const env = positionals[0]
    ? { ...process.env, SAM_ANNOTATE_OPEN: path.resolve(positionals[0]) }
    : process.env;
  const child = spawn(electron.binary, [REPO_ROOT], { stdio: 'inherit', env });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 0)));
}
