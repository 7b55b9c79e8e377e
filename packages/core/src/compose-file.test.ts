import { describe, expect, it } from 'vitest';
import {
  composePort,
  composeTemplate,
  composeTemplateName,
  moveFixedPorts,
  parseComposeFile,
} from './compose-file.js';

const mem0 = `
services:
  api:
    image: mem0/openmemory
    ports:
      - "\${MEM0_PORT:-8765}:8765"
      - "127.0.0.1:\${MEM0_METRICS}:9100/tcp"
  ui:
    image: mem0/ui
    ports:
      - target: 3000
        published: "\${UI_PORT:-3000}"
  db:
    image: postgres
`;

describe('compose files as templates', () => {
  it('reads services and the host part of every ports entry', () => {
    const f = parseComposeFile(mem0, 'openmemory-compose.yaml');
    expect(f.services).toEqual(['api', 'ui', 'db']);
    expect(f.version).toBeNull();
    expect(f.images).toEqual({ api: 'mem0/openmemory', ui: 'mem0/ui', db: 'postgres' });
    expect(f.ports).toEqual([
      { service: 'api', variable: 'MEM0_PORT', hostPort: 8765, containerPort: 8765, protocol: 'tcp' },
      { service: 'api', variable: 'MEM0_METRICS', hostPort: null, containerPort: 9100, protocol: 'tcp' },
      { service: 'ui', variable: 'UI_PORT', hostPort: 3000, containerPort: 3000, protocol: 'tcp' },
    ]);
  });

  it('turns ${VAR:-default} ports into allocated ports with env VAR and preferred default', () => {
    const t = composeTemplate(mem0, '/x/compose/openmemory-compose.yaml', 'openmemory-compose.yaml');
    expect(t.name).toBe('openmemory');
    expect(t.source).toEqual({ kind: 'compose', file: 'openmemory-compose.yaml', service: 'api' });
    expect(t.ports.map((p) => [p.name, p.env, p.preferred, p.containerPort])).toEqual([
      ['mem0-port', 'MEM0_PORT', 8765, 8765],
      ['mem0-metrics', 'MEM0_METRICS', undefined, 9100],
      ['ui-port', 'UI_PORT', 3000, 3000],
    ]);
    expect(t.maxInstances).toBeUndefined();
  });

  it('reports fixed host ports as fixed ports pinned to their number (the conflict flow may move them)', () => {
    const t = composeTemplate(
      'services:\n  web:\n    image: nginx\n    ports: ["8080:80", "53:53/udp", "9000"]\n',
      'web.yml',
    );
    expect(t.ports.map((p) => [p.name, p.preferred, p.range, p.protocol, p.fixed])).toEqual([
      ['web-8080', 8080, [8080, 8080], 'tcp', true],
      ['web-53', 53, [53, 53], 'udp', true],
    ]);
    expect(t.maxInstances).toBeUndefined();
  });

  it('names templates after their file', () => {
    expect(composeTemplateName('docker-compose.redis.yml')).toBe('redis');
    expect(composeTemplateName('My_App.compose.yaml')).toBe('my-app');
    expect(composeTemplateName('compose.yaml')).toBe('compose');
  });

  it('ignores entries with no host port and says why a file is unusable', () => {
    expect(composePort('s', '80')).toBeNull();
    expect(() => parseComposeFile('version: "3"\n', 'empty.yml')).toThrow(/empty.yml .*no services/);
    expect(() => parseComposeFile('services: [', 'bad.yml')).toThrow(/bad.yml is not a usable compose file/);
  });
});

describe('moveFixedPorts', () => {
  it('moves fixed host ports in the syntax they were written in, and leaves the rest alone', () => {
    const text = [
      'x-common: &common',
      '  restart: "no"',
      'services:',
      '  web:',
      '    <<: *common',
      '    image: nginx',
      '    ports: ["127.0.0.1:8080:80", "53:53/udp", "${API_PORT:-9000}:9000"]',
      '  db:',
      '    image: pg',
      '    ports:',
      '      - target: 5432',
      '        published: 5432',
      '',
    ].join('\n');
    const moved = JSON.parse(
      moveFixedPorts(
        text,
        'c.yml',
        new Map([
          ['web-8080', 20001],
          ['db-5432', 20002],
        ]),
      ),
    );
    expect(moved.services.web.ports).toEqual(['127.0.0.1:20001:80', '53:53/udp', '${API_PORT:-9000}:9000']);
    expect(moved.services.web.restart).toBe('no');
    expect(moved.services.db.ports).toEqual([{ target: 5432, published: 20002 }]);
  });
});

