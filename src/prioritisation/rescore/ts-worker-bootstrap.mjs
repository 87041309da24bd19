// Only when WaitWell runs from its TypeScript sources (jest): starts the scoring worker with a loader
// that transpiles .ts files (ts-worker-hooks.mjs). The build runs the compiled score-worker.js directly.
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';

register('./ts-worker-hooks.mjs', import.meta.url);
await import(workerData.entry);
