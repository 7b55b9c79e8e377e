import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { saveToken } from '../api/token-store';

/** Asks for the API token (printed once by `berth serve`, kept in BERTH_HOME) and checks it. */
export function LoginPage({ reason, onSignedIn }: { reason: string | undefined; onSignedIn: () => void }) {
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
      await api.checkToken(value);
      saveToken(value);
      onSignedIn();
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
          folder.
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
