import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Conflict,
  type Instance,
  type InstanceService,
  type TemplateInput,
  type TemplateService,
  Unprocessable,
} from '@berth/core';
import type { Prepared } from './build-pipeline.js';
import type { BuildRecord } from './build-record.js';
import { type BuildTemplateInput, buildTemplate, composeBuildTemplate } from './build-template.js';
import { deployCompose } from './deploy-compose.js';

interface Services {
  templates: TemplateService;
  instances: InstanceService;
  portRange?: [number, number] | undefined;
}

/**
 * Saves the app's template — `build`, or `compose` when databases run beside it — and (re)starts
 * its instance, like any other: ports come from the ledger, the reconciler deploys it, readiness
 * is awaited. A redeploy restarts the instance it made before, which then runs the new image.
 */
export async function deployBuild(
  record: BuildRecord,
  prepared: Prepared,
  dir: string,
  services: Services,
  signal: AbortSignal,
  say: (message: string) => void,
): Promise<void> {
  const { templates, instances } = services;
  const input: BuildTemplateInput = {
    name: record.name,
    source: record.source,
    buildId: record.id,
    contextDir: prepared.contextDir,
    image: record.image,
    detection: prepared.detection,
    plan: prepared.plan,
    portRange: services.portRange,
  };
  const template =
    prepared.databases.length > 0
      ? await composeTemplateFor(input, prepared, dir, say)
      : buildTemplate(input);
  const exists = templates.list().some((t) => t.template.name === record.name);
  if (exists && record.template !== record.name) {
    throw new Conflict(`a template named '${record.name}' already exists and was not made by this build`, {
      code: 'NAME_TAKEN',
      details: { field: 'name' },
    });
  }
  if (exists) templates.update(record.name, template);
  else templates.create(template);
  record.template = record.name;
  signal.throwIfAborted();
  const existing = findInstance(instances, record.instanceId);
  let inst: Instance;
  if (existing) {
    say(`restarting instance ${existing.name} on the new image`);
    inst = await instances.restart(existing.id, { wait: true });
  } else {
    const created = await instances.create({ template: record.name, name: record.name, start: false });
    record.instanceId = created.id;
    say(`instance ${created.name} created with port ${instances.ports(created.id).http ?? '?'}`);
    inst = await instances.start(created.id, { wait: true });
  }
  if (inst.status !== 'running') {
    throw new Unprocessable(`instance ${inst.name} did not start: ${inst.errorMessage ?? inst.status}`, {
      code: 'DEPLOY_FAILED',
      details: { instance: inst.name },
    });
  }
  say(`instance ${inst.name} is running on port ${instances.ports(inst.id).http ?? '?'}`);
}

function findInstance(instances: InstanceService, id: string | null): Instance | undefined {
  if (!id) return undefined;
  return instances.list().find((i) => i.id === id);
}

/** Writes `deploy.compose.yml` (the app on the built image, its databases) and its template. */
async function composeTemplateFor(
  input: BuildTemplateInput,
  prepared: Prepared,
  dir: string,
  say: (message: string) => void,
): Promise<TemplateInput> {
  const file = join(dir, 'deploy.compose.yml');
  const compose = deployCompose(prepared.plan.compose, input.image, prepared.detection.port);
  await writeFile(file, compose, { mode: 0o600 });
  say(`the app runs beside ${prepared.databases.join(', ')} as one compose project (${file})`);
  return composeBuildTemplate({ ...input, composeFile: file, compose });
}
