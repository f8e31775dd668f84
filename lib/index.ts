/**
 * sigprop: Signal Propagation for Node.js. `import * as sigprop from 'sigprop'` gives the sigprop
 * API (signals, propagators, models, managers, loss, monitors, functional, utils) and `sigprop.torch`,
 * the tensor library (also `sigprop/torch`).
 */
export * as torch from './torch';
export * from './sigprop';
/** sigprop/data: datasets, transforms and a DataLoader (also `sigprop/data`). */
export * as data from './data';
