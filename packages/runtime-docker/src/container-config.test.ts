import { describe, expect, it } from 'vitest';
import { portBindings } from './container-config.js';
import { dataPath, targetSlug, volumeName } from './volume-mounts.js';

describe('container config', () => {
  it('publishes each container port on the host port the ledger chose (a command template: the same number)', () => {
    expect(
      portBindings(
        [
          { name: 'http', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
          { name: 'dns', hostPort: 5353, containerPort: 53, protocol: 'udp' },
          { name: 'admin', hostPort: 9000, containerPort: null, protocol: 'tcp' },
        ],
        '0.0.0.0',
      ),
    ).toEqual({
      '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
      '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }],
      '9000/tcp': [{ HostIp: '0.0.0.0', HostPort: '9000' }],
    });
  });

  it('names volumes after the instance and the target', () => {
    expect(targetSlug('/var/lib/Data')).toBe('var-lib-data');
    expect(volumeName('web-1', '/data')).toBe('berth-web-1-data');
  });

  it('keeps a subPath inside the data directory', () => {
    expect(dataPath('/d', 'sub/x')).toBe('/d/sub/x');
    expect(() => dataPath('/d', '../etc')).toThrow(/leaves the instance's data directory/);
  });
});
