import { composeTemplate } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { detect } from '../detect.js';
import { plan } from '../plan.js';
import { memoryTree } from '../repo-tree.js';
import { deployCompose } from './deploy-compose.js';

const zeros = (n: number) => new Uint8Array(n);

describe('deployCompose', () => {
  const d = detect(memoryTree({ 'package.json': '{"scripts":{"start":"node s.js"}}', 's.js': '' }));
  const planned = plan(d, { name: 'demo', databases: ['redis'], random: zeros });
  const text = deployCompose(planned.compose, 'berth-build/demo:abc', d.port);

  it('runs the built image on a leased port, beside the databases, without building or restarting itself', () => {
    const doc = parse(text);
    expect(doc.name).toBeUndefined();
    expect(doc.services.app).toMatchObject({
      image: 'berth-build/demo:abc',
      init: true,
      ports: [`\${HTTP_PORT:-${d.port}}:${d.port}`],
      depends_on: { redis: { condition: 'service_healthy' } },
    });
    expect(doc.services.app.build).toBeUndefined();
    expect(doc.services.app.restart).toBeUndefined();
    expect(doc.services.app.environment.REDIS_URL).toMatch(/^redis:\/\/:\w+@redis:6379\/0$/);
    expect(Object.keys(doc.services)).toEqual(['app', 'redis']);
  });

  it('is a compose template whose one port berth allocates', () => {
    const t = composeTemplate(text, '/b/deploy.compose.yml', '/b/deploy.compose.yml');
    expect(t.ports).toEqual([
      expect.objectContaining({ env: 'HTTP_PORT', containerPort: d.port, preferred: d.port }),
    ]);
  });
});
