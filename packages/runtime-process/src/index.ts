export * from './child-registry.js';
export * from './cpu-meter.js';
export * from './markers.js';
export * from './process-group.js';
export * from './process-node-part.js';
export * from './process-runtime.js';
export * from './readiness.js';
export * from './spawn-workload.js';
