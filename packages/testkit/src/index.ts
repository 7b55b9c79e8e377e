export * from './runtime.case.js';
