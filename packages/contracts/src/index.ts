export * from './error-envelope.js';
export * from './error-status.js';
export * from './instances.js';
export * from './observe.js';
export * from './ports.js';
export * from './system.js';
export * from './templates.js';
export * from './tokens.js';
