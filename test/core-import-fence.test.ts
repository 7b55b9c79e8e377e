// The core's import fence (biome.json): core sources reach no Node I/O module and none of our
// packages, whatever the spelling; the tests beside them may use testkit and the store. Each case
// is linted by the real Biome with the repository's biome.json, in a scratch copy of the layout.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'berth-fence-'));
mkdirSync(join(scratch, 'packages/core/src'), { recursive: true });
copyFileSync(join(repo, 'biome.json'), join(scratch, 'biome.json'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Diagnostic {
  category: string;
  location: { path: string };
}

function lintErrors(file: string, source: string): string[] {
  const path = join('packages/core/src', file);
  writeFileSync(join(scratch, path), source);
  let out: string;
  try {
    out = execFileSync(join(repo, 'node_modules/.bin/biome'), ['lint', '--reporter=json', path], {
      cwd: scratch,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (err) {
    out = (err as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as { diagnostics: Diagnostic[] };
  return report.diagnostics.map((d) => d.category);
}

const fenced = [
  "import { readFile } from 'node:fs/promises';",
  "import { hostname } from 'node:os';",
  "import { request } from 'node:https';",
  "import { Worker } from 'node:worker_threads';",
  "import { readFileSync } from 'fs';",
  "import { SqliteStore } from '@berth/store-sqlite';",
  "import type { ApiError } from '@berth/contracts';",
  "import { openDockerNodes } from '@berth/runtime-docker/src/open-docker-nodes.js';",
  "import Database from 'better-sqlite3';",
];

describe('core import fence', () => {
  it.each(fenced)('refuses `%s` in a core source file', (line) => {
    const errors = lintErrors('probe.ts', `${line}\n`);
    expect(
      errors.some((c) => c === 'lint/style/noRestrictedImports' || c === 'lint/correctness/noNodejsModules'),
    ).toBe(true);
  });

  it('lets core sources import the pure libraries and each other', () => {
    const source =
      "import { z } from 'zod';\nimport { parse } from 'yaml';\nimport { LOCAL_NODE } from './node.js';\n";
    expect(lintErrors('pure.ts', `${source}\nexport const x = [z, parse, LOCAL_NODE];\n`)).toEqual([]);
  });

  it('lets the tests beside the code use testkit and the store', () => {
    const source =
      "import { memoryStore } from '@berth/testkit';\nimport { SqliteStore } from '@berth/store-sqlite';\n\nexport const x = [memoryStore, SqliteStore];\n";
    expect(lintErrors('beside.test.ts', source)).toEqual([]);
  });
});
