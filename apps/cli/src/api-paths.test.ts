import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const PROBE = join(SRC, '__api-paths-probe__.ts');

/** Type-checks `body` as if it were a CLI source beside api-client.ts; returns the lines with errors. */
function errorLines(body: string): number[] {
  const text = `import type { ApiClient } from './api-client.js';\ndeclare const api: ApiClient;\n${body}`;
  const config = ts.getParsedCommandLineOfConfigFile(
    join(SRC, '../tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  );
  const options = { ...config?.options, noEmit: true, composite: false, incremental: false };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => (f === PROBE ? text : readFile(f));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => f === PROBE || fileExists(f);
  const program = ts.createProgram([PROBE], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === PROBE)
    .map((d) => (d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line ?? 0) - 1);
}

describe("the CLI's calls are checked against the API document", () => {
  it('accepts the paths, methods and bodies the server has', () => {
    const ok = [
      "api.get('/instances');",
      'api.get(`/instances/${String(1)}/stats`);',
      "api.post('/instances', { template: 'web', name: 'web-1' }, { wait: 1 });",
      'api.post(`/instances/${String(1)}/start`, undefined, { wait: 1 });',
      'api.patch(`/instances/${String(1)}/config`, { config: { a: 1 } });',
      "api.delete('/tokens/abc');",
    ];
    expect(errorLines(ok.join('\n'))).toEqual([]);
  }, 60_000);

  it('refuses a path, a method or a body the server does not have', () => {
    const bad = [
      "api.get('/instance');", // no such path
      'api.post(`/instances/${String(1)}/pause`);', // no such action
      "api.delete('/instances');", // the list has no DELETE
      "api.post('/instances', { name: 'web-1' });", // `template` is required
      "api.post('/tokens', { name: 'ci', role: 'root' });", // not a role
      "api.put('/templates/x', { name: 'x' }, 1);", // put takes no query
    ];
    expect(errorLines(bad.join('\n'))).toEqual([1, 2, 3, 4, 5, 6]);
  }, 60_000);
});
