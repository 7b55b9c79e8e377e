import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { SessionView } from '../api/types';

/**
 * Asks for an API token (the admin one is printed once by `berth serve` and kept in BERTH_HOME) and
 * hands it to the server, which answers with an HttpOnly session cookie: the page keeps no copy.
 */
export function LoginPage({
  reason,
  onSignedIn,
}: {
  reason: string | undefined;
  onSignedIn: (session: SessionView) => void;
}) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) return;
    setBusy(true);
    setError(undefined);
    try {
      const session = await api.signIn(value);
      setToken('');
      onSignedIn(session);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit}>
        <h1>berth</h1>
        <p className="muted">
          Sign in with an API token. berth prints the admin token once at first start and keeps it in its home
          folder; <code>berth token create</code> makes tokens that may only read or operate.
        </p>
        {reason ? (
          <p className="notice notice-calm" role="status">
            {reason}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="token">API token</label>
          <input
            id="token"
            type="password"
            autoComplete="current-password"
            // biome-ignore lint/a11y/noAutofocus: the page asks only this
            autoFocus
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        </div>
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button primary" disabled={busy || !token.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
