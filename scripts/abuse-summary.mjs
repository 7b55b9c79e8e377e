// Prints the figures the fault-and-abuse suite (test/abuse/) left behind: one JSON file per test
// file in the summary folder (BERTH_ABUSE_SUMMARY). Fails when the fuzz run left none, so the
// closing note never reports figures from a run that did not happen.
// Usage: node scripts/abuse-summary.mjs <folder>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/abuse-summary.mjs <summary-folder>');
  process.exit(2);
}
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json'));
} catch {
  // reported below
}
if (!files.includes('fuzz-openapi.json')) {
  console.error(`no fuzz figures in ${dir}: did test/abuse/fuzz-openapi.test.ts run?`);
  process.exit(1);
}
for (const file of files.sort()) {
  const figures = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  console.log(`${file.replace(/\.json$/, '')}: ${JSON.stringify(figures)}`);
}
