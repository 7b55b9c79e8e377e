export * from './manual-clock.js';
export * from './memory-store.js';
export * from './reconciler-world.js';
export * from './runtime.case.js';
export * from './scripted-runtime.js';
export * from './store.case.js';
