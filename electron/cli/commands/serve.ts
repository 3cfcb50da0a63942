/** `sam-annotate serve`: the annotation app in a browser, backed by this machine's project store and model. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../common/errors.ts';
import { startServer } from '../../serve/server.ts';
import { AppBackend } from '../../services/appBackend.ts';
import { dataDir } from '../../node/appPaths.ts';
import { ensureRendererBuilt } from '../../node/rendererBuild.ts';
import { resolveModelDir } from '../../models/defaultModel.ts';
import { UsageError, parseFlags, positiveInteger } from '../args.ts';
import { SERVICE_FLAGS, SERVICE_HELP, serviceOptionsFrom } from '../serviceFlags.ts';

export const summary = 'serve the annotation app to a browser (127.0.0.1, token-protected)';

export const help = `Usage: sam-annotate serve [PROJECT.samproj | IMAGE_FOLDER] [--port N] [--host H] [--model DIR|NAME]
                          [--allow-write DIR]... [--allow-model-install]

Starts the annotation app and prints its URL (with a one-time token) — open it in a browser. The same app and
services as the desktop app, over a loopback HTTP bridge.

  PROJECT.samproj   open this project
  IMAGE_FOLDER      annotate the images in this folder (creates or reopens IMAGE_FOLDER/sam-annotate.samproj)
  (nothing)         start screen: open, create or try the sample project
  --port N          port (default: any free port)
  --host H          interface to listen on (default 127.0.0.1). Anything else exposes the app to your network,
                    guarded only by the token: do it on networks you trust (e.g. a GPU box for a team)
  --model DIR|NAME  model folder or installed model's name (default: the default model, see sam-annotate
                    models default; on a fresh install the built-in demo model). The app's Models panel
                    switches models while it runs.
  --allow-write DIR also let the app write in DIR (repeatable). The browser names paths on this machine, so
                    the app writes only in the open project's folder, the data folder, the folder (or the
                    project's folder) given here, and these; it refuses anything else
  --allow-model-install
                    let the app install models from URLs and add model folders of this machine (off by
                    default: a model file is code to run). Catalog models can always be installed
${SERVICE_HELP}`;

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  model: { type: 'string' },
  'allow-write': { type: 'string', multiple: true },
  'allow-model-install': { type: 'boolean' },
  ...SERVICE_FLAGS,
} as const;

/** What to open: a project file, or a folder of images with its project inside. */
function projectTarget(arg: string): { file: string; imagesDir?: string } {
  if (!existsSync(arg)) throw new UserError(`${arg}: no such project file or folder`);
  if (statSync(arg).isDirectory()) {
    const file = path.join(arg, 'sam-annotate.samproj');
    return existsSync(file) ? { file } : { file, imagesDir: arg };
  }
  return { file: arg };
}

/** The folders given with --allow-write: each must be an existing folder (a typo would silently allow nothing). */
function writeRoots(dirs: readonly string[]): string[] {
  return dirs.map((dir) => {
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(`--allow-write ${dir}: no such folder`);
    return path.resolve(dir);
  });
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('serve', argv, FLAGS, true);
  if (positionals.length > 1) throw new UsageError('serve: give at most one project or image folder');
  const host = values.host ?? '127.0.0.1';
  const port = positiveInteger('port', values.port) ?? 0;
  const target = positionals[0] ? projectTarget(positionals[0]) : undefined;
  const roots = writeRoots(values['allow-write'] ?? []);
  if (target) roots.push(path.resolve(path.dirname(target.file)));
  const rendererDir = ensureRendererBuilt();
  const model = await resolveModelDir(values.model);
  const backend = new AppBackend({
    mode: 'serve',
    dataDir: dataDir(),
    modelDir: model?.dir,
    inference: serviceOptionsFrom(values),
    limits: { allowModelInstall: !!values['allow-model-install'], writeRoots: roots },
  });
  // Anything failing from here on must stop the model's workers too, or the process never exits (issue 18).
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    if (target) {
      const summary = target.imagesDir
        ? await backend.createProject(target.file, target.imagesDir)
        : await backend.openProject(target.file);
      console.error(
        `project ${summary.file}: ${summary.imageCount} images, ${summary.annotationCount} annotations`,
      );
    }
    server = await startServer({ backend, rendererDir, host, port });
  } catch (error) {
    await backend.close();
    throw error;
  }
  if (model?.note) console.error(model.note);
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    console.error(
      `warning: listening on ${host}: anyone who can reach it and has the URL's token can use this app`,
    );
  }
  console.log(`SAM Annotate is serving ${server.url}`);
  console.error('open that URL in a browser; press Ctrl+C to stop');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await backend.close();
  return 0;
}
