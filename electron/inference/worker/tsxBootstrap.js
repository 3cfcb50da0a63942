// Runs a TypeScript worker entry from source: registers tsx in this worker thread, then imports the entry.
// Used when the inference code itself runs from .ts files (CLI from the repo, tests); a bundled build points
// the Worker at compiled JavaScript instead.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
