import {
  fingerprintOf,
  type KnownHostKey,
  keyTypeOf,
  knownHostsName,
  readKnownHostKeys,
} from './ssh-host-key.js';

/** How one ssh host's key is checked, as ssh does it. */
export interface SshHostKeyPolicy {
  host: string;
  port: number;
  /** The node's `hostKey` (given, or recorded on first use): the only key accepted when set. */
  expected?: string | undefined;
  /** The known_hosts file consulted when there is no `expected`. */
  knownHosts?: string | undefined;
  /** The node's name, for messages. */
  node?: string | undefined;
  /** Called once when the key of a host nothing knows yet is trusted on first use. */
  onFirstUse?: ((fingerprint: string) => void) | undefined;
}

/** What the key berth accepted matched: the node's hostKey (given or recorded on first use), or known_hosts. */
export type HostKeyTrust = 'node' | 'known_hosts';

export interface SeenHostKey {
  fingerprint: string;
  type: string;
  trust: HostKeyTrust;
}

/** One connection's check, prepared before it connects (known_hosts is read then). */
export interface HostKeyCheck {
  /** Host key algorithms in the order to offer them: the types known_hosts lists first. */
  serverHostKey: string[] | undefined;
  /** Undefined when the key is accepted; the error to fail the connection with otherwise. */
  verify(blob: Buffer): Error | undefined;
}

/** ssh2's default order of host key algorithms. */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** The host key fails the check: a readable sentence, and `ERR_SSH_HOST_KEY` for the error table. */
export function hostKeyError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_SSH_HOST_KEY' });
}

/**
 * The host key check of one ssh endpoint: the node's `hostKey` when it has one, else the entries
 * of known_hosts for the host, else trust on first use — the key seen first becomes the one every
 * later connection must present (and `onFirstUse` records it on the node).
 */
export class SshHostTrust {
  private seenKey: SeenHostKey | undefined;

  constructor(private readonly policy: SshHostKeyPolicy) {}

  /** The key last accepted, and why. */
  get seen(): SeenHostKey | undefined {
    return this.seenKey;
  }

  get expected(): string | undefined {
    return this.policy.expected;
  }

  /** A new `hostKey` for the node (undefined: trust the next key on first use). */
  expect(fingerprint: string | undefined): void {
    this.policy.expected = fingerprint;
    this.seenKey = undefined;
  }

  async prepare(): Promise<HostKeyCheck> {
    const { host, port, knownHosts } = this.policy;
    const known = this.policy.expected || !knownHosts ? [] : await readKnownHostKeys(knownHosts, host, port);
    const listed = known.filter((k) => !k.revoked);
    return {
      serverHostKey: listed.length > 0 ? preferTypes(listed.map((k) => k.type)) : undefined,
      verify: (blob) => this.verify(blob, known),
    };
  }

  private verify(blob: Buffer, known: KnownHostKey[]): Error | undefined {
    const fingerprint = fingerprintOf(blob);
    const type = keyTypeOf(blob);
    const { expected, knownHosts } = this.policy;
    const presented = `the host key of ${this.label()} is ${fingerprint} (${type})`;
    // Read now, not when prepared: a concurrent connection may have trusted a key first.
    if (expected) {
      if (fingerprint !== expected) {
        return hostKeyError(
          `${presented}, but the node expects ${expected} — if the host was reinstalled, update the node's hostKey${this.hint()}`,
        );
      }
      return this.accept(fingerprint, type, 'node');
    }
    const revoked = known.find((k) => k.revoked && k.fingerprint === fingerprint);
    if (revoked)
      return hostKeyError(`${presented}, which ${knownHosts} marks @revoked (line ${revoked.line})`);
    const listed = known.filter((k) => !k.revoked);
    if (listed.length > 0) {
      if (!listed.some((k) => k.fingerprint === fingerprint)) {
        const lines = listed.map((k) => `${k.fingerprint} (${k.type}, line ${k.line})`).join(', ');
        return hostKeyError(
          `${presented}, but ${knownHosts} lists ${lines} for ${knownHostsName(this.policy.host, this.policy.port)} — if the host was reinstalled, remove the old entry (ssh-keygen -R '${knownHostsName(this.policy.host, this.policy.port)}' -f ${knownHosts})`,
        );
      }
      return this.accept(fingerprint, type, 'known_hosts');
    }
    this.policy.expected = fingerprint;
    this.accept(fingerprint, type, 'node');
    this.policy.onFirstUse?.(fingerprint);
    return undefined;
  }

  private accept(fingerprint: string, type: string, trust: HostKeyTrust): undefined {
    this.seenKey = { fingerprint, type, trust };
    return undefined;
  }

  private label(): string {
    const { host, port } = this.policy;
    return port === 22 ? host : `${host}:${port}`;
  }

  private hint(): string {
    return this.policy.node ? ` (berth node host-key ${this.policy.node} SHA256:…)` : '';
  }
}

/** known_hosts' key types first (as ssh2 names their algorithms), then the rest in ssh2's order. */
function preferTypes(types: string[]): string[] {
  const first = types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const known = first.filter((a) => DEFAULT_HOST_KEY_ALGORITHMS.includes(a));
  if (known.length === 0) return DEFAULT_HOST_KEY_ALGORITHMS;
  return [...new Set([...known, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}
