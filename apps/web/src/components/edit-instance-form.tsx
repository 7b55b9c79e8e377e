import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { InstanceView, NodeView, Template } from '../api/types';
import { fieldErrorsOf } from '../lib/field-errors';
import { draftOf, editOf } from '../lib/instance-edit';
import { ConfigFieldInput } from './config-field-input';
import { VersionSelect } from './version-select';

/**
 * The instance's spec as a form built from its template's config schema (as the create form is),
 * with env additions, pinned ports, replicas and node, and a list of what saving will change. A
 * running instance can take the change at once ("Save and apply") or show it as not applied.
 */
export function EditInstanceForm({
  instance,
  template,
  onSaved,
}: {
  instance: InstanceView;
  template: Template;
  onSaved: (i: InstanceView) => void;
}) {
  const [draft, setDraft] = useState(() => draftOf(instance));
  const [nodes, setNodes] = useState<NodeView[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    api.nodes().then(setNodes, () => setNodes([]));
  }, []);
  const { body, changes } = editOf(instance, template, draft);
  const running = instance.status === 'running';

  const save = async (apply: boolean) => {
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      onSaved(await api.editInstance(instance.name, body, apply));
    } catch (err) {
      setError(messageOf(err));
      setErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(false);
  };
  const errorAt = (prefix: string) =>
    Object.entries(errors).find(([k]) => k === prefix || k.startsWith(`${prefix}.`))?.[1];

  return (
    <form className="form" onSubmit={submit} aria-label={`Edit ${instance.name}`}>
      <VersionSelect
        id="edit-version"
        template={template}
        value={draft.version ?? ''}
        error={errors.version}
        onChange={(version) => setDraft((d) => ({ ...d, version }))}
      />
      {Object.entries(template.config).map(([key, field]) => (
        <ConfigFieldInput
          key={key}
          name={key}
          field={field}
          value={draft.config[key]}
          error={errors[`config.${key}`]}
          onChange={(v) => setDraft((d) => ({ ...d, config: { ...d.config, [key]: v } }))}
        />
      ))}
      <div className="field">
        <label htmlFor="edit-env">Environment (added to the template’s)</label>
        <textarea
          id="edit-env"
          rows={3}
          value={draft.env}
          placeholder="NAME=value, one a line"
          aria-describedby="edit-env-hint"
          aria-invalid={errorAt('env') ? true : undefined}
          onChange={(e) => setDraft((d) => ({ ...d, env: e.target.value }))}
        />
        <small id="edit-env-hint" className="muted">
          Shown to every reader: use the template’s secret settings for passwords.
        </small>
        {errorAt('env') ? <small className="field-error">{errorAt('env')}</small> : null}
      </div>
      <div className="field">
        <label htmlFor="edit-labels">Labels</label>
        <textarea
          id="edit-labels"
          rows={2}
          value={draft.labels}
          placeholder="team=web, one a line"
          aria-describedby="edit-labels-hint"
          aria-invalid={errorAt('labels') ? true : undefined}
          onChange={(e) => setDraft((d) => ({ ...d, labels: e.target.value }))}
        />
        <small id="edit-labels-hint" className="muted">
          For choosing instances together (the table's label filter, berth stop --label); nothing is
          redeployed.
        </small>
        {errorAt('labels') ? <small className="field-error">{errorAt('labels')}</small> : null}
      </div>
      {template.ports.length > 0 ? (
        <fieldset className="fieldset">
          <legend>Pinned ports (empty: berth chooses)</legend>
          {template.ports.map((p) => (
            <div className="field" key={p.name}>
              <label htmlFor={`edit-port-${p.name}`}>{p.name}</label>
              <input
                id={`edit-port-${p.name}`}
                inputMode="numeric"
                value={draft.ports[p.name] ?? ''}
                placeholder={String(instance.ports[p.name] ?? '')}
                aria-invalid={errors[`ports.${p.name}`] ? true : undefined}
                onChange={(e) => setDraft((d) => ({ ...d, ports: { ...d.ports, [p.name]: e.target.value } }))}
              />
              {errors[`ports.${p.name}`] ? (
                <small className="field-error">{errors[`ports.${p.name}`]}</small>
              ) : null}
            </div>
          ))}
        </fieldset>
      ) : null}
      <div className="field-row">
        <div className="field grow">
          <label htmlFor="edit-node">Node</label>
          <select
            id="edit-node"
            value={draft.node}
            aria-invalid={errors.node ? true : undefined}
            onChange={(e) => setDraft((d) => ({ ...d, node: e.target.value }))}
          >
            {nodes.some((n) => n.name === instance.node) ? null : (
              <option value={instance.node}>{instance.node}</option>
            )}
            {nodes.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name} ({n.kind})
              </option>
            ))}
          </select>
          {errors.node ? <small className="field-error">{errors.node}</small> : null}
        </div>
        <div className="field narrow">
          <label htmlFor="edit-replicas">Replicas</label>
          <input
            id="edit-replicas"
            type="number"
            min={1}
            inputMode="numeric"
            value={draft.replicas}
            aria-invalid={errors.replicas ? true : undefined}
            onChange={(e) => setDraft((d) => ({ ...d, replicas: e.target.value }))}
          />
        </div>
      </div>
      {errors.replicas ? <small className="field-error">{errors.replicas}</small> : null}
      <section aria-label="What will change">
        <h3>What will change</h3>
        {changes.length === 0 ? (
          <p className="muted">Nothing yet.</p>
        ) : (
          <ul className="small">
            {changes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        )}
      </section>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button" disabled={busy || changes.length === 0}>
          Save
        </button>
        {running ? (
          <button
            type="button"
            className="button primary"
            disabled={busy || changes.length === 0}
            onClick={() => void save(true)}
          >
            Save and apply
          </button>
        ) : null}
      </div>
    </form>
  );
}
