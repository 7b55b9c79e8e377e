import { describe, expect, it } from 'vitest';
import { parseDockerNodeConfig } from './docker-node-config.js';
import { nodeAddress, parsePublicAddress, urlHost } from './node-address.js';

const node = (config: Record<string, unknown>) => ({ name: 'host-b', config });

describe('a node address (issue 15 §4)', () => {
  it("is the endpoint's host by default: tcp, tcp+TLS, ssh, IPv6", () => {
    expect(nodeAddress(node({ endpoint: 'tcp://100.64.3.2:2375' }))).toEqual({
      address: '100.64.3.2',
      from: 'endpoint',
    });
    expect(nodeAddress(node({ endpoint: 'ssh://deploy@host-b.lan:2222' })).address).toBe('host-b.lan');
    expect(nodeAddress(node({ endpoint: 'tcp://[fd00::5]:2376' })).address).toBe('fd00::5');
  });

  it('is the publicAddress when one is set, and 127.0.0.1 for this machine', () => {
    expect(
      nodeAddress(node({ endpoint: 'tcp://10.0.0.5:2375', publicAddress: 'host-b.example.lan' })),
    ).toEqual({ address: 'host-b.example.lan', from: 'setting' });
    expect(nodeAddress({ name: 'local', config: {} })).toEqual({ address: '127.0.0.1', from: 'local' });
  });

  it('takes host names and IP addresses, and refuses anything else naming the field', () => {
    expect(parsePublicAddress('Host-B.lan')).toBe('host-b.lan');
    expect(parsePublicAddress('[fd00::5]')).toBe('fd00::5');
    expect(parsePublicAddress(' 100.64.0.7 ')).toBe('100.64.0.7');
    for (const bad of ['http://h', 'h:8080', 'h/x', '', 'a b', '-h', 7])
      expect(() => parsePublicAddress(bad), String(bad)).toThrow(
        /publicAddress .* is not a host name or IP address/,
      );
    expect(() => parseDockerNodeConfig({ endpoint: 'tcp://h', publicAddress: 'tcp://x' })).toThrow(
      /publicAddress/,
    );
    expect(parseDockerNodeConfig({ endpoint: 'tcp://h', publicAddress: 'x.lan' }).publicAddress).toBe(
      'x.lan',
    );
  });

  it('goes into URLs with IPv6 in brackets', () => {
    expect(urlHost('fd00::5')).toBe('[fd00::5]');
    expect(urlHost('100.64.0.7')).toBe('100.64.0.7');
  });
});
