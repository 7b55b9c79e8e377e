import { defineConfig } from 'vitest/config';

const include = ['packages/*/{src,test}/**/*.test.ts', 'apps/*/{src,test}/**/*.test.ts', 'test/**/*.test.ts'];
const exclude = ['**/node_modules/**', '**/dist/**'];

/**
 * Files that cannot share the machine with another test file, run one at a time after the rest:
 * - the real two-node swarm of scripts/swarm.sh is one per machine, and swarm-node-loss takes a
 *   node away from it;
 * - the kernel's reserved-port list (net.ipv4.ip_local_reserved_ports) is one per machine, and
 *   kernel-reserved-ports checks the whole list;
 * - the fault-and-abuse suite (test/abuse/) kills servers mid-write and bounds how long fast
 *   clients wait beside slow ones;
 * - files whose assertions are about time or CPU share on this machine: an event loop that never
 *   stalls a second, a busy loop's share of a core and the host's CPU, log lines timed within a
 *   second, restart waits of 200/400/800 ms that must grow, probes answered within 100–500 ms,
 *   300 processes listed from /proc within 2 s, a remote node seen gone within 5 s.
 * Everything else takes its ports from its own block (test/port-blocks.ts), its network
 * namespace's subnet from its own range (scripts/remote-docker.sh), its own temporary home and
 * file systems, and containers labelled with its own owner: it runs two files at a time.
 */
const serial = [
  'test/swarm-*.test.ts',
  'test/command-template-on-swarm.test.ts',
  'packages/runtime-docker/test/swarm-*.test.ts',
  'test/kernel-reserved-ports.test.ts',
  'test/abuse/**/*.test.ts',
  'test/big-template-file-keeps-api-answering.test.ts',
  'test/observe-resources.test.ts',
  'test/process-log-times.test.ts',
  'test/observe-restarts.test.ts',
  'packages/host/src/readiness/*.test.ts',
  'packages/runtime-process/test/process-runtime.test.ts',
  'test/docker-remote-node.test.ts',
  'test/docker-remote-unreachable.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // expect.poll's own default is 1 s: on a busy machine a page or a list can take longer to show
    // what it will show; a poll still fails when the thing never comes
    expect: { poll: { timeout: 15_000 } },
    projects: [
      {
        extends: true,
        // Two files at a time: much of a file's time is waiting (a process, a container, a page),
        // and Vitest's default on a 2-core machine is one worker (cores − 1).
        test: {
          name: 'parallel',
          include,
          exclude: [...exclude, ...serial],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'serial', include: serial, exclude, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
