// Scenario 6: berth restarted while its fleet keeps running → every instance adopted. Alternates a
// clean exit (SIGTERM, shutdown policy `leave`) and a crash (SIGKILL). Measured from the moment the
// new server process is spawned to its "Recovered" log line (adoption happens before it listens),
// and to the API answering with every instance running.
import { readFile } from 'node:fs/promises';
import { crashBerth, startBerth, stopBerth, waitInstances } from '../lib/berth.mjs';
import { log, now, summary } from '../lib/common.mjs';

export async function adoptAfterRestart({ server, restarts, count, targetMs = 3000, env = {} }) {
  const adopted = [];
  const listening = [];
  const allRunning = [];
  const counts = [];
  let startup = [];
  for (let r = 0; r < restarts; r++) {
    const how = r % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
    if (how === 'SIGTERM') await stopBerth(server);
    else await crashBerth(server);
    const spawnedEpoch = Date.now();
    const t = now();
    // On the ports it had (an operator's berth comes back where its clients expect it): a fleet in
    // the bench's range may hold every other port of the servers' block by now.
    const { apiPort, proxyPort } = server;
    server = await startBerth(server.home, { shutdown: 'leave', env, apiPort, proxyPort });
    listening.push(server.readyAt - server.spawnedAt);
    const rec = await recoveredLine(server.logFile);
    if (!rec) throw new Error('the restarted server logged no "Recovered" line');
    adopted.push(rec.time - spawnedEpoch);
    counts.push(rec.adopted);
    await waitInstances(
      server,
      (list) => list.length === count && list.every((i) => i.status === 'running'),
      60_000 + count * 10,
    );
    allRunning.push(now() - t);
    startup.push(server.startupMs);
    log(
      `restart ${r + 1} (${how}): adopted ${rec.adopted} in ${rec.time - spawnedEpoch} ms, listening after ${Math.round(server.readyAt - server.spawnedAt)} ms`,
    );
  }
  const a = summary(adopted);
  startup = summary(startup);
  const allAdopted = counts.every((c) => c === count);
  return {
    server,
    rows: [
      {
        scenario: `restart berth with ${count} instances running`,
        metric: 'process spawn → all adopted ("Recovered" log line)',
        unit: 'ms',
        berth: a,
        measured: `${a.max} ms (worst), ${counts.join('/')} adopted`,
        target: `all adopted ≤ ${targetMs / 1000} s`,
        pass: allAdopted && a.max <= targetMs,
        notes: [
          `restarts alternate SIGTERM (policy leave) and SIGKILL; adopted per restart: ${counts.join(', ')}`,
          `spawn → API listening: median ${summary(listening).median} ms; spawn → GET /instances shows all running: median ${summary(allRunning).median} ms`,
          `of which module loading + startServer inside the process: median ${startup.median} ms`,
        ],
      },
    ],
  };
}

/** The pino "Recovered" line of the newest server log: { time, adopted }. */
async function recoveredLine(file) {
  const text = await readFile(file, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.includes('"Recovered"')) continue;
    try {
      const j = JSON.parse(line);
      // The server's JSON lines carry their time in ISO form (epoch ms in older logs).
      return { time: typeof j.time === 'string' ? Date.parse(j.time) : j.time, adopted: j.adopted };
    } catch {}
  }
  return undefined;
}
