import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@berth/core';
import type Dockerode from 'dockerode';
import { connectDocker, findDockerEndpoint, testDocker } from '../src/index.js';
import type { DeploySpec, ImageSource } from './spec-types.js';

export const BUSYBOX = 'berth-test/busybox:latest';
export const NODE = 'berth-test/node:20';
export const requireDocker = process.env.BERTH_REQUIRE_DOCKER === '1';

/**
 * The local engine with the test images, or undefined (with the reason printed) so the caller can
 * skip. With BERTH_REQUIRE_DOCKER=1 a missing engine or image throws: the tests fail, not skip.
 */
export async function localDocker(images: string[] = [BUSYBOX, NODE]): Promise<Dockerode | undefined> {
  const why = await unavailable(images);
  if (!why.reason) return why.docker;
  if (requireDocker) throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why.reason}`);
  console.warn(`Skipping Docker tests: ${why.reason}`);
  return undefined;
}

async function unavailable(images: string[]): Promise<{ docker?: Dockerode; reason?: string }> {
  const found = await findDockerEndpoint(silentLogger);
  if (!found) return { reason: 'no Docker endpoint was found (start one with scripts/docker-up.sh)' };
  const docker = connectDocker(found.endpoint);
  // Seconds, not a few: an engine on a loaded machine answers late, and that is not "no engine".
  const test = await testDocker(docker, { timeoutMs: 15_000 });
  if (!test.ok) return { reason: `the Docker engine does not answer (${test.reason}: ${test.message})` };
  for (const image of images) {
    try {
      await docker.getImage(image).inspect();
    } catch {
      return { reason: `image ${image} is missing (build it with scripts/test-images.sh)` };
    }
  }
  return { docker };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `berth-${prefix}-`));
}

export function imageSource(image: string, extra: Partial<ImageSource> = {}): ImageSource {
  return { kind: 'image', image, volumes: [], init: true, ...extra };
}

/** A deploy spec with everything filled in; tests override what they care about. */
export function baseSpec(
  over: Partial<DeploySpec> & Pick<DeploySpec, 'instanceId' | 'instanceName' | 'owner'>,
): DeploySpec {
  const dir = tempDir('spec');
  return {
    template: 'test',
    node: 'local',
    dataDir: join(dir, 'data'),
    logDir: join(dir, 'logs'),
    source: imageSource(BUSYBOX),
    command: [],
    cwd: dir,
    env: {},
    ports: [],
    labels: {},
    readiness: { kind: 'none' },
    readinessTimeoutMs: 15_000,
    stopTimeoutMs: 5_000,
    resources: undefined,
    replicas: 1,
    templateDir: null,
    ...over,
  };
}

/** Removes every container (and volume) of an owner, whatever state it is in. */
export async function removeOwned(docker: Dockerode, owner: string): Promise<void> {
  const filters = { label: [`berth.owner=${owner}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.allSettled(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  const { Volumes } = await docker.listVolumes({ filters });
  await Promise.allSettled((Volumes ?? []).map((v) => docker.getVolume(v.Name).remove()));
}
