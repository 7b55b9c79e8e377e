import { freePortInRange, runtimeContract } from '@berth/testkit';
import { describe, it } from 'vitest';
import { fakeKubeOrSkip, kubeWorld, serverSpec } from './kube-fixture.js';

const owner = `contract-kube-${process.pid}`;

if (await fakeKubeOrSkip()) {
  describe('runtime contract: kubernetes (fake-kube)', () => {
    // Only off CI: .ci/run sets BERTH_REQUIRE_DOCKER=1 (fakeKubeOrSkip throws instead) and fails on any skip.
    it.skip('needs a Docker engine (scripts/docker-up.sh) and scripts/test-images.sh', () => {});
  });
} else {
  runtimeContract('kubernetes (fake-kube)', async () => {
    const world = await kubeWorld();
    const specFor = (
      o: { instanceId: string; name: string; port: number },
      env: Record<string, string> = {},
    ) => serverSpec({ ...o, owner, env });
    return {
      runtime: world.runtime,
      owner,
      specFor: (o) => specFor(o),
      specIgnoringTermFor: (o) => specFor(o, { IGNORE_TERM: '1' }),
      // NodePorts: the top of the cluster's range (32000–32767, test/port-blocks.ts), below the kernel's
      // ephemeral ports and apart from the ports the root kubernetes tests expect.
      freePort: () => freePortInRange(32000, 32767),
      cleanup: () => world.close(),
    };
  });
}
