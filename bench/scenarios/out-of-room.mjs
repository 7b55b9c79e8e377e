// What berth does when the host runs out (issue 20 §2, the 10,000 run's limits): a berth server
// whose room is cut, then more creates than fit. Run alone: `--only=out-of-room` (needs root and
// cgroup v1's pids controller). Ports: 16000–16199 (many's block; nothing else of the bench runs),
// then 3000–8599 as berth's global range (as ten-thousand's).
//
// Two limits, on the bench's server process only (its instances inherit them):
//   pids  — the server moved into a pids cgroup of its own (`pids.max` = its threads + `allow`): a
//           fork past it fails with EAGAIN, as on a host whose pid_max or user's process limit
//           is reached. (`ulimit -u` does not bind root, which berth runs as here.)
//   files — RLIMIT_NOFILE of the server lowered with prlimit to what it holds + `allowFiles`.
// For each: every create must answer (no 500, no dropped connection), every instance must end
// `running` or `error` with a message saying why, those running before must still run with the
// same deployment, and once the limit is lifted a start of each failed instance must bring it up.
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { berthHome, busyboxTemplate, putTemplate, startBerth, stopBerth } from '../lib/berth.mjs';
import { log, onCleanup, run, sleep, summary, tempDir } from '../lib/common.mjs';

const RANGE = [16000, 16199];
const PIDS_ROOT = '/sys/fs/cgroup/pids';

async function threadsOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function openFiles(pid) {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

/** A pids cgroup holding `pid` (and what it starts); removed on cleanup once it is empty. */
async function pidsCgroup(pid, max) {
  const dir = join(PIDS_ROOT, `berth-bench-out-of-room-${process.pid}`);
  await mkdir(dir);
  onCleanup(async () => {
    for (let i = 0; i < 50; i++) {
      try {
        await rmdir(dir);
        return;
      } catch {
        await sleep(200);
      }
    }
    log(`cleanup: ${dir} is not empty; left in place`);
  });
  await writeFile(join(dir, 'pids.max'), String(max));
  await writeFile(join(dir, 'cgroup.procs'), String(pid));
  return {
    dir,
    lift: () => writeFile(join(dir, 'pids.max'), 'max'),
    current: async () => Number((await readFile(join(dir, 'pids.current'), 'utf8')).trim()),
  };
}

/** Creates `count` instances one after the other; what each create answered. */
async function createMany(server, prefix, count) {
  const answers = [];
  for (let i = 0; i < count; i++) {
    try {
      await server.api('POST', '/instances', { template: 'tiny', name: `${prefix}-${i}` });
      answers.push('201');
    } catch (err) {
      answers.push(err.status ? String(err.status) : String(err.code ?? err.message));
    }
  }
  return answers;
}

/** Waits until none of the listed instances is still on its way; returns the list. */
async function settled(server, prefix, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = (await server.api('GET', '/instances')).filter((i) => i.name.startsWith(prefix));
    const moving = list.filter((i) => !['running', 'error', 'stopped'].includes(i.status));
    if (moving.length === 0 || Date.now() > deadline) return list;
    await sleep(300);
  }
}

function countBy(xs) {
  const m = {};
  for (const x of xs) m[x] = (m[x] ?? 0) + 1;
  return m;
}

