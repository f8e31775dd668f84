/** sigprop/serve: the training service (an HTTP server that answers while a sigprop model trains in a Worker); see docs/threads.md. */
export { TrainingService, startService, serviceArgs } from './service';
export type { ServiceOptions, TrainerState } from './service';
export { HttpError, parseImage } from './http';
export { SNAPSHOT_FORMAT } from './trainer';
