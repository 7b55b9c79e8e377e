import type { Detection } from '@berth/contracts';
import { describe, expect, it } from 'vitest';
import { formatDetection } from './format-detection.js';

const detection: Detection = {
  stack: 'node',
  framework: 'turborepo',
  confidence: 95,
  evidence: [{ file: 'turbo.json', reason: 'monorepo (turborepo) with 3 packages, 2 deployable' }],
  packageManager: 'npm',
  runtimeVersion: '22',
  install: [['npm', 'ci']],
  build: [['node_modules/.bin/turbo', 'run', 'build', '--filter=web']],
  start: ['next', 'start'],
  port: 3000,
  portFromEnv: true,
  healthPath: '/',
  databases: [],
  staticDir: null,
  notes: ['deploying apps/web, as asked'],
  monorepo: {
    tool: 'turborepo',
    app: 'apps/web',
    packages: [
      { path: 'apps/docs', stack: 'node', framework: 'next', deployable: true },
      { path: 'apps/web', stack: 'node', framework: 'next', deployable: true },
      { path: 'packages/ui', stack: 'node', framework: null, deployable: false },
    ],
  },
};

describe('formatDetection', () => {
  it('marks the app of a monorepo that is deployed, and the libraries', () => {
    const text = formatDetection({ source: '/src', name: 'web', detection, plan: null, planError: 'x' });
    expect(text).toContain('  apps/web (node / next, deployed)');
    expect(text).toContain('  apps/docs (node / next)\n');
    expect(text).toContain('  packages/ui (node, library)');
    expect(text).toContain('build       node_modules/.bin/turbo run build --filter=web');
  });
});
