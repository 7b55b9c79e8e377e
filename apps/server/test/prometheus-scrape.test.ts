import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoTemplate, startTestServer, type TestServer } from './test-server.js';

// A real Prometheus (Debian's `prometheus` package) scrapes a real berth. CI installs it; there a
// missing binary fails the run instead of skipping the test.
const found = spawnSync('prometheus', ['--version']).status === 0;
const required = process.env.CI === 'true' || process.env.BERTH_REQUIRE_DOCKER === '1';
if (!found && required) throw new Error('prometheus is not installed (apt-get install prometheus)');

// Instance ports 24872–24879, Prometheus' web port the first free of 24895–24899: this file only.
const RANGE: [number, number] = [24872, 24879];
const PROM_PORTS = [24895, 24896, 24897, 24898, 24899];

type Sample = { metric: Record<string, string>; value: [number, string] };

let t: TestServer;
let prom: ChildProcess | undefined;
let promUrl = '';
let dir = '';

async function freeOf(ports: number[]): Promise<number> {
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`none of ${ports.join(', ')} is free`);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function query(promql: string): Promise<Sample[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

const nonEmpty = async (promql: string) => {
  const r = await query(promql);
  return r.length > 0 ? r : undefined;
};

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [echoTemplate('promecho', RANGE)] });
  const created = await t.api('POST', '/instances?wait=1', { template: 'promecho', name: 'prom-1' });
  expect(created.status).toBe(201);
  const token = await t.api('POST', '/tokens', { name: 'prometheus', role: 'metrics' });
  dir = mkdtempSync(join(tmpdir(), 'berth-prometheus-'));
  writeFileSync(join(dir, 'token'), token.body.secret, { mode: 0o600 });
  const port = new URL(t.apiUrl).port;
  // honor_labels: berth's `instance` label names the berth instance; without it Prometheus would
  // move it to `exported_instance` and put its target address there.
  const config = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: berth',
    '    honor_labels: true',
    `    authorization: { credentials_file: ${join(dir, 'token')} }`,
    `    static_configs: [{ targets: ["127.0.0.1:${port}"] }]`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const webPort = await freeOf(PROM_PORTS);
  promUrl = `http://127.0.0.1:${webPort}`;
  prom = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${webPort}`,
    ],
    { stdio: 'ignore' },
  );
}, 120_000);

afterAll(async () => {
  if (prom?.pid !== undefined && prom.exitCode === null) {
    const exited = new Promise((r) => prom?.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
  }
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!found)('GET /metrics scraped by a real Prometheus', () => {
  it('needs a read token and answers in the Prometheus text format', async () => {
    expect((await fetch(`${t.apiUrl}/metrics`)).status).toBe(401);
    const res = await fetch(`${t.apiUrl}/metrics`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE berth_instance_up gauge');
    expect(text).toContain('berth_instance_up{instance="prom-1",template="promecho",node="local"} 1');
  });

  it('the target is up and PromQL returns the instance series', async () => {
    const target = await until('the berth target to be up', async () => {
      const res = await fetch(`${promUrl}/api/v1/targets`);
      const body = (await res.json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
      return body.data.activeTargets.find((x) => x.health === 'up');
    });
    expect(target.lastError).toBe('');
    const up = await until('berth_instance_up', () => nonEmpty('berth_instance_up{instance="prom-1"}'));
    expect(up[0]?.metric).toMatchObject({
      instance: 'prom-1',
      template: 'promecho',
      node: 'local',
      job: 'berth',
    });
    expect(up[0]?.value[1]).toBe('1');
    const running = await nonEmpty('berth_instance_status{instance="prom-1",status="running"}');
    expect(running?.[0]?.value[1]).toBe('1');
    expect(await nonEmpty('berth_instances{status="running"}')).toBeDefined();
    expect(Number((await nonEmpty('berth_port_leases{host="local"}'))?.[0]?.value[1])).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('counts reconciler actions, proxy traffic, API requests and samples', async () => {
    const page = await fetch(`http://127.0.0.1:${t.proxyPort}/i/prom-1/hello`);
    expect(await page.text()).toContain('hello from prom-1');
    const actions = await until('a converge counted', () =>
      nonEmpty('berth_reconciler_actions_total{action="converge",outcome="ok"}'),
    );
    expect(Number(actions[0]?.value[1])).toBeGreaterThanOrEqual(1);
    expect(await nonEmpty('berth_reconciler_action_duration_seconds_count{action="converge"}')).toBeDefined();
    const proxied = await until('the proxied request', () =>
      nonEmpty('berth_proxy_requests_total{instance="prom-1"} >= 1'),
    );
    expect(proxied).toHaveLength(1);
    expect(
      await until('bytes out', () =>
        nonEmpty('berth_proxy_bytes_total{instance="prom-1",direction="out"} > 0'),
      ),
    ).toHaveLength(1);
    expect(
      await nonEmpty(
        'berth_http_request_duration_seconds_count{route="/api/v1/instances",method="POST",status="201"}',
      ),
    ).toBeDefined();
    // The sampler's first pass gives memory and a CPU sum (BERTH_SAMPLE_SECONDS, 5 s by default).
    await until('memory', () => nonEmpty('berth_instance_memory_bytes{instance="prom-1"} > 0'));
    await until('cpu seconds', () => nonEmpty('berth_instance_cpu_seconds_total{instance="prom-1"}'));
  });

  it("drops a removed instance's series", async () => {
    expect((await t.api('DELETE', '/instances/prom-1')).status).toBe(204);
    const res = await fetch(`${t.apiUrl}/metrics`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(await res.text()).not.toContain('instance="prom-1",template=');
  });
});
