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
