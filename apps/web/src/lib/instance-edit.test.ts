import { describe, expect, it } from 'vitest';
import type { InstanceView, Template } from '../api/types';
import { draftOf, editOf } from './instance-edit';

const template = {
  config: {
    greeting: { type: 'string', default: 'hi', required: false, secret: false },
    token: { type: 'string', required: false, secret: true },
  },
  ports: [{ name: 'http' }, { name: 'admin' }],
} as unknown as Template;

const instance = {
  name: 'site',
  node: 'local',
  config: { greeting: 'hi', token: '••••' },
  env: { DEBUG: '1' },
  portOverrides: { admin: 22100 },
  replicas: { desired: 1, running: 1, items: [] },
} as unknown as InstanceView;

describe('editOf', () => {
  it('an untouched draft changes nothing', () => {
    expect(editOf(instance, template, draftOf(instance))).toEqual({ body: {}, changes: [] });
  });

  it('sends only what changed, says what in words, and never shows a secret', () => {
    const draft = draftOf(instance);
    draft.config = { greeting: 'hello', token: 'new-secret' };
    draft.env = 'LEVEL=debug\n';
    draft.ports = { http: '8080', admin: '' };
    draft.replicas = '3';
    const { body, changes } = editOf(instance, template, draft);
    expect(body).toEqual({
      config: { greeting: 'hello', token: 'new-secret' },
      env: { DEBUG: null, LEVEL: 'debug' },
      ports: { http: 8080, admin: null },
      replicas: 3,
    });
    expect(changes).toEqual([
      'config.greeting: hi → hello',
      'config.token: changed',
      'env.DEBUG: 1 → (none)',
      'env.LEVEL: (none) → debug',
      'ports.http: (none) → 8080',
      'ports.admin: 22100 → (none)',
      'replicas: 1 → 3',
    ]);
    expect(changes.join(' ')).not.toContain('new-secret');
  });

  it('labels: one a line, a removed one sent as null', () => {
    const labelled = { ...instance, labels: { team: 'web', tier: 'db' } } as InstanceView;
    const draft = draftOf(labelled);
    expect(draft.labels).toBe('team=web\ntier=db');
    draft.labels = 'team=data\nowner=me';
    const { body, changes } = editOf(labelled, template, draft);
    expect(body).toEqual({ labels: { team: 'data', tier: null, owner: 'me' } });
    expect(changes).toEqual([
      'labels.team: web → data',
      'labels.tier: db → (none)',
      'labels.owner: (none) → me',
    ]);
  });
});
