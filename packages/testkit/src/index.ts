export * from './manual-clock.js';
export * from './runtime.case.js';
export * from './store.case.js';
