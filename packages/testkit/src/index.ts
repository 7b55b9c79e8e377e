export * from './runtime.case.js';
export * from './store.case.js';
