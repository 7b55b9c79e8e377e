export * from './detect.js';
export * from './detection.js';
export * from './import-source.js';
export type { RandomBytes } from './plan/credentials.js';
export * from './plan.js';
export * from './read-repo-tree.js';
export * from './repo-tree.js';
