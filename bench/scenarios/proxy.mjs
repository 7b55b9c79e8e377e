// Scenario 7: reverse-proxy throughput and latency with wrk: a node HTTP server run as a berth
// instance, hit directly, through berth's proxy in both forms (`<instance>.localhost` and
// `/i/<instance>/` on the proxy port) and through nginx from Debian as a reverse proxy (temp
// prefix, keep-alive upstream, its default `worker_processes auto`: 2 workers here, foreground
// process killed by pid). Rounds rotate the order of the four. berth's proxy workers are
// BERTH_PROXY_WORKERS from the bench's environment (none by default); the notes say how many.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { berthHome, putTemplate, startBerth, stopBerth } from '../lib/berth.mjs';
import {
  cpuMs,
  log,
  NODE_HTTP_SERVER,
  run,
  spawnOwned,
  summary,
  tempDir,
  waitHttp200,
} from '../lib/common.mjs';
import { ratio } from './process-start.mjs';

// Below the kernel's ephemeral range (bench/README.md, "Ports").
const UPSTREAM_RANGE = [15700, 15799];
const NGINX_PORT = 15910;
const CONNECTIONS = 32;

export async function proxy({ seconds, reps }) {
  const wrk = await which('wrk');
  const nginxBin = await which('nginx');
  if (!wrk) throw new Error('wrk is not installed (apt-get install wrk; .ci/run installs it)');
  const home = await berthHome('s7');
  const server = await startBerth(home);
  let nginx;
  try {
    await putTemplate(server, {
      name: 'upstream',
      source: { kind: 'command', command: process.execPath, args: ['-e', NODE_HTTP_SERVER] },
      ports: [{ name: 'http', env: 'PORT', preferred: UPSTREAM_RANGE[0], range: UPSTREAM_RANGE }],
      restart: { policy: 'never' },
    });
    const inst = await server.api('POST', '/instances?wait=1', { template: 'upstream', name: 'up' });
    const port = inst.ports.http;
    const hostHeader = { host: 'up.localhost' };
    await waitHttp200(port);
    await waitHttp200(server.proxyPort, 10_000, hostHeader);
    const workers = process.env.BERTH_PROXY_WORKERS || '0 (the default)';
    const targets = {
      direct: { url: `http://127.0.0.1:${port}/`, headers: [] },
      berth: { url: `http://127.0.0.1:${server.proxyPort}/`, headers: ['-H', 'Host: up.localhost'] },
      path: { url: `http://127.0.0.1:${server.proxyPort}/i/up/`, headers: [] },
    };
    if (nginxBin) {
      nginx = await startNginx(nginxBin, port);
      targets.nginx = { url: `http://127.0.0.1:${NGINX_PORT}/`, headers: [] };
    }
    const kinds = Object.keys(targets);
    const results = Object.fromEntries(kinds.map((k) => [k, []]));
    // The CPU each proxy spends per request (the machine's load moves req/s far more than it moves
    // this): berth's server and its proxy workers, nginx's master and workers.
    targets.berth.cpu = targets.path.cpu = () => treeCpuMs(server.pid, 'proxy-worker');
    if (nginx) targets.nginx.cpu = () => treeCpuMs(nginx.pid);
    const bench = (k, d) => runWrk(wrk, targets[k], d);
    for (const k of kinds) await bench(k, 1); // warm-up: JIT, keep-alive pools
    // What berth's server spends with no request (its tick, sampler…), part of its CPU per request.
    const idle0 = await targets.berth.cpu();
    await new Promise((r) => setTimeout(r, 4000));
    const idleMsPerS = +(((await targets.berth.cpu()) - idle0) / 4).toFixed(1);
    for (let r = 0; r < reps; r++) {
      const order = kinds.map((_, i) => kinds[(i + r) % kinds.length]);
      for (const k of order) results[k].push(await bench(k, seconds));
    }
    const rps = (k) => summary(results[k].map((x) => x.rps));
    const p50 = (k) => summary(results[k].map((x) => x.p50));
    const p99 = (k) => summary(results[k].map((x) => x.p99));
    const cpuUs = (k) => summary(results[k].map((x) => x.cpuUs));
    const b = rps('berth');
    const pf = rps('path');
    const d = rps('direct');
    const n = nginx ? rps('nginx') : undefined;
    const rDirect = ratio(b.median, d.median);
    const rNginx = n ? ratio(b.median, n.median) : null;
    const rPath = ratio(pf.median, b.median);
    log(
      `proxy: berth ${b.median} req/s, path form ${pf.median}, direct ${d.median}, nginx ${n?.median ?? '—'}`,
    );
    const lat = (f) => ({
      'berth proxy': f('berth').median,
      'berth path form': f('path').median,
      direct: f('direct').median,
      ...(nginx ? { nginx: f('nginx').median } : {}),
    });
    return [
      {
        scenario: 'reverse proxy (host form)',
        metric: `throughput, wrk -t1 -c${CONNECTIONS} -d${seconds}s`,
        unit: 'req/s',
        berth: b,
        baselines: { direct: d, ...(n ? { 'nginx proxy': n } : {}) },
        ratio: { direct: rDirect, ...(n ? { nginx: rNginx } : {}) },
        // A proxy in front of the upstream cannot serve more than the upstream itself.
        raw: ['direct'],
        higherIsBetter: true,
        measured: `${rDirect}× direct, ${rNginx ?? '—'}× nginx`,
        target: '≥ 0.7× direct and ≥ 1.0× nginx',
        pass: rDirect >= 0.7 && (rNginx === null || rNginx >= 1.0),
        notes: [
          'upstream: one node HTTP server (a berth instance); wrk, the upstream and the proxy share the 2 cores',
          `berth's proxy workers: ${workers} beside the main process`,
          nginx
            ? 'nginx: Debian package, `worker_processes auto` (2 workers), keep-alive upstream (keepalive 64, HTTP/1.1), access log off'
            : 'nginx is not installed: no nginx baseline',
          `latency p50 (ms): ${JSON.stringify(lat(p50))}; p99 (ms): ${JSON.stringify(lat(p99))}`,
        ],
      },
      {
        scenario: 'reverse proxy',
        metric:
          'proxy CPU per request (host form; server and proxy workers against nginx master and workers)',
        unit: 'µs',
        berth: cpuUs('berth'),
        baselines: { 'path form': cpuUs('path'), ...(nginx ? { 'nginx proxy': cpuUs('nginx') } : {}) },
        ratio: nginx ? { nginx: ratio(cpuUs('berth').median, cpuUs('nginx').median) } : {},
        measured: `${cpuUs('berth').median} µs (path form ${cpuUs('path').median}, nginx ${nginx ? cpuUs('nginx').median : '—'})`,
        target: null,
        pass: null,
        notes: [`berth's server with no request: ${idleMsPerS} ms of CPU per second (4 s before the rounds)`],
      },
      {
        scenario: 'reverse proxy (path form /i/<name>/)',
        metric: `throughput, wrk -t1 -c${CONNECTIONS} -d${seconds}s`,
        unit: 'req/s',
        berth: pf,
        baselines: { 'host form': b, direct: d },
        ratio: { 'host form': rPath, direct: ratio(pf.median, d.median) },
        raw: ['direct'],
        higherIsBetter: true,
        measured: `${rPath}× the host form`,
        target: '≥ 0.8× the host form',
        pass: rPath >= 0.8,
      },
      {
        scenario: 'reverse proxy',
        metric: `latency p99 under load (-c${CONNECTIONS})`,
        unit: 'ms',
        berth: p99('berth'),
        baselines: { direct: p99('direct'), ...(nginx ? { 'nginx proxy': p99('nginx') } : {}) },
        ratio: {
          direct: ratio(p99('berth').median, p99('direct').median),
          ...(nginx ? { nginx: ratio(p99('berth').median, p99('nginx').median) } : {}),
        },
        measured: `p50 ${p50('berth').median} ms, p99 ${p99('berth').median} ms`,
        target: null,
        pass: null,
      },
    ];
  } finally {
    await nginx?.kill('SIGTERM');
    await stopBerth(server);
  }
}

