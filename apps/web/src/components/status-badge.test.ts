import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { InstanceView } from '../api/types';
import { InstanceCard } from './instance-card';
import { InstanceOverview } from './instance-overview';

const base: InstanceView = {
  id: 'i1',
  name: 'web-1',
  template: 'web',
  node: 'swarm-a',
  config: {},
  portOverrides: {},
  desiredState: 'running',
  status: 'running',
  health: null,
  errorMessage: null,
  restartCount: 0,
  runningSince: null,
  lastExitCode: null,
  nextRetryAt: null,
  currentDeploymentId: 'd1',
  dataDir: '/data/web-1',
  createdAt: 0,
  updatedAt: 0,
  replicas: { desired: 1, running: 1, items: [] },
  version: null,
  env: {},
  restart: null,
  unappliedChanges: [],
  labels: {},
  ports: {},
  url: null,
  proxyUrl: null,
  links: [],
};

const twoOfThree: InstanceView = {
  ...base,
  replicas: {
    desired: 3,
    running: 2,
    items: [
      { node: 'manager', state: 'running', reason: null, ports: [] },
      {
        node: 'worker',
        state: 'running',
        reason: null,
        ports: [{ hostPort: 20001, containerPort: 80, protocol: 'tcp' }],
      },
      { node: 'gone', state: 'failed', reason: 'node is down', ports: [] },
    ],
  },
};

const card = (instance: InstanceView) =>
  renderToStaticMarkup(
    createElement(InstanceCard, { instance, busy: undefined, error: undefined, onAction: () => {} }),
  );

describe('replicas in the UI', () => {
  it('a card shows 2/3 when two of three replicas run, marked degraded', () => {
    const html = card(twoOfThree);
    expect(html).toContain('data-replicas="2/3"');
    expect(html).toMatch(/class="badge replicas degraded"[^>]*>2\/3</);
  });

  it('a card of one workload running as it should shows no count; 3/3 is not degraded', () => {
    expect(card(base)).not.toContain('data-replicas');
    const all = card({ ...twoOfThree, replicas: { ...twoOfThree.replicas, running: 3 } });
    expect(all).toMatch(/class="badge replicas"[^>]*>3\/3</);
  });

  it('the detail lists each replica with its node, state, ports and reason', () => {
    const html = renderToStaticMarkup(createElement(InstanceOverview, { instance: twoOfThree }));
    expect(html).toContain('2 of 3 running');
    expect(html).toMatch(
      /<td>gone<\/td><td>failed<\/td><td data-replica-ports="true"><\/td><td>node is down<\/td>/,
    );
    expect(html).toMatch(/<td>worker<\/td><td>running<\/td><td data-replica-ports="true">[^<]*20001/);
    expect(html.match(/data-replica-state=/g)).toHaveLength(3);
  });
});

describe('an external instance in the UI', () => {
  const external: InstanceView = {
    ...base,
    desiredState: 'stopped',
    status: 'external',
    health: 'unhealthy',
    currentDeploymentId: null,
    replicas: { desired: 1, running: 0, items: [] },
  };

  it('a card shows the external status and its health', () => {
    const html = card(external);
    expect(html).toMatch(/class="badge status-external"[^>]*>external</);
    expect(html).toMatch(/class="badge health-unhealthy"[^>]*>unhealthy</);
  });
});
