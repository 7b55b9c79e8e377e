import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildService, DEFAULT_SOURCE_POLICY, ImageBuilder } from '@berth/builder';
import { silentLogger } from '@berth/core';
import {
  ComposeCli,
  ComposeRuntime,
  connectDocker,
  DockerRuntime,
  dockerHostOf,
  findDockerEndpoint,
  testDocker,
} from '@berth/runtime-docker';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';

/** The images scripts/test-images.sh makes, standing in for what plan() writes in FROM lines. */
export const BASE_IMAGES = {
  'node:20-slim': 'berth-test/node:20',
  'busybox:1.36': 'berth-test/busybox:latest',
  'python:3.11-slim': 'berth-test/python:3.11',
  'redis:7-alpine': 'berth-test/redis:7',
};

const requireDocker = process.env.BERTH_REQUIRE_DOCKER === '1';

/**
 * The local engine with the local base images, or undefined (the reason printed) so the file can
 * skip; with BERTH_REQUIRE_DOCKER=1 (CI) a missing engine or image fails instead.
 */
export async function buildDocker(): Promise<Dockerode | undefined> {
  const reason = await unavailable();
  if (typeof reason !== 'string') return reason;
  if (requireDocker) throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${reason}`);
  console.warn(`Skipping build tests: ${reason}`);
  return undefined;
}

async function unavailable(): Promise<Dockerode | string> {
  const found = await findDockerEndpoint(silentLogger);
  if (!found) return 'no Docker endpoint was found (start one with scripts/docker-up.sh)';
  const docker = connectDocker(found.endpoint);
  // Seconds, not a few: an engine on a loaded machine answers late, and that is not "no engine".
  const test = await testDocker(docker, { timeoutMs: 15_000 });
  if (!test.ok) return `the Docker engine does not answer (${test.reason})`;
  for (const image of Object.values(BASE_IMAGES)) {
    try {
      await docker.getImage(image).inspect();
    } catch {
      return `image ${image} is missing (build it with scripts/test-images.sh)`;
    }
  }
  return docker;
}

/** A BuildService over an in-process berth, its built apps leasing ports from `portRange`. */
export async function buildServiceFor(
  berth: Berth,
  docker: Dockerode,
  portRange: [number, number],
  opts: { buildTimeoutMs?: number; noCache?: boolean } = {},
): Promise<BuildService> {
  await ensureDockerRuntime(berth, docker);
  return new BuildService({
    home: berth.config.home,
    templates: berth.templates,
    instances: berth.instances,
    builder: new ImageBuilder({ docker, baseImages: BASE_IMAGES }),
    portRange,
    sources: { ...DEFAULT_SOURCE_POLICY, allowPaths: [tmpdir()] },
    ...opts,
  });
}

/**
 * Registers the local engine for image and build templates, and the compose CLI for compose
 * templates, when the composition root has not.
 */
export async function ensureDockerRuntime(berth: Berth, docker: Dockerode): Promise<void> {
  const has = (kind: 'build' | 'compose') => {
    try {
      berth.runtimes.resolve('local', kind);
      return true;
    } catch {
      return false;
    }
  };
  if (!has('build')) {
    const runtime = new DockerRuntime({ docker, node: 'local', log: silentLogger, baseImages: BASE_IMAGES });
    berth.runtimes.register(runtime, ['image', 'build']);
  }
  const found = await findDockerEndpoint(silentLogger);
  const cli = await ComposeCli.find(silentLogger);
  if (!has('compose') && cli && found) {
    const dockerHost = dockerHostOf(found.endpoint);
    const compose = new ComposeRuntime({
      docker,
      cli,
      dockerHost,
      node: 'local',
      log: silentLogger,
      childEnv: process.env,
      baseImages: BASE_IMAGES,
    });
    berth.runtimes.register(compose, ['compose']);
  }
}

/** A fixture repository copied to a temporary folder, so a test can change it. */
export async function fixtureCopy(name: string): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), `berth-${name}-`)), name);
  await cp(join(import.meta.dirname, 'fixtures', name), dir, { recursive: true });
  return dir;
}

export async function httpText(port: number, path = '/'): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}
