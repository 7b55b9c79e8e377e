import { describe, expect, it } from 'vitest';
import type { NotificationChannelView } from '../api/types';
import { channelBody, channelForm, rulesInWords } from './notification-form';

const rules = {
  crashLoop: true,
  unhealthy: false,
  nodeUnreachable: true,
  buildFailed: true,
  buildSucceeded: false,
  portConflict: true,
};

const stored = (over: Partial<NotificationChannelView>): NotificationChannelView => ({
  name: 'ops',
  kind: 'slack',
  config: { url: '••••' },
  target: 'https://hooks.slack.com',
  rules,
  createdAt: 1,
  updatedAt: 1,
  lastDeliveryAt: null,
  lastError: null,
  lastErrorAt: null,
  pending: 0,
  ...over,
});

describe('the notification channel form', () => {
  it('starts with every rule on and no secret', () => {
    const f = channelForm();
    expect(f).toMatchObject({ kind: 'webhook', url: '', password: '', port: '587' });
    expect(Object.values(f.rules).every(Boolean)).toBe(true);
  });

  it('never holds a stored secret: the URL field starts empty and, left so, keeps the stored one', () => {
    const f = channelForm(stored({}));
    expect(f.url).toBe('');
    expect(f.rules).toEqual(rules);
    expect(channelBody(f, stored({}))).toEqual({
      name: 'ops',
      kind: 'slack',
      config: { url: '••••' },
      rules,
    });
    expect(channelBody({ ...f, url: ' https://new.example/hook ' }, stored({})).config).toEqual({
      url: 'https://new.example/hook',
    });
  });

  it('sends an e-mail channel with its port as a number, its recipients as a list, a kept password as ••••', () => {
    const mail = stored({
      kind: 'email',
      config: {
        host: 'smtp.example',
        port: 465,
        secure: true,
        username: 'b',
        password: '••••',
        from: 'a@b.c',
        to: ['x@y.z'],
      },
    });
    const f = channelForm(mail);
    expect(f).toMatchObject({ host: 'smtp.example', port: '465', secure: true, password: '', to: 'x@y.z' });
    const body = channelBody({ ...f, to: 'x@y.z, ops@y.z;dev@y.z' }, mail);
    expect(body.config).toEqual({
      host: 'smtp.example',
      port: 465,
      secure: true,
      username: 'b',
      password: '••••',
      from: 'a@b.c',
      to: ['x@y.z', 'ops@y.z', 'dev@y.z'],
    });
  });

  it('leaves an empty password out of a new channel, so none is stored', () => {
    const f = { ...channelForm(), kind: 'email' as const, host: 'h', from: 'a@b.c', to: 'x@y.z' };
    expect(channelBody(f).config).not.toHaveProperty('password');
  });

  it('says which rules are on', () => {
    expect(rulesInWords(rules)).toBe('Crash loop, Node unreachable, Build failed, Port conflict');
    expect(rulesInWords(channelForm().rules)).toBe('everything');
  });
});
