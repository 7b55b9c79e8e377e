import { describe, expect, it } from 'vitest';
import { detect } from '../src/detect.js';
import type { Detection } from '../src/detection.js';
import { plan } from '../src/plan.js';
import { memoryTree } from '../src/repo-tree.js';
import { fixedRandom } from './fixture-tree.js';

const INJECTED = '\nRUN rm -rf /';

/** Every Dockerfile instruction line: the first word of each line that is not a comment or blank. */
function instructions(dockerfile: string | null): string[] {
  return (dockerfile ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(' ')[0]!);
}

function expectNoInjection(dockerfile: string | null): void {
  expect(dockerfile).not.toMatch(/^\s*RUN rm/m);
  for (const word of instructions(dockerfile)) {
    expect(['FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'CMD']).toContain(word);
  }
}

describe('a hostile repository cannot inject Dockerfile instructions', () => {
  it('through package.json scripts, main, engines and packageManager', () => {
    const d = detect(
      memoryTree({
        'package.json': JSON.stringify({
          name: `x${INJECTED}`,
          main: `server.js${INJECTED}`,
          packageManager: `npm@10${INJECTED}`,
          engines: { node: `20${INJECTED}` },
          scripts: { start: `node server.js${INJECTED}`, build: `tsc${INJECTED}` },
          dependencies: { express: '4' },
        }),
        'server.js': 'require("express")().listen(process.env.PORT)',
      }),
    );
    expect(d.stack).toBe('node');
    expect(d.runtimeVersion).toBe('20');
    const p = plan(d, { name: 'demo', random: fixedRandom() });
    expectNoInjection(p.dockerfile);
    expect(p.dockerfile).toContain('CMD ["npm","run","start"]');
  });

  it('through a Procfile', () => {
    const d = detect(
      memoryTree({
        'requirements.txt': 'flask\n',
        'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
        Procfile: 'web: gunicorn app:app\r\nRUN rm -rf /\n',
      }),
    );
    expectNoInjection(plan(d, { name: 'demo', random: fixedRandom() }).dockerfile);
  });

  it('through a detection a person edited (every field plan reads)', () => {
    const edited: Detection = {
      ...detect(
        memoryTree({
          'package.json': JSON.stringify({ dependencies: { express: '4' }, scripts: { start: 'node a.js' } }),
        }),
      ),
      framework: `express${INJECTED}`,
      packageManager: `npm${INJECTED}`,
      runtimeVersion: `20${INJECTED}`,
      install: [['npm', `ci${INJECTED}`]],
      build: [['sh', '-c', `echo "]${INJECTED}`]],
      start: ['node', `a.js"]${INJECTED}`],
      healthPath: `/${INJECTED}`,
      staticDir: null,
    };
    const p = plan(edited, { name: 'demo', random: fixedRandom() });
    expectNoInjection(p.dockerfile);
    expect(p.dockerfile).toContain('FROM node:22-slim'); // the edited version was not a version
    expect(p.dockerfile).toContain(`CMD ${JSON.stringify(edited.start)}`);
  });

  it('through a static directory that climbs out of the build context', () => {
    const d = detect(memoryTree({ 'index.html': '<h1>hi</h1>' }));
    const p = plan({ ...d, staticDir: `../../etc${INJECTED}` }, { name: 'demo', random: fixedRandom() });
    expectNoInjection(p.dockerfile);
    expect(p.dockerfile).toContain('COPY [".","/www"]');
  });

  it('rejects a port that is not a port', () => {
    const d = detect(memoryTree({ 'index.html': '<h1>hi</h1>' }));
    expect(() => plan({ ...d, port: 70000 }, { name: 'demo' })).toThrow(/not a TCP port/);
  });
});
