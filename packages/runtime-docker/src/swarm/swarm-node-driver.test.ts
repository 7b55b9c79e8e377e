import { InvalidInput } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { parseSwarmNodeConfig } from './swarm-node-driver.js';

function fieldOf(input: unknown): string | undefined {
  try {
    parseSwarmNodeConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInput);
    return (err as InvalidInput).details?.field as string;
  }
  return undefined;
}

describe('parseSwarmNodeConfig', () => {
  it('takes a manager endpoint like a docker node, host mode and no constraints by default', () => {
    expect(parseSwarmNodeConfig({ endpoint: 'tcp://10.0.0.5:2375' })).toEqual({
      endpoint: 'tcp://10.0.0.5:2375',
      publishMode: 'host',
      constraints: [],
    });
    expect(
      parseSwarmNodeConfig({
        endpoint: 'ssh://me@mgr',
        publishMode: 'ingress',
        constraints: ['node.role==worker'],
      }),
    ).toMatchObject({ endpoint: 'ssh://me@mgr', publishMode: 'ingress', constraints: ['node.role==worker'] });
    expect(parseSwarmNodeConfig({ endpoint: 'unix:///var/run/docker.sock' })).toMatchObject({
      endpoint: 'unix:///var/run/docker.sock',
    });
  });

  it('refuses bad input naming the field', () => {
    expect(fieldOf({})).toBe('endpoint');
    expect(fieldOf({ endpoint: 'http://x' })).toBe('endpoint');
    expect(fieldOf({ endpoint: 'tcp://x:2375', publishMode: 'mesh' })).toBe('publishMode');
    expect(fieldOf({ endpoint: 'tcp://x:2375', constraints: ['rm -rf /'] })).toBe('constraints');
    expect(fieldOf({ endpoint: 'tcp://x:2375', replicas: 2 })).toBe('config.replicas');
    expect(fieldOf({ endpoint: 'unix:///s', sshKey: '/k' })).toBe('sshKey');
  });
});