async function which(cmd) {
  const r = await run('sh', ['-c', `command -v ${cmd} || ls /usr/sbin/${cmd} 2>/dev/null`]).catch(() => ({
    stdout: '',
  }));
  return r.stdout.trim().split('\n')[0] || null;
}

/** CPU of `pid` and its children (those whose command line holds `only`, when given), in ms. */
async function treeCpuMs(pid, only) {
  let total = await cpuMs(pid);
  const kids = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  for (const kid of kids.trim().split(' ').filter(Boolean)) {
    const cmd = only ? await readFile(`/proc/${kid}/cmdline`, 'utf8').catch(() => '') : '';
    if (!only || cmd.includes(only)) total += await cpuMs(Number(kid)).catch(() => 0);
  }
  return total;
}

async function runWrk(wrk, target, seconds) {
  const cpu0 = target.cpu ? await target.cpu() : 0;
  const r = await run(wrk, [
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    ...target.headers,
    target.url,
  ]);
  if (r.code !== 0) throw new Error(`wrk failed (${r.code}): ${r.stderr || r.stdout}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0);
  const errors = /Socket errors:.*/.exec(r.stdout)?.[0];
  if (!Number.isFinite(rps) || non2xx > 0)
    throw new Error(`wrk against ${target.url}: ${non2xx} non-2xx; ${errors ?? ''}\n${r.stdout}`);
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  const cpuUs = target.cpu ? +((((await target.cpu()) - cpu0) * 1000) / requests).toFixed(1) : Number.NaN;
  return { rps, p50: latencyMs(r.stdout, '50%'), p99: latencyMs(r.stdout, '99%'), cpuUs };
}

function latencyMs(out, pct) {
  const m = new RegExp(`^\\s+${pct.replace('%', '%')}\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/** nginx in the foreground with its own prefix; the handle kills its process group by pid. */
async function startNginx(bin, upstreamPort) {
  const dir = await tempDir('nginx');
  const conf = join(dir, 'nginx.conf');
  await writeFile(
    conf,
    `worker_processes auto;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream up { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${NGINX_PORT};
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`,
  );
  const p = spawnOwned(bin, ['-p', dir, '-c', conf, '-e', `${dir}/error.log`]);
  await waitHttp200(NGINX_PORT, 10_000);
  return p;
}
