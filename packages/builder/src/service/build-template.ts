import { composeTemplate, type TemplateInput } from '@berth/core';
import type { Detection } from '../detection.js';
import type { BuildPlan } from '../plan.js';

export interface BuildTemplateInput {
  name: string;
  source: string;
  buildId: string;
  contextDir: string;
  image: string;
  detection: Detection;
  plan: BuildPlan;
  /** Host ports to lease from; the ledger's default range when absent. */
  portRange?: [number, number] | undefined;
}

/**
 * The `build` template for a built app: its one HTTP port inside the container (the host port
 * comes from the ledger), the planned environment, readiness and health on the health path.
 */
export function buildTemplate(input: BuildTemplateInput): TemplateInput {
  const { detection: d, plan } = input;
  const healthPath = d.healthPath.startsWith('/') ? d.healthPath : '/';
  return {
    name: input.name,
    description: `Built by berth from ${input.source} (${[d.stack, d.framework].filter(Boolean).join(' / ')})`,
    source: {
      kind: 'build',
      context: input.contextDir,
      dockerfile: plan.dockerfilePath,
      image: input.image,
      buildId: input.buildId,
    },
    ports: [
      {
        name: 'http',
        protocol: 'tcp',
        containerPort: d.port,
        http: true,
        ...(input.portRange ? { range: input.portRange } : {}),
      },
    ],
    env: plan.env,
    readiness: { kind: 'http', port: 'http', path: healthPath, timeoutSeconds: 60 },
    health: { http: { port: 'http', path: healthPath }, intervalSeconds: 15, startPeriodSeconds: 30 },
    stopTimeoutSeconds: 10,
  };
}

/**
 * The `compose` template for a built app with databases: the deploy compose file (app + its
 * databases) as one project per instance, its app port leased like any other.
 */
export function composeBuildTemplate(
  input: BuildTemplateInput & { composeFile: string; compose: string },
): TemplateInput {
  const d = input.detection;
  const derived = composeTemplate(input.compose, input.composeFile, input.composeFile);
  const single = buildTemplate(input);
  return {
    ...single,
    source: derived.source.kind === 'compose' ? { ...derived.source, service: 'app' } : derived.source,
    ports: derived.ports.map(({ preferred, ...p }) => ({
      ...p,
      name: 'http',
      http: true,
      ...(input.portRange ? { range: input.portRange } : { preferred: preferred ?? d.port }),
    })),
    env: {},
  };
}
