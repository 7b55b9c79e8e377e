#!/usr/bin/env node
// berth's benchmarks: every scenario, berth and its baseline interleaved in one run.
//   node bench/run.mjs                  full run → bench/results/<date>.json + .md
//   node bench/run.mjs --smoke          tiny sizes, 1 repetition: checks that the harness works
//   node bench/run.mjs --only=proxy,leases   a subset (ids below)
//   node bench/run.mjs --reps=5 --out=dir
//   node bench/run.mjs --only=ten-thousand --count=2000   scenario 12 with a smaller fleet
// Exit code: 0 when the harness ran (targets missed in --smoke are not failures), 1 when a
// scenario broke; with --strict, 2 when a full run missed a target or a row is suspect (berth beat a
// raw baseline: see beatenRaw).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { log, ROOT, runCleanups } from './lib/common.mjs';

/** Loaded when its scenario runs, so one broken scenario cannot stop the others. */
const scenario = (file, name) => async (opts) => (await import(`./scenarios/${file}.mjs`))[name](opts);
const processStart = scenario('process-start', 'processStart');
const containerStart = scenario('container-start', 'containerStart');
const nodeTwenty = scenario('node-twenty', 'nodeTwenty');
const manyInstances = scenario('many-instances', 'manyInstances');
const adoptAfterRestart = scenario('adopt-restart', 'adoptAfterRestart');
const leases = scenario('leases', 'leases');
const proxy = scenario('proxy', 'proxy');
const detectInPlace = scenario('detect', 'detectInPlace');
const swarmTen = scenario('swarm-ten', 'swarmTen');
const newcomer = scenario('newcomer', 'newcomer');
const dockerScan = scenario('docker-scan', 'dockerScan');
const tenThousand = scenario('ten-thousand', 'tenThousand');
const outOfRoom = scenario('out-of-room', 'outOfRoom');

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
const smoke = Boolean(args.smoke);

/** Sizes per mode; --reps overrides the repetitions of every scenario. */
const plan = smoke
  ? {
      s1: 2,
      s2: 1,
      s3: 1,
      many: 20,
      listRequests: 50,
      samplerWindowMs: 2500,
      samplerRounds: 1,
      leaseCount: 500,
      preflights: 20,
      restarts: 1,
      proxySeconds: 1,
      proxyReps: 1,
      detectReps: 2,
      scanContainers: 20,
      scanReps: 2,
    }
  : {
      s1: 15,
      s2: 7,
      s3: 5,
      many: 1000,
      listRequests: 300,
      samplerWindowMs: 10_000,
      samplerRounds: 3,
      leaseCount: 10_000,
      preflights: 200,
      restarts: 3,
      proxySeconds: 8,
      proxyReps: 3,
      detectReps: 25,
      scanContainers: 500,
      scanReps: 15,
    };
const reps = (n) => (args.reps ? Number(args.reps) : n);

