/** The entry point of a pipeline stage Worker (started by Pipeline; see stage.ts). */
import { parentPort } from 'worker_threads';
import { Stage } from './stage';

if (parentPort === null) throw new Error('sigprop pipeline: worker.js runs only as a worker_threads Worker started by createPipeline()');
new Stage(parentPort);
