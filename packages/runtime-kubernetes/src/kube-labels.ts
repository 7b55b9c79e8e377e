import { createHash } from 'node:crypto';
import type { DeploySpec } from '@berth/core';

/** The label keys berth puts on everything it creates in a cluster: the same names as on Docker containers. */
export const LABEL = {
  managed: 'berth.managed',
  owner: 'berth.owner',
  instance: 'berth.instance',
  instanceId: 'berth.instance-id',
  template: 'berth.template',
  node: 'berth.node',
} as const;

/** Annotation `berth.port.<name>` = `<nodePort>:<containerPort>/<protocol>`, read back by list(). */
export const PORT_ANNOTATION = 'berth.port.';

// A label value: at most 63 characters, alphanumerics with -_. inside (the API refuses others).
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export const isLabelValue = (v: string) => v.length <= 63 && LABEL_VALUE.test(v);

/**
 * The objects' name: the instance's name (a DNS label already) and a hash of owner and instance
 * id, so two installations sharing a namespace never take each other's objects. At most 47
 * characters, leaving room for the pods' `-<hash>-<random>`.
 */
export function objectName(spec: Pick<DeploySpec, 'instanceName' | 'instanceId' | 'owner'>): string {
  const hash = createHash('sha256').update(`${spec.owner}/${spec.instanceId}`).digest('hex').slice(0, 6);
  return `${spec.instanceName.slice(0, 40).replace(/-+$/, '')}-${hash}`;
}

/** The selector of the Deployment and the Service: this owner's pods of this instance. */
export function selectorLabels(spec: Pick<DeploySpec, 'owner' | 'instanceId'>): Record<string, string> {
  return { [LABEL.owner]: spec.owner, [LABEL.instanceId]: spec.instanceId };
}

/**
 * berth's labels for every object of `spec`, then the template's own labels where the API accepts
 * them as labels; the rest become annotations (a label value is at most 63 plain characters).
 */
export function labelsAndAnnotations(spec: DeploySpec): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.labels)) {
    if (LABEL_KEY.test(k) && isLabelValue(v)) labels[k] = v;
    else annotations[k] = v;
  }
  Object.assign(labels, {
    [LABEL.managed]: 'true',
    [LABEL.owner]: spec.owner,
    [LABEL.instanceId]: spec.instanceId,
    [LABEL.instance]: spec.instanceName,
  });
  for (const [k, v] of [
    [LABEL.template, spec.template],
    [LABEL.node, spec.node],
  ] as const) {
    if (isLabelValue(v)) labels[k] = v;
    else annotations[k] = v;
  }
  return { labels, annotations };
}

/** A port name the API accepts (IANA_SVC_NAME: ≤ 15 lowercase letters, digits, dashes, one letter at least). */
export function portName(name: string, index: number): string {
  const n = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 15)
    .replace(/-+$/, '');
  return /[a-z]/.test(n) && !n.includes('--') ? n : `port-${index}`;
}
