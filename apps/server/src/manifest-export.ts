import {
  type DeploySpec,
  type ExportFormat,
  exportDeploySpec,
  InvalidInput,
  LOCAL_NODE,
  type Template,
  templateExportSpec,
} from '@berth/core';
import { composeFile, type PublishMode, stackFile } from '@berth/runtime-docker';
import { exportManifestYaml } from '@berth/runtime-kubernetes';
import type { Berth } from './berth.js';

/**
 * `berth export` and the manifest routes: the YAML berth would apply for an instance (or a new
 * instance of a template), built by the same spec builder and the same runtime code a deploy uses,
 * with secret values left out (`exportDeploySpec`). `node` picks whose settings apply (namespace,
 * publish mode and constraints); by default the instance's own node.
 */
export async function instanceManifest(
  berth: Berth,
  idOrName: string,
  format: ExportFormat,
  node?: string,
): Promise<string> {
  const inst = berth.instances.get(idOrName);
  const { template } = berth.templates.get(inst.template);
  checkExportable(template);
  const on = node ?? inst.node;
  const spec = exportDeploySpec(template, { ...inst, node: on }, berth.instances.ports(inst.id), berth.owner);
  return render(berth, format, spec, on);
}

export async function templateManifest(
  berth: Berth,
  name: string,
  format: ExportFormat,
  node?: string,
): Promise<string> {
  const { template } = berth.templates.get(name);
  checkExportable(template);
  const on = node ?? LOCAL_NODE;
  const hostRange = berth.runtimes.has(on) ? berth.runtimes.range(berth.runtimes.hostOf(on)) : undefined;
  return render(berth, format, templateExportSpec(template, on, berth.owner, hostRange), on);
}

/** Only what runs as containers can be written as containers: say what to add otherwise. */
function checkExportable(template: Template): void {
  const src = template.source;
  if (src.kind === 'compose') {
    throw new InvalidInput(
      `template ${template.name} is a compose template: its compose file (${src.file}) is already what berth runs; export prints image, build and command templates`,
      { details: { field: 'template', template: template.name } },
    );
  }
  if (src.kind === 'command' && !src.image) {
    throw new InvalidInput(
      `template ${template.name} runs its command as a process: add \`image:\` to its command source (the image the command runs in) to export it as containers`,
      { details: { field: 'template', template: template.name, needs: 'source.image' } },
    );
  }
}

async function render(berth: Berth, format: ExportFormat, spec: DeploySpec, node: string): Promise<string> {
  if (!berth.runtimes.has(node)) {
    throw new InvalidInput(`node ${node} does not exist`, { details: { field: 'node' } });
  }
  const config: Record<string, unknown> = berth.store.nodes.find(node)?.config ?? {};
  if (format === 'kubernetes') {
    const namespace = typeof config.namespace === 'string' ? config.namespace : 'default';
    return exportManifestYaml(spec, {
      namespace,
      ...(config.serviceType === 'ClusterIP' ? { serviceType: 'ClusterIP' as const } : {}),
      ...(typeof config.storageClass === 'string' ? { storageClass: config.storageClass } : {}),
    });
  }
  if (format === 'swarm') {
    return stackFile(spec, {
      publishMode: config.publishMode === 'ingress' ? 'ingress' : ('host' as PublishMode),
      constraints: Array.isArray(config.constraints) ? config.constraints.map(String) : [],
    });
  }
  return composeFile(spec, { dataVolumes: node === LOCAL_NODE ? 'bind' : 'named' });
}
