/** The entry point of a pipeline stage Worker (started by Pipeline; see stage.ts). Loaded in the main thread (a module walk), it does nothing. */
import { isMainThread, parentPort } from 'worker_threads';
import { Stage } from './stage';

if (!isMainThread && parentPort !== null) new Stage(parentPort);
