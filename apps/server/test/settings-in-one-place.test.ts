import { InvalidInput } from '@berth/core';
import { defaultLogRotationPolicy } from '@berth/host';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWTH_PERCENT } from '../src/heap-growth.js';
import { loadServerConfig } from '../src/index.js';

/**
 * The server reads its settings in one place: loadServerConfig, from the environment it is given.
 * The sampler, log rotation, log format, heap growth and build ports used to be read from
 * process.env by the parts that used them, so an environment passed here did not reach them.
 */
describe('loadServerConfig reads every server setting', () => {
  const home = { home: '/tmp/berth-x' };

  it('keeps the defaults when the environment is empty', () => {
    const c = loadServerConfig(home, {});
    expect(c.heapGrowthPercent).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(c.buildPorts).toBeUndefined();
    expect(c.observe).toEqual({
      sampleSeconds: 5,
      sampleHistory: 720,
      logRotateSeconds: 10,
      logMaxBytes: defaultLogRotationPolicy.maxBytes,
      logKeep: defaultLogRotationPolicy.keep,
    });
    expect(['json', 'pretty']).toContain(c.logFormat);
  });

  it('takes each variable from the environment it is given', () => {
    const c = loadServerConfig(home, {
      BERTH_HEAP_GROWTH_PERCENT: '60',
      BERTH_LOG_FORMAT: 'json',
      BERTH_BUILD_PORTS: '22100-22199',
      BERTH_SAMPLE_SECONDS: '2',
      BERTH_SAMPLE_HISTORY: '10',
      BERTH_LOG_ROTATE_SECONDS: '3',
      BERTH_LOG_MAX_BYTES: '4096',
      BERTH_LOG_KEEP: '2',
    });
    expect(c.heapGrowthPercent).toBe(60);
    expect(c.logFormat).toBe('json');
    expect(c.buildPorts).toEqual([22100, 22199]);
    expect(c.observe).toEqual({
      sampleSeconds: 2,
      sampleHistory: 10,
      logRotateSeconds: 3,
      logMaxBytes: 4096,
      logKeep: 2,
    });
  });

  it('takes the number of proxy workers from BERTH_PROXY_WORKERS, none by default', () => {
    expect(loadServerConfig(home, {}).proxyWorkers).toBe(0);
    expect(loadServerConfig(home, { BERTH_PROXY_WORKERS: '0' }).proxyWorkers).toBe(0);
    expect(loadServerConfig(home, { BERTH_PROXY_WORKERS: '2' }).proxyWorkers).toBe(2);
    for (const bad of ['-1', 'two', '1.5', '65'])
      expect(() => loadServerConfig(home, { BERTH_PROXY_WORKERS: bad })).toThrow(InvalidInput);
  });

  it("reads the Docker adapter's settings too, from the same environment, and nothing else of it", () => {
    const c = loadServerConfig(home, {
      DOCKER_HOST: 'tcp://10.0.0.5:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/etc/docker-certs',
      SSH_AUTH_SOCK: '/run/agent.sock',
      BERTH_SSH_KNOWN_HOSTS: '/etc/berth/known_hosts',
      BERTH_BASE_IMAGES: 'node:20=mirror/node:20',
      UNRELATED: 'x',
    });
    expect(c.docker).toMatchObject({
      endpoint: {
        env: {
          DOCKER_HOST: 'tcp://10.0.0.5:2376',
          DOCKER_TLS_VERIFY: '1',
          DOCKER_CERT_PATH: '/etc/docker-certs',
        },
      },
      certPath: '/etc/docker-certs',
      ssh: { agentSocket: '/run/agent.sock', knownHosts: '/etc/berth/known_hosts' },
      baseImages: 'node:20=mirror/node:20',
    });
    expect(c.docker.endpoint.env).not.toHaveProperty('UNRELATED');
    const none = loadServerConfig(home, {}).docker;
    expect(none.endpoint.env).toEqual({});
    expect(none.ssh.agentSocket).toBeUndefined();
    expect(none.ssh.knownHosts).toMatch(/\.ssh\/known_hosts$/);
    expect(none.baseImages).toBeUndefined();
  });

  it("keeps the global port range below the kernel's ephemeral range it reads, unless BERTH_PORT_RANGE says", () => {
    const kernel = (text: string) => ({
      read: (path: string) => (path === '/proc/sys/net/ipv4/ip_local_port_range' ? text : undefined),
    });
    expect(loadServerConfig(home, {}, kernel('32768\t60999\n')).portRange.range).toEqual([20000, 32767]);
    expect(loadServerConfig(home, {}, kernel('10000\t60999\n')).portRange.range).toEqual([61000, 65535]);
    expect(loadServerConfig(home, {}, kernel('')).portRange.range).toEqual([20000, 40000]);
    const set = loadServerConfig(home, { BERTH_PORT_RANGE: '40000-41000' }, kernel('32768\t60999'));
    expect(set.portRange).toMatchObject({ range: [40000, 41000], overlapsEphemeral: true });
    expect(set.portRange.why).toMatch(/BERTH_PORT_RANGE.*overlaps the kernel's ephemeral range 32768–60999/);
  });

  it("keeps leased ports out of the kernel's reserved ports unless BERTH_RESERVE_PORTS=1", () => {
    expect(loadServerConfig(home, {}).reservePorts).toBe(false);
    expect(loadServerConfig(home, { BERTH_RESERVE_PORTS: '0' }).reservePorts).toBe(false);
    expect(loadServerConfig(home, { BERTH_RESERVE_PORTS: '1' }).reservePorts).toBe(true);
  });

  it.each([
    ['BERTH_HEAP_GROWTH_PERCENT', '-1'],
    ['BERTH_LOG_FORMAT', 'yaml'],
    ['BERTH_BUILD_PORTS', '22199-22100'],
    ['BERTH_PORT_RANGE', '20000'],
    ['BERTH_RESERVE_PORTS', 'yes'],
    ['BERTH_SAMPLE_SECONDS', '0'],
    ['BERTH_LOG_KEEP', '1.5'],
  ])('refuses %s=%s by name, as bad input', (name, value) => {
    expect(() => loadServerConfig(home, { [name]: value })).toThrow(InvalidInput);
    expect(() => loadServerConfig(home, { [name]: value })).toThrow(name);
  });
});
