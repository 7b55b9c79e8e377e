import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config-values.js';
import {
  isSealed,
  maskSecrets,
  mergeConfig,
  openSecrets,
  resealSecrets,
  type SecretBox,
  sealSecrets,
} from './secret-box.js';
import { validateTemplate } from './template.js';

/** Reversible and visibly different; the real box (AES-GCM, secret.key) is tested in test/instance-secrets.test.ts. */
function countingBox(): SecretBox & { sealed: number } {
  const box = {
    sealed: 0,
    seal: (plain: string) => {
      box.sealed++;
      return `${box.sealed}:${Buffer.from(plain).toString('base64')}`;
    },
    open: (sealed: string) => Buffer.from(sealed.split(':')[1]!, 'base64').toString(),
  };
  return box;
}

const template = validateTemplate({
  name: 'api',
  source: { kind: 'command', command: 'node' },
  config: {
    token: { type: 'string', secret: true },
    pin: { type: 'number', secret: true },
    region: { type: 'string' },
  },
});

describe('secret config values', () => {
  it('seals only the fields marked secret, keeping their type inside the seal', () => {
    const box = countingBox();
    const stored = sealSecrets(template, { token: 'abc', pin: 1234, region: 'eu' }, box);
    expect(isSealed(stored.token)).toBe(true);
    expect(isSealed(stored.pin)).toBe(true);
    expect(stored.region).toBe('eu');
    expect(JSON.stringify(stored)).not.toContain('abc');
    expect(openSecrets(stored, box)).toEqual({ token: 'abc', pin: 1234, region: 'eu' });
    // Sealing again leaves sealed values alone.
    expect(sealSecrets(template, stored, box)).toEqual(stored);
  });

  it('masks every sealed value in what is shown', () => {
    const stored = sealSecrets(template, { token: 'abc', region: 'eu' }, countingBox());
    expect(maskSecrets(stored, '••••')).toEqual({ token: '••••', region: 'eu' });
    expect(maskSecrets({ token: 'clear' }, '••••', ['token'])).toEqual({ token: '••••' });
  });

  it('refuses to seal or open without a box rather than storing or passing the value as it is', () => {
    expect(() => sealSecrets(template, { token: 'abc' }, undefined)).toThrow(
      /config.token .* no secrets key/,
    );
    const stored = sealSecrets(template, { token: 'abc' }, countingBox());
    expect(() => openSecrets(stored, undefined)).toThrow(/config.token is sealed/);
  });

  it('a change keeps what is left out or sent back masked, replaces what is given, clears null', () => {
    const current = { token: 'abc', region: 'eu' };
    expect(mergeConfig(current, { token: '••••', region: 'us' })).toEqual({ token: 'abc', region: 'us' });
    expect(mergeConfig(current, { token: 'new' })).toEqual({ token: 'new', region: 'eu' });
    expect(mergeConfig(current, { region: null })).toEqual({ token: 'abc' });
  });

  it('refuses the mask itself as a new secret value, naming the field', () => {
    expect(() => resolveConfig(template, { token: '••••' })).toThrow(
      /config.token is the mask berth shows for a stored secret, not a value/,
    );
    expect(resolveConfig(template, { region: '••••' })).toEqual({ region: '••••' });
  });

  it('re-seals every sealed value with the current key; null when there is none', () => {
    const box = countingBox();
    const stored = sealSecrets(template, { token: 'abc', region: 'eu' }, box);
    const again = resealSecrets(stored, box)!;
    expect(again.token).not.toBe(stored.token);
    expect(openSecrets(again, box)).toEqual({ token: 'abc', region: 'eu' });
    expect(resealSecrets({ region: 'eu' }, box)).toBeNull();
  });
});
