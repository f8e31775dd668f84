/** sigprop.functional: the functional interface (propagators: identity / fixed / forward; signals: the formatters). */
export * as propagators from './propagators-functional';
export * as signals from './signals-functional';