describe('compose ports: edge cases of the short and long syntax', () => {
  const port = (entry: unknown) => composePort('s', entry);

  it('reads the host part after a host IP, IPv6 in brackets included', () => {
    expect(port('[::1]:8080:80')).toMatchObject({ hostPort: 8080, containerPort: 80, variable: null });
    expect(port('0.0.0.0:${P:-81}:80/udp')).toMatchObject({ variable: 'P', hostPort: 81, protocol: 'udp' });
  });

  it('reads every form of a variable host port: no default, `-default`, `:-default`, `:?required`', () => {
    expect(port('${PORT}:80')).toMatchObject({ variable: 'PORT', hostPort: null, containerPort: 80 });
    expect(port('${PORT-8080}:80')).toMatchObject({ variable: 'PORT', hostPort: 8080 });
    expect(port('${PORT:-8080}:80')).toMatchObject({ variable: 'PORT', hostPort: 8080 });
    // compose refuses to start without it: berth must allocate it, not leave it out
    expect(port('${WEB_PORT:?set WEB_PORT}:80')).toMatchObject({ variable: 'WEB_PORT', hostPort: null });
    expect(port('${WEB_PORT?}:80')).toMatchObject({ variable: 'WEB_PORT', hostPort: null });
  });

  it('publishes nothing berth must allocate for a container port alone or an engine-chosen host port', () => {
    expect(port(8080)).toBeNull();
    expect(port('127.0.0.1::80')).toBeNull();
    expect(port({ target: 53 })).toBeNull();
    expect(port(null)).toBeNull();
  });

  it('reads the long syntax with a number, a protocol and a host IP', () => {
    expect(port({ target: 53, published: 5353, protocol: 'udp', host_ip: '127.0.0.1' })).toEqual({
      service: 's',
      variable: null,
      hostPort: 5353,
      containerPort: 53,
      protocol: 'udp',
    });
  });

  it('refuses a ports entry that is not a list, naming the service', () => {
    expect(() => parseComposeFile('services:\n  web:\n    ports: "8080:80"\n', 'c.yml')).toThrow(
      'c.yml is not a usable compose file: services.web.ports must be a list',
    );
  });

  it('says a file has no services when it is empty, a list, or has none', () => {
    for (const text of ['', 'services: []\n', 'services:\n', 'name: x\n'])
      expect(() => parseComposeFile(text, 'c.yml')).toThrow(/no services/);
  });

  it('keeps the version as text and takes a service with nothing in it', () => {
    const f = parseComposeFile('version: 3.8\nservices:\n  a: ~\n  b:\n    image: x\n', 'f.yml');
    expect(f).toEqual({
      version: '3.8',
      services: ['a', 'b'],
      images: { b: 'x' },
      ports: [],
      containerNames: {},
    });
  });
});

describe('compose files as templates: naming and sharing', () => {
  it('names the conventional file names after compose itself, not after `docker`', () => {
    expect(composeTemplateName('docker-compose.yml')).toBe('compose');
    expect(composeTemplateName('/srv/app/Docker-Compose.YAML')).toBe('compose');
    expect(composeTemplateName('docker-compose.prod.yml')).toBe('prod');
    expect(composeTemplateName('api.docker-compose.yml')).toBe('api');
    expect(composeTemplateName('123.yml')).toBe('compose');
  });

  it('one variable published by two services is one port of the template', () => {
    const t = composeTemplate(
      'services:\n  a:\n    ports: ["${SHARED:-9000}:80"]\n  b:\n    ports: ["${SHARED:-9000}:81"]\n',
      'two.yml',
    );
    expect(t.ports.map((p) => [p.name, p.containerPort])).toEqual([['shared', 80]]);
  });

  it('a file without ports is a template without ports, linked to its first service', () => {
    const t = composeTemplate('services:\n  worker:\n    image: w\n  db:\n    image: pg\n', 'jobs.yml');
    expect(t.ports).toEqual([]);
    expect(t.source).toMatchObject({ kind: 'compose', service: 'worker' });
  });

  it('a required variable becomes a port berth allocates', () => {
    const t = composeTemplate('services:\n  web:\n    ports: ["${WEB_PORT:?}:80"]\n', 'web.yml');
    expect(t.ports).toMatchObject([{ name: 'web-port', env: 'WEB_PORT', containerPort: 80 }]);
    expect(t.ports[0]?.fixed).toBeUndefined();
  });

  it('moveFixedPorts leaves a file without services or ports as it was', () => {
    expect(
      JSON.parse(moveFixedPorts('services:\n  a:\n    image: x\n', 'c.yml', new Map([['a-80', 1]]))),
    ).toEqual({
      services: { a: { image: 'x' } },
    });
    expect(() => moveFixedPorts('services: [', 'c.yml', new Map())).toThrow(
      /c.yml is not a usable compose file/,
    );
  });
});
