// Child process for the crash test: the backend runs an automatic pass over the project and prints
// "done <imageId>" after each image's transaction committed. The parent SIGKILLs it mid-way.
import { AppBackend } from '../../../../electron/services/appBackend.ts';
import { FIXTURE_MODEL, SMALL_AMG } from '../helpers.ts';

const [file, dataDir] = [process.argv[2]!, process.argv[3]!];
const backend = new AppBackend({
  mode: 'serve',
  dataDir,
  modelDir: FIXTURE_MODEL,
  inference: { providers: ['cpu'], threads: 1 },
});
backend.onEvent((event) => {
  if (event.type === 'auto-batch' && event.imageId !== undefined)
    process.stdout.write(`done ${event.imageId} ${event.status.done}\n`);
});
await backend.openProject(file);
const status = await backend.startAutoBatch({ kind: 'amg', params: SMALL_AMG, status: 'accepted' });
process.stdout.write(`started ${status.jobId} ${status.total}\n`);
