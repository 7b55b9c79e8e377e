import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { ApiError, isNotAvailable, messageOf } from '../api/api-error';
import type { AddNodeBody, FailureReason } from '../api/types';
import { type ConnectionVerdict, verdictOf } from '../lib/connection-result';
import { fieldErrorsOf } from '../lib/field-errors';
import { ConnectionTestLine } from './connection-test-line';

type Transport = 'tcp' | 'tls' | 'ssh';
/** The kinds of node a person may add (`local` is this machine, always there). */
export type NodeKind = 'docker' | 'swarm' | 'kubernetes';
/** The kinds berth registers; narrowed to the list a server's 400 on `kind` names (`details.kinds`). */
export const NODE_KINDS: readonly NodeKind[] = ['docker', 'swarm', 'kubernetes'];
const KIND_WORDS: Record<NodeKind, string> = {
  docker: 'Docker host',
  swarm: 'Docker Swarm (a manager)',
  kubernetes: 'Kubernetes cluster',
};
const PRODUCT: Record<NodeKind, string> = { docker: 'Docker', swarm: 'Docker', kubernetes: '' };

const DEFAULT_PORT: Record<Transport, string> = { tcp: '2375', tls: '2376', ssh: '22' };

/** `tcp://host:port` or `ssh://user@host:port`; an IPv6 address goes in brackets. */
export function endpointOf(transport: Transport, address: string, port: string, username: string): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  const user = username.trim() ? `${encodeURIComponent(username.trim())}@` : '';
  return transport === 'ssh' ? `ssh://${user}${host}${port ? `:${port}` : ''}` : `tcp://${host}:${port}`;
}

/** The server's refusal of a node that did not answer its test, as a test line (reason and words). */
function refusalOf(err: unknown): ConnectionVerdict | undefined {
  if (!(err instanceof ApiError) || err.code !== 'NODE_UNREACHABLE') return undefined;
  return { ok: false, text: err.message, reason: err.details.reason as FailureReason | undefined };
}

/** The kinds a 400 on `kind` lists, when it lists them. */
function kindsOf(err: unknown): NodeKind[] | undefined {
  if (!(err instanceof ApiError) || err.details.field !== 'kind' || !Array.isArray(err.details.kinds)) return;
  return (err.details.kinds as string[]).filter((k): k is NodeKind => NODE_KINDS.includes(k as NodeKind));
}

/** Swarm placement constraints, one a line (or comma-separated). */
function constraintsOf(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((c) => c.trim())
    .filter(Boolean);
}

/**
 * Adds a node of each kind berth has: a remote Docker host or a Swarm manager (reached over TCP,
 * TCP with TLS certificates, or SSH), or a Kubernetes cluster through a kubeconfig file on berth's
 * machine. The server tests it first: one that does not answer is not added, and the person sees
 * why and may add it anyway (it then shows as unreachable); one that answers shows its version.
 */
