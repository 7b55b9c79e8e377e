import { describe, expect, it } from 'vitest';
import { deployBody } from './deploy-body.js';

describe('deployBody', () => {
  it('sends only what was given', () => {
    expect(deployBody('/src', { db: [] })).toEqual({ source: '/src' });
  });

  it('turns flags into overrides, a start command into arguments, never a shell line', () => {
    expect(
      deployBody('/src', { db: ['redis'], port: '8080', start: 'node  dist/main.js', healthPath: '/health' }),
    ).toEqual({
      source: '/src',
      databases: ['redis'],
      overrides: { port: 8080, start: ['node', 'dist/main.js'], healthPath: '/health' },
    });
    expect(deployBody('/src', { db: [], start: '["sh","-c","exec x $PORT"]' }).overrides?.start).toEqual([
      'sh',
      '-c',
      'exec x $PORT',
    ]);
  });

  it('--app names the app of a monorepo to deploy', () => {
    expect(deployBody('/src', { db: [], app: 'apps/web' })).toEqual({
      source: '/src',
      overrides: { app: 'apps/web' },
    });
  });

  it('--db none runs no database, even a detected one', () => {
    expect(deployBody('/src', { db: ['none'] }).databases).toEqual([]);
  });

  it('refuses a port that is not one', () => {
    expect(() => deployBody('/src', { db: [], port: '80a' })).toThrow(/--port/);
  });
});
