export * from './http-probe.js';
export * from './log-line-probe.js';
export * from './look-budget.js';
export * from './port-probe.js';
export * from './probe.js';
export * from './tcp-connect.js';
export * from './wait-for-log-line.js';
export * from './wait-until-ready.js';
