import { describe, expect, it } from 'vitest';
import { defaultLocalNames, hostKey, hostKeyOfUrl } from './host-key.js';

const local = defaultLocalNames('box.lan');

describe('hostKey', () => {
  it('maps this machine to local', () => {
    for (const h of ['localhost', '127.0.0.1', '127.0.1.1', '[::1]', '0.0.0.0', 'BOX.lan', 'box', 'local']) {
      expect(hostKey(h, local)).toBe('local');
    }
  });

  it('keeps other hosts as given, normalised', () => {
    expect(hostKey('Prod-B.Example.com.', local)).toBe('prod-b.example.com');
    expect(hostKey('[fd00::5]', local)).toBe('fd00::5');
    expect(hostKey('10.0.0.5', local)).toBe('10.0.0.5');
  });

  it('reads the host of a URL, with or without a scheme', () => {
    expect(hostKeyOfUrl('tcp://10.0.0.5:2375', local)).toBe('10.0.0.5');
    expect(hostKeyOfUrl('10.0.0.6:9001', local)).toBe('10.0.0.6');
    expect(hostKeyOfUrl('https://localhost:8120', local)).toBe('local');
    expect(hostKeyOfUrl('unix:///var/run/docker.sock', local)).toBeUndefined();
  });
});
