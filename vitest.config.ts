import { defineConfig } from 'vitest/config';

const include = ['packages/*/{src,test}/**/*.test.ts', 'apps/*/{src,test}/**/*.test.ts', 'test/**/*.test.ts'];
const exclude = ['**/node_modules/**', '**/dist/**'];

/**
 * Files that cannot share the machine with another test file, run one at a time after the rest:
 * - the real two-node swarm of scripts/swarm.sh is one per machine, and swarm-node-loss takes a
 *   node away from it;
 * - the disk-full tests fill a file system to its end;
 * - the kernel's reserved-port list (net.ipv4.ip_local_reserved_ports) is one per machine;
 * - the fault-and-abuse suite (test/abuse/) kills servers mid-write and bounds how long the
 *   fast clients wait beside slow ones: what it proves must not depend on a neighbour's load.
 * Everything else takes its ports from its own block (test/port-blocks.ts), its own temporary
 * home, its own containers (labelled by owner) and its own network namespaces, and runs two files
 * at a time.
 */
const serial = [
  'test/swarm-*.test.ts',
  'test/command-template-on-swarm.test.ts',
  'packages/runtime-docker/test/swarm-*.test.ts',
  'test/disk-full.test.ts',
  'packages/store-sqlite/test/disk-full.test.ts',
  'test/kernel-reserved-ports.test.ts',
  'packages/host/src/sysctl-lease-mirror.test.ts',
  'test/abuse/**/*.test.ts',
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
        // Two files at a time: most of a file's time is waiting (a process, a container, a page),
        // and with one worker on a 2-core machine the suite took twice as long under load.
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
