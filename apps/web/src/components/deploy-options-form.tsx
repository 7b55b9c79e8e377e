import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import {
  type BuildRecord,
  type CreateBuildBody,
  DB_KINDS,
  type DbKind,
  type DetectResult,
} from '../api/types';
import { formatArgv, parseArgv } from '../lib/argv';
import { fieldErrorsOf } from '../lib/field-errors';
import { dbName } from './detection-summary';

/**
 * What a person may change before building: the app's name, the port it listens on, its start
 * command, the databases beside it. Only what differs from the detection is sent as an override.
 */
export function DeployOptionsForm({
  result,
  onStarted,
}: {
  result: DetectResult;
  onStarted: (build: BuildRecord) => void;
}) {
  const d = result.detection;
  const detectedStart = formatArgv(d.start);
  const [name, setName] = useState(result.name);
  const [port, setPort] = useState(String(d.port));
  const [start, setStart] = useState(detectedStart);
  const [databases, setDatabases] = useState<DbKind[]>(d.databases);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  const blocked = !d.stack || Boolean(d.unsupported) || !result.plan;
  const portNumber = Number(port);
  const portInvalid = !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535;
  let startArgv: string[] | undefined;
  let startProblem: string | undefined;
  try {
    startArgv = start.trim() && start.trim() !== detectedStart ? parseArgv(start) : undefined;
  } catch (err) {
    startProblem = `The start command cannot be read: ${messageOf(err)}.`;
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (blocked || portInvalid || startProblem) return;
    setBusy(true);
    setError(undefined);
    setErrors({});
    const overrides: CreateBuildBody['overrides'] = {
      ...(portNumber !== d.port ? { port: portNumber } : {}),
      ...(startArgv?.length ? { start: startArgv } : {}),
    };
    try {
      const build = await api.createBuild({
        source: result.source,
        ...(name.trim() ? { name: name.trim() } : {}),
        databases,
        ...(Object.keys(overrides).length ? { overrides } : {}),
      });
      onStarted(build);
    } catch (err) {
      setError(messageOf(err));
      setErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label="Deploy options">
      <div className="field">
        <label htmlFor="deploy-name">App name</label>
        <input
          id="deploy-name"
          value={name}
          autoComplete="off"
          aria-invalid={errors.name ? true : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        <small>The template, the instance and the image are named after it.</small>
        {errors.name ? <small className="field-error">{errors.name}</small> : null}
      </div>
      <div className="field">
        <label htmlFor="deploy-port">Port the app listens on</label>
        <input
          id="deploy-port"
          type="number"
          inputMode="numeric"
          min={1}
          max={65535}
          value={port}
          aria-invalid={portInvalid || errors['overrides.port'] ? true : undefined}
          onChange={(e) => setPort(e.target.value)}
        />
        <small>Inside the container; berth picks the host port from its ledger.</small>
        {portInvalid ? (
          <small className="field-error">A port is a whole number from 1 to 65535.</small>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="deploy-start">Start command</label>
        <input
          id="deploy-start"
          value={start}
          autoComplete="off"
          spellCheck={false}
          placeholder={d.stack === 'static' ? 'served as static files' : 'as detected'}
          aria-invalid={startProblem ? true : undefined}
          onChange={(e) => setStart(e.target.value)}
        />
        <small>Split into arguments like a shell would, but nothing is expanded.</small>
        {startProblem ? <small className="field-error">{startProblem}</small> : null}
      </div>
      <fieldset className="fieldset">
        <legend>Databases beside the app</legend>
        <div className="db-choices">
          {DB_KINDS.map((db) => (
            <label key={db} className="toggle">
              <input
                type="checkbox"
                checked={databases.includes(db)}
                onChange={(e) =>
                  setDatabases((s) => (e.target.checked ? [...s, db] : s.filter((x) => x !== db)))
                }
              />
              {dbName(db)}
              {d.databases.includes(db) ? <span className="muted small"> (detected)</span> : null}
            </label>
          ))}
        </div>
        <small className="muted">
          Chosen databases are written into compose.yml with their credentials; this berth deploys the app
          container only.
        </small>
      </fieldset>
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      <button
        type="submit"
        className="button primary"
        disabled={busy || blocked || portInvalid || Boolean(startProblem)}
      >
        {busy ? 'Starting the build…' : 'Deploy'}
      </button>
    </form>
  );
}
