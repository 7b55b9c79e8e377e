import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerHostOf, dockerNodeEndpoint, parseDockerNodeConfig } from './docker-node-config.js';

describe('docker node config', () => {
  it('accepts tcp, tcp with TLS files or a cert folder, and ssh with a key file', () => {
    expect(parseDockerNodeConfig({ endpoint: 'tcp://100.64.1.2:2375' })).toEqual({
      endpoint: 'tcp://100.64.1.2:2375',
    });
    const tls = { ca: '/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem' };
    expect(parseDockerNodeConfig({ endpoint: 'tcp://h:2376', tls }).tls).toEqual(tls);
    expect(parseDockerNodeConfig({ endpoint: 'tcp://h', certPath: '/c' }).certPath).toBe('/c');
    expect(parseDockerNodeConfig({ endpoint: 'ssh://me@h', sshKey: '/k' }).sshKey).toBe('/k');
  });

  it('says which field is wrong', () => {
    expect(() => parseDockerNodeConfig({})).toThrow(/endpoint is required/);
    expect(() => parseDockerNodeConfig({ endpoint: 'http://h:2375' })).toThrow(/tcp:\/\/ or ssh:\/\//);
    expect(() => parseDockerNodeConfig({ endpoint: 'tcp://h', tls: { ca: '/a' } })).toThrow(
      /ca, cert and key/,
    );
    expect(() => parseDockerNodeConfig({ endpoint: 'ssh://h', certPath: '/c' })).toThrow(
      /tcp:\/\/ endpoints only/,
    );
  });

  it('takes an ssh hostKey as ssh-keygen -lf prints it, for ssh endpoints only', async () => {
    const fp = 'SHA256:rX5x7WgdvfVw4MParMrbMXbhB9lHzI5DtmPtdbokI2E';
    expect(parseDockerNodeConfig({ endpoint: 'ssh://me@h', hostKey: `${fp}=` }).hostKey).toBe(fp);
    expect(() => parseDockerNodeConfig({ endpoint: 'ssh://me@h', hostKey: 'ab:cd' })).toThrow(
      /hostKey 'ab:cd' is not a SHA256:… fingerprint/,
    );
    expect(() => parseDockerNodeConfig({ endpoint: 'tcp://h', hostKey: fp })).toThrow(
      /hostKey applies to ssh:\/\/ endpoints only/,
    );
    const ep = await dockerNodeEndpoint(parseDockerNodeConfig({ endpoint: 'ssh://me@h', hostKey: fp }), {
      knownHosts: '/etc/berth/known_hosts',
    });
    expect(ep).toEqual({
      kind: 'ssh',
      host: 'h',
      port: 22,
      username: 'me',
      hostKey: fp,
      knownHosts: '/etc/berth/known_hosts',
    });
  });

  it('reads the certificate files into the endpoint, and names a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
    for (const f of ['ca', 'cert', 'key']) writeFileSync(join(dir, `${f}.pem`), `${f}-pem`);
    const ep = await dockerNodeEndpoint(parseDockerNodeConfig({ endpoint: 'tcp://h', certPath: dir }));
    expect(ep).toEqual({
      kind: 'tcp',
      host: 'h',
      port: 2376,
      tls: { ca: 'ca-pem', cert: 'cert-pem', key: 'key-pem' },
    });
    await expect(
      dockerNodeEndpoint(parseDockerNodeConfig({ endpoint: 'tcp://h', certPath: join(dir, 'nope') })),
    ).rejects.toThrow(/tls.ca file .* cannot be read/);
    expect(dockerHostOf(await dockerNodeEndpoint({ endpoint: 'ssh://me@h:2222' }))).toBe('ssh://me@h:2222');
    expect(dockerHostOf({ kind: 'tcp', host: 'h', port: 2375 })).toBe('tcp://h:2375');
  });
});
