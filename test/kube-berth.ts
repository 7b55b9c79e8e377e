import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeKube, type FakeKubeOptions } from '@berth/fake-kube';
import type { Berth } from '@berth/server';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

/**
 * Why fake-kube cannot run its pods here (the images it runs them from are missing), else
 * undefined; under BERTH_REQUIRE_DOCKER=1 (CI) a reason is an error, not a skip.
 */
export async function kubeUnavailable(images: string[]): Promise<string | undefined> {
  const why = await FakeKube.unavailable(images);
  if (why && process.env.BERTH_REQUIRE_DOCKER === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why}`);
  return why;
}

export interface KubeBerth {
  berth: Berth;
  kube: FakeKube;
  home: string;
  /** Removes every instance, closes berth and the cluster, deletes the home. */
  close(): Promise<void>;
}

/**
 * A berth on a temporary home with `templates` (file name → YAML) and a fake-kube cluster; with
 * `node`, a kubernetes node named `kube` of that config (the kubeconfig added) is there already.
 */
export async function kubeBerth(
  label: string,
  templates: Record<string, string>,
  opts: { fake?: FakeKubeOptions; node?: Record<string, unknown> } = {},
): Promise<KubeBerth> {
  const kube = await FakeKube.start({ backoffMs: 500, ...opts.fake });
  const env = await tempHome(label);
  const kubeconfig = join(env.home, 'kubeconfig');
  await writeFile(kubeconfig, kube.kubeconfig());
  for (const [file, text] of Object.entries(templates)) await writeTemplate(env.templates, file, text);
  const berth = await openBerth(env.home, env.templates);
  if (opts.node)
    await berth.nodes.add({ name: 'kube', kind: 'kubernetes', config: { kubeconfig, ...opts.node } });
  return {
    berth,
    kube,
    home: env.home,
    async close() {
      for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => {});
      await berth.close();
      await kube.close();
      await env.cleanup();
    },
  };
}

/** Waits until the instance runs; its error message fails the wait at once. */
export function untilRunning(berth: Berth, id: string, timeoutMs = 60_000): Promise<true> {
  return until(
    `${id} running`,
    () => {
      const i = berth.instances.get(id);
      if (i.status === 'error') throw new Error(`${i.name} failed: ${i.errorMessage}`);
      return i.status === 'running' || undefined;
    },
    timeoutMs,
  );
}
