import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDockerode } from './lean-dockerode.js';

const require = createRequire(import.meta.url);
const loaded = (pkg: string) => Object.keys(require.cache).some((p) => p.includes(`/node_modules/${pkg}/`));

/** A local port nothing listens on (taken from the kernel, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('loadDockerode', () => {
  it('gives dockerode without ssh2 and gRPC, each loaded when first called', async () => {
    const Dockerode = loadDockerode();
    const missing = join(import.meta.dirname, 'no-such-engine.sock');
    const local = new Dockerode({ socketPath: missing });
    await expect(local.ping()).rejects.toMatchObject({ code: 'ENOENT' });
    expect(loaded('dockerode')).toBe(true);
    expect(loaded('ssh2')).toBe(false);
    expect(loaded('@grpc/grpc-js')).toBe(false);

    // docker-modem's own ssh transport (berth's ssh nodes use SshDialAgent instead) still connects.
    const overSsh = new Dockerode({
      protocol: 'ssh',
      host: '127.0.0.1',
      port: await closedPort(),
      username: 'x',
    });
    await expect(overSsh.ping()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(loaded('ssh2')).toBe(true);

    // A BuildKit build opens its gRPC session first: the dial's failure comes back from it.
    await expect(local.buildImage(Buffer.alloc(0), { version: '2' })).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(loaded('@grpc/grpc-js')).toBe(true);
  });
});
