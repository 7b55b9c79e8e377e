export { ApiClient } from './api-client.js';
export { CliError, describeFailure } from './cli-error.js';
export { EXIT_CODES } from './exit-codes.js';
export { buildProgram } from './program.js';
export { formatTable } from './table.js';