export function AddNodeForm({ onAdded }: { onAdded: () => void }) {
  const [kinds, setKinds] = useState<readonly NodeKind[]>(NODE_KINDS);
  const [kind, setKind] = useState<NodeKind>('docker');
  const [publishMode, setPublishMode] = useState<'host' | 'ingress'>('host');
  const [constraints, setConstraints] = useState('');
  const [kubeconfig, setKubeconfig] = useState('');
  const [context, setContext] = useState('');
  const [namespace, setNamespace] = useState('');
  const [serviceType, setServiceType] = useState<'NodePort' | 'ClusterIP'>('NodePort');
  const [storageClass, setStorageClass] = useState('');
  const [name, setName] = useState('');
  const [transport, setTransport] = useState<Transport>('tcp');
  const [address, setAddress] = useState('');
  const [port, setPort] = useState(DEFAULT_PORT.tcp);
  const [username, setUsername] = useState('');
  const [sshKey, setSshKey] = useState('');
  const [hostKey, setHostKey] = useState('');
  const [certPath, setCertPath] = useState('');
  const [publicAddress, setPublicAddress] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [added, setAdded] = useState<string>();
  const [verdict, setVerdict] = useState<ConnectionVerdict>();
  const [testing, setTesting] = useState(false);
  const [refused, setRefused] = useState<ConnectionVerdict>();
  /** The result of Test, before anything was added. */
  const [tried, setTried] = useState<ConnectionVerdict>();

  const engineConfig = () => ({
    endpoint: endpointOf(transport, address.trim(), port.trim(), transport === 'ssh' ? username : ''),
    ...(transport === 'tls' ? { certPath: certPath.trim() } : {}),
    ...(transport === 'ssh' && sshKey.trim() ? { sshKey: sshKey.trim() } : {}),
    ...(transport === 'ssh' && hostKey.trim() ? { hostKey: hostKey.trim() } : {}),
  });

  const kubeConfig = () => ({
    kubeconfig: kubeconfig.trim(),
    ...(context.trim() ? { context: context.trim() } : {}),
    ...(namespace.trim() ? { namespace: namespace.trim() } : {}),
    serviceType,
    ...(storageClass.trim() ? { storageClass: storageClass.trim() } : {}),
  });

  const configOf = (k: NodeKind): Record<string, unknown> => {
    if (k === 'kubernetes') return kubeConfig();
    if (k === 'docker') return engineConfig();
    const list = constraintsOf(constraints);
    return { ...engineConfig(), publishMode, ...(list.length ? { constraints: list } : {}) };
  };

  const body = (): AddNodeBody => ({
    name: name.trim(),
    kind,
    config: configOf(kind),
    ...(publicAddress.trim() ? { publicAddress: publicAddress.trim() } : {}),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    return add(false);
  };

  const add = async (force: boolean) => {
    setBusy(true);
    setTried(undefined);
    setRefused(undefined);
    setError(undefined);
    setErrors({});
    setAdded(undefined);
    setVerdict(undefined);
    const nodeName = name.trim();
    try {
      await api.addNode({ ...body(), ...(force ? { force: true } : {}) });
    } catch (err) {
      setBusy(false);
      const refusal = refusalOf(err);
      if (refusal) return setRefused(refusal);
      const known = kindsOf(err);
      if (known?.length) setKinds(known);
      setError(isNotAvailable(err) ? 'Adding nodes is not available on this server yet.' : messageOf(err));
      setErrors(fieldErrorsOf(err));
      setBusy(false);
      return;
    }
    setAdded(nodeName);
    setName('');
    setAddress('');
    setKubeconfig('');
    setPublicAddress('');
    setBusy(false);
    onAdded();
    setTesting(true);
    try {
      setVerdict(verdictOf(await api.testNode(nodeName), PRODUCT[kind]));
    } catch (err) {
      setVerdict({ ok: false, text: messageOf(err) });
    } finally {
      setTesting(false);
    }
  };

  /** "Test" before "Add": the connection tried with what the form holds; nothing is saved. */
  const tryFirst = async () => {
    setTesting(true);
    setTried(undefined);
    setRefused(undefined);
    setError(undefined);
    setErrors({});
    setAdded(undefined);
    try {
      setTried(verdictOf(await api.testNodeDraft(body()), PRODUCT[kind]));
    } catch (err) {
      setError(messageOf(err));
      setErrors(fieldErrorsOf(err));
    } finally {
      setTesting(false);
    }
  };

  const fieldError = (...keys: string[]) => {
    const text = keys.map((k) => errors[k] ?? errors[`config.${k}`]).find(Boolean);
    return text ? <small className="field-error">{text}</small> : null;
  };

  return (
    <form className="form" onSubmit={submit} aria-label="Add a node">
      <div className="field">
        <label htmlFor="node-name">Name</label>
        <input
          id="node-name"
          required
          value={name}
          placeholder="build-box"
          autoComplete="off"
          aria-invalid={errors.name ? true : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        <small>Its own port space: two nodes may use the same port.</small>
        {fieldError('name')}
      </div>
      <div className="field">
        <label htmlFor="node-kind">Kind</label>
        <select id="node-kind" value={kind} onChange={(e) => setKind(e.target.value as NodeKind)}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {KIND_WORDS[k]}
            </option>
          ))}
        </select>
        {fieldError('kind')}
      </div>
      {kind === 'kubernetes' ? (
        <>
          <div className="field">
            <label htmlFor="node-kubeconfig">Kubeconfig file</label>
            <input
              id="node-kubeconfig"
              required
              value={kubeconfig}
              placeholder="/etc/berth/kubeconfig"
              autoComplete="off"
              spellCheck={false}
              aria-describedby="node-kubeconfig-hint"
              aria-invalid={errors.kubeconfig || errors['config.kubeconfig'] ? true : undefined}
              onChange={(e) => setKubeconfig(e.target.value)}
            />
            <small id="node-kubeconfig-hint">
              A path on berth’s machine; its credentials never leave it.
            </small>
            {fieldError('kubeconfig')}
          </div>
          <div className="field-row">
            <div className="field grow">
              <label htmlFor="node-context">Context (optional)</label>
              <input
                id="node-context"
                value={context}
                placeholder="its current-context"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={errors.context || errors['config.context'] ? true : undefined}
                onChange={(e) => setContext(e.target.value)}
              />
              {fieldError('context')}
            </div>
            <div className="field grow">
              <label htmlFor="node-namespace">Namespace (optional)</label>
              <input
                id="node-namespace"
                value={namespace}
                placeholder="the context’s, else default"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={errors.namespace || errors['config.namespace'] ? true : undefined}
                onChange={(e) => setNamespace(e.target.value)}
              />
              {fieldError('namespace')}
            </div>
          </div>
          <div className="field-row">
            <div className="field grow">
              <label htmlFor="node-service-type">Ports</label>
              <select
                id="node-service-type"
                value={serviceType}
                aria-describedby="node-service-type-hint"
                onChange={(e) => setServiceType(e.target.value as 'NodePort' | 'ClusterIP')}
              >
                <option value="NodePort">NodePort</option>
                <option value="ClusterIP">ClusterIP + berth’s proxy</option>
              </select>
              <small id="node-service-type-hint">
                NodePort: on every node of the cluster; ClusterIP: inside it, reached through berth’s proxy.
              </small>
              {fieldError('serviceType')}
            </div>
            <div className="field grow">
              <label htmlFor="node-storage-class">Storage class (optional)</label>
              <input
                id="node-storage-class"
                value={storageClass}
                placeholder="the cluster’s default"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={errors.storageClass || errors['config.storageClass'] ? true : undefined}
                onChange={(e) => setStorageClass(e.target.value)}
              />
              {fieldError('storageClass')}
            </div>
          </div>
        </>
      ) : (
        <>
          <div className="field">
            <label htmlFor="node-transport">Connect over</label>
            <select
              id="node-transport"
              value={transport}
              onChange={(e) => {
                const t = e.target.value as Transport;
                setTransport(t);
                setPort(DEFAULT_PORT[t]);
              }}
            >
              <option value="tcp">TCP (plain, port 2375)</option>
              <option value="tls">TCP with TLS certificates (port 2376)</option>
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
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => setAddress(e.target.value)}
              />
            </div>
            <div className="field narrow">
              <label htmlFor="node-port">Port</label>
              <input
                id="node-port"
                type="number"
                inputMode="numeric"
                min={1}
                max={65535}
                required
                value={port}
                onChange={(e) => setPort(e.target.value)}
              />
            </div>
          </div>
          {fieldError('endpoint')}
          {kind === 'swarm' ? (
            <>
              <div className="field">
                <label htmlFor="node-publish-mode">Publish ports</label>
                <select
                  id="node-publish-mode"
                  value={publishMode}
                  aria-describedby="node-publish-mode-hint"
                  onChange={(e) => setPublishMode(e.target.value as 'host' | 'ingress')}
                >
                  <option value="host">host (each task’s node)</option>
                  <option value="ingress">ingress (routing mesh)</option>
                </select>
                <small id="node-publish-mode-hint">
                  host: on the node that runs each task; ingress: on every node, through the routing mesh.
                </small>
                {fieldError('publishMode')}
              </div>
              <div className="field">
                <label htmlFor="node-constraints">Placement constraints (optional)</label>
                <textarea
                  id="node-constraints"
                  rows={2}
                  value={constraints}
                  placeholder="node.labels.pool==web"
                  spellCheck={false}
                  aria-invalid={errors.constraints || errors['config.constraints'] ? true : undefined}
                  onChange={(e) => setConstraints(e.target.value)}
                />
                <small>One a line, as docker service create --constraint takes them.</small>
                {fieldError('constraints')}
              </div>
            </>
          ) : null}
          {transport === 'ssh' ? (
            <>
              <div className="field">
                <label htmlFor="node-user">SSH user</label>
                <input
                  id="node-user"
                  value={username}
                  autoComplete="off"
                  onChange={(e) => setUsername(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="node-ssh-key">Private key file (optional)</label>
                <input
                  id="node-ssh-key"
                  value={sshKey}
                  placeholder="/home/berth/.ssh/id_ed25519"
                  autoComplete="off"
                  spellCheck={false}
                  aria-describedby="node-ssh-key-hint"
                  onChange={(e) => setSshKey(e.target.value)}
                />
                <small id="node-ssh-key-hint">
                  A path on berth’s machine; the key itself never leaves it.
                </small>
                {fieldError('sshKey')}
              </div>
              <div className="field">
                <label htmlFor="node-host-key">Host key fingerprint (optional)</label>
                <input
                  id="node-host-key"
                  value={hostKey}
                  placeholder="SHA256:…"
                  autoComplete="off"
                  spellCheck={false}
                  aria-describedby="node-host-key-hint"
                  onChange={(e) => setHostKey(e.target.value)}
                />
                <small id="node-host-key-hint">
                  As <code>ssh-keygen -lf</code> prints it. Empty: the host’s entry in known_hosts, else the
                  key seen first is recorded and required from then on.
                </small>
                {fieldError('hostKey')}
              </div>
            </>
          ) : null}
          {transport === 'tls' ? (
            <div className="field">
              <label htmlFor="node-cert-path">Certificate folder</label>
              <input
                id="node-cert-path"
                required
                value={certPath}
                placeholder="/etc/berth/certs/build-box"
                autoComplete="off"
                spellCheck={false}
                aria-describedby="node-cert-path-hint"
                onChange={(e) => setCertPath(e.target.value)}
              />
              <small id="node-cert-path-hint">
                A folder on berth’s machine with ca.pem, cert.pem and key.pem (the DOCKER_CERT_PATH layout).
              </small>
              {fieldError('certPath', 'tls')}
            </div>
          ) : null}
        </>
      )}
      <div className="field">
        <label htmlFor="node-public-address">Address clients use (optional)</label>
        <input
          id="node-public-address"
          value={publicAddress}
          placeholder={kind === 'kubernetes' ? 'the API server’s host' : address.trim() || 'the host address'}
          autoComplete="off"
          spellCheck={false}
          aria-describedby="node-public-address-hint"
          aria-invalid={errors.publicAddress ? true : undefined}
          onChange={(e) => setPublicAddress(e.target.value)}
        />
        <small id="node-public-address-hint">
          Where instance links and berth’s proxy reach this node’s ports. Empty: the host of its endpoint.
        </small>
        {fieldError('publicAddress')}
      </div>
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {refused ? (
        <div className="notice notice-error" role="alert">
          Not added. <ConnectionTestLine verdict={refused} busy={false} />{' '}
          <button type="button" className="button" disabled={busy} onClick={() => add(true)}>
            Add anyway
          </button>
        </div>
      ) : null}
      {added ? (
        <div className="notice notice-calm" role="status">
          Added {added}. <ConnectionTestLine verdict={verdict} busy={testing} />
        </div>
      ) : null}
      {tried ? (
        <div
          className={`notice ${tried.ok ? 'notice-calm' : 'notice-error'}`}
          role="status"
          aria-label="Test result"
        >
          {tried.ok ? 'It answers: ' : 'It does not answer: '}
          <ConnectionTestLine verdict={tried} busy={false} />
          {tried.ok ? null : ' Adding it needs “Add anyway”.'}
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="button" disabled={busy || testing} onClick={() => void tryFirst()}>
          {testing && !added ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add node'}
        </button>
      </div>
    </form>
  );
}
