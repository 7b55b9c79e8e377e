import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { CreatedTokenRow } from '../api/types';
import { fieldErrorsOf } from '../lib/field-errors';
import { ROLE_SUMMARY, ROLES, type Role } from '../lib/roles';

/** Name + role → a new token; the answer (with its secret) goes to `onCreated`, shown once there. */
export function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedTokenRow) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('read');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      const created = await api.createToken(name.trim(), role);
      setName('');
      onCreated(created);
    } catch (err) {
      setError(messageOf(err));
      setErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label="Create a token">
      <div className="field">
        <label htmlFor="token-name">Name</label>
        <input
          id="token-name"
          required
          maxLength={100}
          value={name}
          placeholder="ci-deploys"
          autoComplete="off"
          aria-invalid={errors.name ? true : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        <small>Who or what will use it, so you know which one to revoke.</small>
        {errors.name ? <small className="field-error">{errors.name}</small> : null}
      </div>
      <fieldset className="fieldset">
        <legend>Role</legend>
        {ROLES.map((r) => (
          <div className="field checkbox" key={r}>
            <label>
              <input
                type="radio"
                name="token-role"
                value={r}
                checked={role === r}
                onChange={() => setRole(r)}
              />
              <span>
                <strong>{r}</strong> — <span className="muted">{ROLE_SUMMARY[r]}</span>
              </span>
            </label>
          </div>
        ))}
        {errors.role ? <small className="field-error">{errors.role}</small> : null}
      </fieldset>
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button primary" disabled={busy || !name.trim()}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}
