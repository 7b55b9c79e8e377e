import { describe, expect, it } from 'vitest';
import { parseComposeFile } from './compose-file.js';
import { composePrimary, composeScaleRefusal } from './compose-replicas.js';

const file = (text: string) => parseComposeFile(text, 'c.yml');

const webAndDb = file(`services:
  web:
    image: web
    ports: ["8080:80"]
  db:
    image: postgres
`);

const workers = file(`services:
  worker:
    image: w
    ports: ["80", "127.0.0.1::9000"]
  cache:
    image: redis
    ports: ["\${CACHE_PORT:-6379}:6379"]
`);

describe('which compose service scales, and when it cannot', () => {
  it('the primary is the template’s service, else the first publishing a port, else the first', () => {
    expect(composePrimary(webAndDb)).toBe('web');
    expect(composePrimary(webAndDb, 'db')).toBe('db');
    expect(composePrimary(workers)).toBe('cache');
    expect(composePrimary(file('services:\n  a: {}\n  b: {}\n'))).toBe('a');
  });

  it('refuses a primary that publishes a fixed host port, naming the service and the port', () => {
    expect(composeScaleRefusal(webAndDb, undefined, 3)).toBe(
      'service web publishes host port 8080, and one host port cannot be shared by 3 ' +
        'containers — publish the container port alone (the engine then gives each container its own ' +
        'host port) or create 3 instances instead',
    );
    expect(composeScaleRefusal(webAndDb, undefined, 1)).toBeNull();
  });

  it('refuses a primary that publishes a port berth leases (${VAR})', () => {
    expect(composeScaleRefusal(workers, 'cache', 2)).toMatch(
      /^service cache publishes the host port berth leases for \$\{CACHE_PORT\}, and one host port cannot be shared by 2 containers/,
    );
  });

  it('scales a primary with container ports only (engine-chosen host ports) or none', () => {
    expect(composeScaleRefusal(workers, 'worker', 3)).toBeNull();
    expect(composeScaleRefusal(webAndDb, 'db', 3)).toBeNull();
  });

  it('refuses a primary with a container_name', () => {
    const named = file('services:\n  w:\n    image: w\n    container_name: the-one\n');
    expect(composeScaleRefusal(named, undefined, 2)).toBe(
      'service w sets container_name the-one, which 2 containers cannot share',
    );
  });
});
