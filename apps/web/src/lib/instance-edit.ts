import type { ConfigValue, EditInstanceBody, InstanceView, Template } from '../api/types';

/** What the edit form holds: the config as the create form does, env as `NAME=value` lines, text pins. */
export interface EditDraft {
  config: Record<string, ConfigValue | undefined>;
  env: string;
  ports: Record<string, string>;
  replicas: string;
  node: string;
  /** `key=value` lines, as env. */
  labels: string;
  /** One of the template's versions; '' for none. */
  version?: string;
}

export function draftOf(i: InstanceView): EditDraft {
  return {
    config: { ...i.config },
    env: Object.entries(i.env ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    ports: Object.fromEntries(Object.entries(i.portOverrides).map(([k, v]) => [k, String(v)])),
    replicas: String(i.replicas.desired),
    node: i.node,
    version: i.version ?? '',
    labels: Object.entries(i.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  };
}

/** `NAME=value` lines (blank lines skipped); a line without `=` is kept whole as a name, for the server to name. */
export function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const eq = line.indexOf('=');
    if (eq < 0) out[line.trim()] = '';
    else out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

const shown = (v: unknown) => (v === undefined || v === null || v === '' ? '(none)' : String(v));

/** The PATCH body the draft makes and, in words, what it will change (secret values never shown). */
export function editOf(
  i: InstanceView,
  template: Template,
  draft: EditDraft,
): { body: EditInstanceBody; changes: string[] } {
  const body: EditInstanceBody = {};
  const changes: string[] = [];
  const note = (field: string, from: unknown, to: unknown, secret = false) =>
    changes.push(secret ? `${field}: changed` : `${field}: ${shown(from)} → ${shown(to)}`);

  for (const [key, field] of Object.entries(template.config)) {
    const from = i.config[key];
    const to = draft.config[key];
    if (String(from ?? '') === String(to ?? '')) continue;
    body.config = { ...body.config, [key]: to === undefined || to === '' ? null : to };
    note(`config.${key}`, from, to, field.secret);
  }
  const envFrom = i.env ?? {};
  const envTo = parseEnv(draft.env);
  for (const k of new Set([...Object.keys(envFrom), ...Object.keys(envTo)])) {
    if (envFrom[k] === envTo[k]) continue;
    body.env = { ...body.env, [k]: envTo[k] ?? null };
    note(`env.${k}`, envFrom[k], envTo[k]);
  }
  for (const p of template.ports) {
    const from = i.portOverrides[p.name];
    const raw = (draft.ports[p.name] ?? '').trim();
    const to = raw === '' ? undefined : Number(raw);
    if (from === to) continue;
    body.ports = { ...body.ports, [p.name]: to ?? null };
    note(`ports.${p.name}`, from, to);
  }
  const replicas = Number(draft.replicas);
  if (draft.replicas.trim() !== '' && replicas !== i.replicas.desired) {
    body.replicas = replicas;
    note('replicas', i.replicas.desired, replicas);
  }
  const labelsFrom = i.labels ?? {};
  const labelsTo = parseEnv(draft.labels ?? '');
  for (const k of new Set([...Object.keys(labelsFrom), ...Object.keys(labelsTo)])) {
    if (labelsFrom[k] === labelsTo[k]) continue;
    body.labels = { ...body.labels, [k]: labelsTo[k] ?? null };
    note(`labels.${k}`, labelsFrom[k], labelsTo[k]);
  }
  const version = draft.version ?? i.version ?? '';
  if (version !== (i.version ?? '')) {
    body.version = version === '' ? null : version;
    note('version', i.version, version);
  }
  if (draft.node !== i.node) {
    body.node = draft.node;
    note('node', i.node, draft.node);
  }
  return { body, changes };
}