const scenarios = [
  { id: 'process-start', run: () => processStart({ reps: reps(plan.s1), warmup: smoke ? 0 : 2 }) },
  { id: 'container-start', run: () => containerStart({ reps: reps(plan.s2), warmup: smoke ? 0 : 1 }) },
  { id: 'node-twenty', run: () => nodeTwenty({ reps: reps(plan.s3), count: 20, warmup: smoke ? 0 : 1 }) },
  {
    id: 'many',
    // 1,000 instances, then berth restarted with them running (scenarios 4 and 6 share the fleet).
    run: () =>
      manyInstances({
        count: plan.many,
        listRequests: plan.listRequests,
        samplerWindowMs: plan.samplerWindowMs,
        samplerRounds: plan.samplerRounds,
        afterwards: (server) =>
          adoptAfterRestart({ server, restarts: reps(plan.restarts), count: plan.many }),
      }),
  },
  {
    id: 'leases',
    run: () => leases({ count: plan.leaseCount, preflights: plan.preflights, reps: smoke ? 1 : 3 }),
  },
  { id: 'proxy', run: () => proxy({ seconds: plan.proxySeconds, reps: reps(plan.proxyReps) }) },
  { id: 'detect', run: () => detectInPlace({ reps: reps(plan.detectReps) }) },
  {
    id: 'docker-scan',
    run: () => dockerScan({ count: plan.scanContainers, reps: reps(plan.scanReps) }),
  },
  // A real two-node swarm (root, scripts/swarm.sh) takes a minute to come up and each round of 10
  // services several seconds: not part of --smoke (run it with --only=swarm).
  {
    id: 'swarm',
    skipInSmoke: true,
    run: () => swarmTen({ reps: reps(smoke ? 1 : 6), count: 10, warmup: smoke ? 0 : 1 }),
  },
  // A fresh clone, `npm install` and two `npm start`s take minutes: not part of --smoke either.
  { id: 'newcomer', skipInSmoke: true, run: () => newcomer({ restarts: reps(3) }) },
  // 10,000 busybox httpd on 2 cores (issue 20 §2): creating them alone takes minutes and it needs
  // the system limits of bench/README.md — only with --only=ten-thousand (--smoke with it: 200;
  // --count=N for a smaller fleet with the full run's other sizes).
  {
    id: 'ten-thousand',
    skipInSmoke: true,
    skipInFull: true,
    run: () =>
      tenThousand({
        count: args.count ? Number(args.count) : smoke ? 200 : 10_000,
        listRequests: smoke ? 20 : 300,
        samplerWindowMs: smoke ? 6000 : 20_000,
        samplerRounds: smoke ? 1 : 3,
        restarts: reps(smoke ? 1 : 2),
      }),
  },
  // The host running out (pids, open files) with berth's server cut short: root, cgroup v1 pids.
  { id: 'out-of-room', skipInSmoke: true, skipInFull: true, run: () => outOfRoom({}) },
];

