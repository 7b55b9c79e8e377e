import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InvalidInput,
  type Logger,
  resealSecrets,
  type SecretBox,
  type Store,
  silentLogger,
} from '@berth/core';

const FORMAT = 'v1';
const KEY_FILE = 'secret.key';

interface Key {
  id: string;
  bytes: Buffer;
}

/**
 * Encrypts integration secrets and instances' secret config values at rest with AES-256-GCM. The
 * key file `<home>/secret.key` (mode 0600, created on first use) holds one base64 key per line,
 * the current one first; a blob names the key that sealed it, so a rotation interrupted half way
 * still opens everything.
 */
export class SecretKeyring {
  private keys: Key[];

  private constructor(
    private readonly file: string,
    keys: Key[],
    private readonly log: Logger,
  ) {
    this.keys = keys;
  }

  /** Reads `<home>/secret.key`, creating it with a fresh key when it does not exist. */
  static load(home: string, log: Logger = silentLogger): SecretKeyring {
    const file = join(home, KEY_FILE);
    createIfMissing(file);
    tightenMode(file, log);
    const keys = readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map(toKey);
    if (keys.length === 0) throw new Error(`${file} holds no key`);
    return new SecretKeyring(file, keys, log);
  }

  /** One value at a time, for instances' config fields marked `secret`: the same cipher, keys and rotation. */
  readonly box: SecretBox = {
    seal: (plain) => this.seal({ value: plain })!,
    open: (sealed) => {
      const { value } = this.open(sealed);
      if (value === undefined)
        throw new InvalidInput('a stored secret is not a sealed value', { code: 'SECRETS_UNREADABLE' });
      return value;
    },
  };

  get currentKeyId(): string {
    return this.current.id;
  }

  /** The values sealed with the current key, or null when there are none. */
  seal(values: Record<string, string>): string | null {
    if (Object.keys(values).length === 0) return null;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return [FORMAT, this.current.id, ...parts].join('.');
  }

  /** The values in a blob; throws when no key of this keyring sealed it or it was tampered with. */
  open(blob: string | null): Record<string, string> {
    if (blob === null) return {};
    const [format, keyId, iv, tag, data] = blob.split('.');
    const key = this.keys.find((k) => k.id === keyId);
    if (format !== FORMAT || !key || iv === undefined || tag === undefined || data === undefined) {
      throw new InvalidInput('stored secrets cannot be opened with the key in secret.key', {
        code: 'SECRETS_UNREADABLE',
      });
    }
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
    return JSON.parse(text.toString('utf8')) as Record<string, string>;
  }

  /**
   * Makes a new key and re-seals every integration's secrets and every instance's sealed config
   * values with it in one transaction. The new key is written (beside the old ones) before the
   * transaction and the old ones dropped after, so the file can open the database at every moment;
   * a failed transaction changes nothing. `others` re-seals, in the same transaction, what other
   * parts sealed with this keyring (the server's notification channels).
   */
  rotateKey(
    store: Store,
    others?: (reseal: (sealed: string) => string | null) => void,
  ): { keyId: string; resealed: number; resealedInstances: number } {
    const fresh = toKey(randomBytes(32).toString('base64'));
    const before = this.keys;
    this.keys = [fresh, ...before];
    this.write();
    let resealed = 0;
    let resealedInstances = 0;
    try {
      store.transaction(() => {
        for (const i of store.integrations.list()) {
          if (i.secrets === null) continue;
          store.integrations.update(i.id, { secrets: this.seal(this.open(i.secrets)) });
          resealed++;
        }
        for (const inst of store.instances.list()) {
          this.resealDeployments(store, inst.id);
          const config = resealSecrets(inst.config, this.box);
          if (config === null) continue;
          store.instances.update(inst.id, { config });
          resealedInstances++;
        }
        others?.((sealed) => this.seal(this.open(sealed)));
      });
    } catch (err) {
      this.keys = before;
      this.write();
      throw err;
    }
    this.keys = [fresh];
    this.write();
    this.log.info(
      { keyId: fresh.id, resealed, resealedInstances },
      `Rotated the secrets key; re-sealed ${resealed} integrations and ${resealedInstances} instances`,
    );
    return { keyId: fresh.id, resealed, resealedInstances };
  }

  /** The sealed config each deployment kept (what a rollback runs again), sealed with the new key. */
  private resealDeployments(store: Store, instanceId: string): void {
    for (const dep of store.deployments.listByInstance(instanceId)) {
      const config = dep.spec ? resealSecrets(dep.spec.config, this.box) : null;
      if (dep.spec && config) store.deployments.update(dep.id, { spec: { ...dep.spec, config } });
    }
  }

  private get current(): Key {
    return this.keys[0]!;
  }

  /** Atomic: a temporary file with mode 0600, then a rename over the old one. */
  private write(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${this.keys.map((k) => k.bytes.toString('base64')).join('\n')}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}

function toKey(base64: string): Key {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== 32) throw new Error('a key in secret.key is not 32 bytes of base64');
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 12), bytes };
}

function createIfMissing(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    writeFileSync(fd, `${randomBytes(32).toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
}

function tightenMode(file: string, log: Logger): void {
  const mode = statSync(file).mode & 0o777;
  if (mode === 0o600) return;
  chmodSync(file, 0o600);
  log.warn(
    { file, mode: mode.toString(8) },
    `${file} was readable by others (mode ${mode.toString(8)}); set it to 600`,
  );
}
