#!/usr/bin/env node
// First the server's young generation is kept small (its module says why): the rest is imported
// after, as V8 reads every statically imported module before running the first.
import '@berth/server/young-generation';

await import('./run-cli.js');
