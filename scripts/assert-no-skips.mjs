// CI runs every test: a test that skips there (a missing engine, image, CLI or root) hides a
// feature that was never checked. Reads vitest's JSON report and fails naming each skipped test.
// Usage: node scripts/assert-no-skips.mjs <vitest-report.json>
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/assert-no-skips.mjs <vitest-report.json>');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const skipped = report.testResults.flatMap((f) =>
  f.assertionResults
    .filter((t) => t.status !== 'passed' && t.status !== 'failed')
    .map((t) => `${f.name.replace(`${process.cwd()}/`, '')}: ${t.fullName} (${t.status})`),
);
if (skipped.length > 0) {
  console.error(`${skipped.length} test(s) did not run in CI:\n  ${skipped.join('\n  ')}`);
  process.exit(1);
}
console.log(`all ${report.numTotalTests} tests ran (none skipped or todo)`);