function machine() {
  const c = cpus();
  let kernel = release();
  try {
    kernel = execFileSync('uname', ['-srv'], { encoding: 'utf8' }).trim();
  } catch {}
  return {
    hostname: hostname(),
    cpuModel: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryBytes: totalmem(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/**
 * The raw baselines (`row.raw`) a row's berth figure beats: berth runs the same program as a raw
 * baseline plus work of its own, so it cannot be faster (or, for throughput, `higherIsBetter`,
 * serve more) than that baseline. Such a ratio is a bench defect until explained (issue 20 §1):
 * the row is marked suspect with a note, and --strict fails.
 */
function beatenRaw(r) {
  return (r.raw ?? []).filter((k) => {
    const v = r.ratio?.[k];
    return typeof v === 'number' && (r.higherIsBetter ? v > 1 : v < 1);
  });
}

function markSuspect(r) {
  const beaten = beatenRaw(r);
  if (beaten.length === 0) return;
  r.suspect = true;
  const how = r.higherIsBetter ? 'above' : 'below';
  r.notes = [
    ...(r.notes ?? []),
    ...beaten.map(
      (k) =>
        `ratio ${r.ratio[k]}× against the raw baseline '${k}' is ${how} 1.0: berth cannot beat running the same program without it — a bench defect (or noise) until explained`,
    ),
  ];
}

const fmt = (x) => (typeof x === 'number' ? (Number.isFinite(x) ? String(x) : '—') : (x ?? '—'));

function markdown(report) {
  const m = report.machine;
  const lines = [
    `# berth benchmarks — ${report.date}${report.smoke ? ' (smoke)' : ''}`,
    '',
    `Machine: **${m.hostname}** — ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.kernel}.`,
    `Commit ${report.commit ?? '?'}; load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${report.loadAverageAtEnd.join(' / ')}.`,
    `Conditions: ${report.conditions}`,
    '',
    '| scenario | metric | berth median | min | max | baseline (median) | ratio | target | measured | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.results) {
    const base = Object.entries(r.baselines ?? {})
      .map(([k, v]) => `${k}: ${fmt(v.median)}`)
      .join('; ');
    const ratio = Object.entries(r.ratio ?? {})
      .map(([k, v]) => `${fmt(v)}× ${k}`)
      .join('; ');
    const verdict = r.suspect ? '**suspect**' : r.pass === null ? 'info' : r.pass ? 'pass' : '**miss**';
    lines.push(
      `| ${r.scenario} | ${r.metric} (${r.unit}) | ${fmt(r.berth?.median)} | ${fmt(r.berth?.min)} | ${fmt(r.berth?.max)} | ${base || '—'} | ${ratio || '—'} | ${r.target ?? '—'} | ${r.measured ?? '—'} | ${verdict} |`,
    );
  }
  const notes = report.results.flatMap((r) =>
    (r.notes ?? []).map((n) => `- ${r.scenario} — ${r.metric}: ${n}`),
  );
  if (notes.length > 0) lines.push('', '## Notes', '', ...notes);
  if (report.errors.length > 0)
    lines.push('', '## Errors', '', ...report.errors.map((e) => `- ${e.scenario}: ${e.message}`));
  lines.push('', 'Samples of every row are in the JSON file next to this one.', '');
  return lines.join('\n');
}

async function main() {
  const only = typeof args.only === 'string' ? new Set(args.only.split(',')) : undefined;
  const started = new Date();
  const report = {
    date: started.toISOString().slice(0, 10),
    startedAt: started.toISOString(),
    smoke,
    commit: gitCommit(),
    machine: machine(),
    conditions:
      'one run, berth and its baselines interleaved; other engineers’ test suites may run on the same 2-core machine at the same time, so absolute figures are noisy.',
    results: [],
    errors: [],
  };
  for (const s of scenarios) {
    if (only && !only.has(s.id)) continue;
    if (smoke && s.skipInSmoke && !only) continue;
    if (s.skipInFull && !only) continue;
    log(`── ${s.id}${smoke ? ' (smoke)' : ''}`);
    const t = performance.now();
    try {
      const rows = await s.run();
      report.results.push(...rows);
      for (const r of rows) {
        markSuspect(r);
        const verdict = r.pass === null ? 'info' : r.pass ? 'pass' : 'MISS';
        log(
          `   ${r.metric}: median ${r.berth?.median} ${r.unit} → ${verdict}${r.suspect ? ' (SUSPECT)' : ''}`,
        );
      }
    } catch (err) {
      log(`   ${s.id} failed: ${err?.stack ?? err}`);
      report.errors.push({ scenario: s.id, message: String(err?.message ?? err) });
    } finally {
      await runCleanups();
    }
    log(`   ${s.id} took ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  report.finishedAt = new Date().toISOString();
  report.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);

  const outDir = typeof args.out === 'string' ? args.out : join(ROOT, 'bench', 'results');
  // A run of some scenarios only is named after them: 2026-12-04-docker-scan.json.
  const ids = only ? `-${[...only].join('+')}` : '';
  const name = smoke ? `smoke-${report.date}${ids}` : `${report.date}${ids}`;
  if (!smoke || args.out) {
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(outDir, `${name}.md`), markdown(report));
    log(`wrote ${join(outDir, `${name}.json`)} and .md`);
  }
  process.stdout.write(markdown(report));
  if (report.errors.length > 0) return 1;
  if (args.strict && !smoke && report.results.some((r) => r.pass === false || r.suspect)) return 2;
  return 0;
}

let exiting = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (exiting) process.exit(130);
    exiting = true;
    log(`${sig}: cleaning up`);
    await runCleanups();
    process.exit(130);
  });
}

if (!existsSync(join(ROOT, 'apps', 'server', 'dist', 'index.js'))) {
  log('the workspace is not built: run `npx tsc -b` first');
  process.exit(1);
}
const code = await main();
// PM2's client and dockerode may keep handles open; everything the bench started is gone by now.
process.exit(code);
