import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { ConfigValue, InstanceView, NodeView, PortConflictView, Template } from '../api/types';
import { allAtFields, fieldErrorsOf } from '../lib/field-errors';
import { parseEnv } from '../lib/instance-edit';
import { ConfigFieldInput } from './config-field-input';
import { VersionSelect } from './version-select';

export type CreatedInstance = InstanceView & { portConflicts?: PortConflictView[] };

function defaultsOf(template: Template): Record<string, ConfigValue | undefined> {
  return Object.fromEntries(Object.entries(template.config).map(([k, f]) => [k, f.default]));
}

/**
 * A form built from the template's config schema, plus an optional name and pinned ports. The
 * instance is created stopped; the caller starts it through `useInstanceStart`.
 */
export function CreateInstanceForm({
  template,
  onCreated,
}: {
  template: Template;
  /** The created instance (with the pinned ports someone holds, when not started) and whether to start it. */
  onCreated: (i: CreatedInstance, start: boolean) => void;
}) {
  const [name, setName] = useState('');
  const [config, setConfig] = useState(() => defaultsOf(template));
  const [ports, setPorts] = useState<Record<string, string>>({});
  const [startNow, setStartNow] = useState(true);
  const [node, setNode] = useState('local');
  const [nodes, setNodes] = useState<NodeView[]>([]);
  const [replicas, setReplicas] = useState('');
  const [labels, setLabels] = useState('');
  const [version, setVersion] = useState('');
  const templateReplicas = template.replicas;

  useEffect(() => {
    api.nodes().then(setNodes, () => setNodes([]));
  }, []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  const atField = (key: string) =>
    ['name', 'node', 'replicas', 'version'].includes(key) ||
    key.startsWith('labels.') ||
    (key.startsWith('config.') && key.slice(7) in template.config) ||
    (key.startsWith('ports.') && template.ports.some((p) => `ports.${p.name}` === key));

  const labelError = Object.entries(errors).find(([k]) => k.startsWith('labels.'))?.[1];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setErrors({});
    const values = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Record<
      string,
      ConfigValue
    >;
    const pinned = Object.fromEntries(
      Object.entries(ports)
        .filter(([, v]) => v.trim() !== '')
        .map(([k, v]) => [k, Number(v)]),
    );
    try {
      const created = await api.createInstance({
        template: template.name,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(Object.keys(values).length ? { config: values } : {}),
        ...(version ? { version } : {}),
        ...(Object.keys(pinned).length ? { ports: pinned } : {}),
        ...(node !== 'local' ? { node } : {}),
        ...(replicas.trim() ? { replicas: Number(replicas) } : {}),
        ...(labels.trim() ? { labels: parseEnv(labels) } : {}),
        // started through the one start flow (preflight → port dialog → start) by the caller
        start: false,
      });
      setName('');
      setPorts({});
      onCreated(created as CreatedInstance, startNow);
    } catch (err) {
      // a field's problem shows at the field only; the notice tells what has no field here
      setErrors(fieldErrorsOf(err));
      setError(allAtFields(err, atField) ? undefined : messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label={`New ${template.name} instance`}>
      <div className="field">
        <label htmlFor="instance-name">Name</label>
        <input
          id="instance-name"
          value={name}
          placeholder={`${template.name}-1 (chosen for you when empty)`}
          autoComplete="off"
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? 'instance-name-error' : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        {errors.name ? (
          <small id="instance-name-error" className="field-error">
            {errors.name}
          </small>
        ) : null}
      </div>
      <VersionSelect
        id="instance-version"
        template={template}
        value={version}
        error={errors.version}
        onChange={setVersion}
      />
      <div className="field-row">
        <div className="field grow">
          <label htmlFor="instance-node">Node</label>
          <select
            id="instance-node"
            value={node}
            aria-invalid={errors.node ? true : undefined}
            onChange={(e) => setNode(e.target.value)}
          >
            {nodes.some((n) => n.name === 'local') ? null : <option value="local">local</option>}
            {nodes.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name} ({n.kind}
                {n.status === 'unreachable' ? ', unreachable' : ''})
              </option>
            ))}
          </select>
          {errors.node ? <small className="field-error">{errors.node}</small> : null}
        </div>
        <div className="field narrow">
          <label htmlFor="instance-replicas">Replicas</label>
          <input
            id="instance-replicas"
            type="number"
            min={1}
            inputMode="numeric"
            value={replicas}
            placeholder={String(templateReplicas)}
            aria-describedby="instance-replicas-hint"
            aria-invalid={errors.replicas ? true : undefined}
            onChange={(e) => setReplicas(e.target.value)}
          />
        </div>
      </div>
      <small id="instance-replicas-hint" className="muted">
        Empty: the template’s {templateReplicas}. More than 1 needs a node that scales (swarm, kubernetes, or
        compose when its service publishes no host port).
      </small>
      {errors.replicas ? (
        <small className="field-error" data-field="replicas">
          {errors.replicas}
        </small>
      ) : null}
      <div className="field">
        <label htmlFor="instance-labels">Labels (optional)</label>
        <textarea
          id="instance-labels"
          rows={2}
          value={labels}
          placeholder="team=web, one a line"
          aria-invalid={labelError ? true : undefined}
          onChange={(e) => setLabels(e.target.value)}
        />
        {labelError ? (
          <small className="field-error" data-field="labels">
            {labelError}
          </small>
        ) : null}
      </div>
      {Object.entries(template.config).map(([key, field]) => (
        <ConfigFieldInput
          key={key}
          name={key}
          field={field}
          value={config[key]}
          error={errors[`config.${key}`]}
          onChange={(v) => setConfig((c) => ({ ...c, [key]: v }))}
        />
      ))}
      {template.ports.length > 0 ? (
        <fieldset className="fieldset">
          <legend>Pinned ports (optional)</legend>
          {template.ports.map((p) => (
            <div className="field" key={p.name}>
              <label htmlFor={`port-${p.name}`}>
                {p.name}{' '}
                <span className="muted">
                  {p.protocol}
                  {p.env ? ` · ${p.env}` : ''}
                </span>
              </label>
              <input
                id={`port-${p.name}`}
                type="number"
                min={1}
                max={65535}
                inputMode="numeric"
                placeholder={p.preferred ? `berth picks (from ${p.preferred})` : 'berth picks'}
                value={ports[p.name] ?? ''}
                aria-invalid={errors[`ports.${p.name}`] ? true : undefined}
                onChange={(e) => setPorts((s) => ({ ...s, [p.name]: e.target.value }))}
              />
              {errors[`ports.${p.name}`] ? (
                <small className="field-error">{errors[`ports.${p.name}`]}</small>
              ) : null}
            </div>
          ))}
        </fieldset>
      ) : null}
      <div className="field checkbox">
        <label htmlFor="start-now">
          <input
            id="start-now"
            type="checkbox"
            checked={startNow}
            onChange={(e) => setStartNow(e.target.checked)}
          />
          <span>Start it right away</span>
        </label>
      </div>
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create instance'}
      </button>
    </form>
  );
}
