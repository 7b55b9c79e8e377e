import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { isNotAvailable, messageOf } from '../api/api-error';
import type { AddNodeBody } from '../api/types';

/** Adds a remote Docker host reached over TCP (optionally TLS) or SSH. */
export function AddNodeForm({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [transport, setTransport] = useState<'tcp' | 'tls' | 'ssh'>('tcp');
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('2375');
  const [username, setUsername] = useState('');
  const [tls, setTls] = useState({ ca: '', cert: '', key: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  const body = (): AddNodeBody => {
    const host = address.trim();
    const endpoint: AddNodeBody['config']['endpoint'] =
      transport === 'ssh'
        ? { kind: 'ssh', host, ...(port ? { port: Number(port) } : {}), ...(username ? { username } : {}) }
        : { kind: 'tcp', host, port: Number(port), ...(transport === 'tls' ? { tls } : {}) };
    return { name: name.trim(), kind: 'docker', host, config: { endpoint } };
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await api.addNode(body());
      setDone(`Added ${name.trim()}.`);
      setName('');
      setAddress('');
      onAdded();
    } catch (err) {
      setError(
        isNotAvailable(err) ? 'Adding Docker hosts is not available on this server yet.' : messageOf(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label="Add a remote Docker host">
      <div className="field">
        <label htmlFor="node-name">Name</label>
        <input
          id="node-name"
          required
          value={name}
          placeholder="build-box"
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="node-transport">Connect over</label>
        <select
          id="node-transport"
          value={transport}
          onChange={(e) => {
            const t = e.target.value as typeof transport;
            setTransport(t);
            setPort(t === 'ssh' ? '22' : t === 'tls' ? '2376' : '2375');
          }}
        >
          <option value="tcp">TCP (plain)</option>
          <option value="tls">TCP with TLS certificates</option>
          <option value="ssh">SSH</option>
        </select>
      </div>
      <div className="field-row">
        <div className="field grow">
          <label htmlFor="node-address">Host address</label>
          <input
            id="node-address"
            required
            value={address}
            placeholder="10.0.0.12"
            onChange={(e) => setAddress(e.target.value)}
          />
        </div>
        <div className="field narrow">
          <label htmlFor="node-port">Port</label>
          <input
            id="node-port"
            type="number"
            min={1}
            max={65535}
            value={port}
            onChange={(e) => setPort(e.target.value)}
          />
        </div>
      </div>
      {transport === 'ssh' ? (
        <div className="field">
          <label htmlFor="node-user">SSH user</label>
          <input
            id="node-user"
            value={username}
            autoComplete="off"
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
      ) : null}
      {transport === 'tls'
        ? (['ca', 'cert', 'key'] as const).map((k) => (
            <div className="field" key={k}>
              <label htmlFor={`node-${k}`}>
                {k === 'ca' ? 'CA certificate' : k === 'cert' ? 'Client certificate' : 'Client key'} (PEM)
              </label>
              <textarea
                id={`node-${k}`}
                rows={3}
                required
                value={tls[k]}
                onChange={(e) => setTls((t) => ({ ...t, [k]: e.target.value }))}
              />
            </div>
          ))
        : null}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <p className="notice notice-calm" role="status">
          {done}
        </p>
      ) : null}
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add host'}
      </button>
    </form>
  );
}