/** One limit: cut, create, look, lift, start the failed ones, look again. */
async function underLimit(server, { name, prefix, count, cut, lift }) {
  const before = await settled(server, '');
  // The same deployment running since the same moment: not restarted, not replaced.
  const mark = (i) => `${i.status} ${i.currentDeploymentId} ${i.runningSince}`;
  const what = await cut();
  log(`${name}: ${what}`);
  const answers = await createMany(server, prefix, count);
  const list = await settled(server, prefix);
  const byStatus = countBy(list.map((i) => i.status));
  const failed = list.filter((i) => i.status === 'error');
  const messages = countBy(
    failed.map((i) => (i.errorMessage ?? '(no message)').split('\n')[0].slice(0, 160)),
  );
  const silent = failed.filter((i) => !i.errorMessage).length;
  // Those running before the cut: still there, still running, the same deployment since then.
  const after = await server.api('GET', '/instances');
  const lost = before.filter((b) => {
    const a = after.find((x) => x.id === b.id);
    return !a || mark(a) !== mark(b);
  });
  await lift();
  for (const i of failed) await server.api('POST', `/instances/${i.id}/start?wait=1`).catch(() => {});
  const again = await settled(server, prefix);
  const recovered = again.filter((i) => failed.some((f) => f.id === i.id) && i.status === 'running').length;
  const ok =
    answers.every((a) => a === '201') &&
    list.length === count &&
    silent === 0 &&
    lost.length === 0 &&
    recovered === failed.length;
  log(
    `${name}: creates answered ${JSON.stringify(countBy(answers))}; ${JSON.stringify(byStatus)}; lost ${lost.length}; after lifting, ${recovered}/${failed.length} failed ones started`,
  );
  for (const [m, n] of Object.entries(messages)) log(`   ${n} × ${m}`);
  return {
    scenario: `host out of room: ${name}`,
    metric: 'creates past the limit → a clear error each, nothing lost',
    unit: 'instances running',
    berth: summary([byStatus.running ?? 0]),
    measured: `${count} creates answered ${JSON.stringify(countBy(answers))}; ${JSON.stringify(byStatus)}; ${before.length} running before: ${lost.length} lost; ${recovered}/${failed.length} started once lifted`,
    target:
      'every create answered; each failed instance `error` with why; nothing lost; all start once lifted',
    pass: ok,
    notes: [what, ...Object.entries(messages).map(([m, n]) => `${n} × "${m}"`)],
  };
}

export async function outOfRoom({ count = 40, allow = 20, allowFiles = 1 }) {
  const home = await berthHome('oor');
  const www = await tempDir('www');
  await writeFile(join(www, 'index.html'), 'ok\n');
  // berth's global range, the ledger's fallback when the template's range is taken (by another
  // fleet in the bench's block): the stretch ten-thousand uses, which nothing else does.
  const server = await startBerth(home, { shutdown: 'stop', env: { BERTH_PORT_RANGE: '3000-8599' } });
  const rows = [];
  try {
    await putTemplate(server, busyboxTemplate('tiny', www, RANGE));
    // A few running before any limit: they must come through untouched.
    await createMany(server, 'base', 5);
    await settled(server, 'base');

    let cg;
    rows.push(
      await underLimit(server, {
        name: 'pids (cgroup pids.max)',
        prefix: 'pids',
        count,
        cut: async () => {
          const threads = await threadsOf(server.pid);
          cg = await pidsCgroup(server.pid, threads + allow);
          return `server moved into a pids cgroup with pids.max ${threads + allow} (its ${threads} threads + ${allow}; 5 instances already running elsewhere)`;
        },
        lift: () => cg.lift(),
      }),
    );

    const { stdout } = await run('prlimit', [
      '--pid',
      String(server.pid),
      '--nofile',
      '--output=SOFT,HARD',
      '--raw',
      '--noheadings',
    ]);
    const [soft, hard] = stdout.trim().split(/\s+/);
    if (!/^(\d+|unlimited)$/.test(soft ?? '') || !/^(\d+|unlimited)$/.test(hard ?? ''))
      throw new Error(`cannot read the server's RLIMIT_NOFILE: ${stdout}`);
    const prlimit = async (limit) => {
      const r = await run('prlimit', ['--pid', String(server.pid), `--nofile=${limit}:${hard}`]);
      if (r.code !== 0) throw new Error(`prlimit failed: ${r.stderr}`);
    };
    rows.push(
      await underLimit(server, {
        name: 'open files (RLIMIT_NOFILE)',
        prefix: 'files',
        count,
        cut: async () => {
          const held = await openFiles(server.pid);
          await prlimit(held + allowFiles);
          return `RLIMIT_NOFILE of the server lowered from ${soft} to ${held + allowFiles} (the ${held} files it held + ${allowFiles})`;
        },
        lift: () => prlimit(soft),
      }),
    );
    return rows;
  } finally {
    await stopBerth(server);
  }
}
