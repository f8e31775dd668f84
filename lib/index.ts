/** sigprop: Signal Propagation for Node.js. The tensor library is `sigprop/torch`. */
export * as torch from './torch';
