import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SshHostTrust } from './ssh-host-trust.js';

// Keys made with `ssh-keygen -t ed25519|ecdsa`; fingerprints as `ssh-keygen -lf` printed them.
const A = 'AAAAC3NzaC1lZDI1NTE5AAAAIMadPAC3gSIscB6IvZaeeWZtXO2uQj2GWZLcxt5FMniB';
const A_FP = 'SHA256:rX5x7WgdvfVw4MParMrbMXbhB9lHzI5DtmPtdbokI2E';
const B = 'AAAAC3NzaC1lZDI1NTE5AAAAIOP8ZTPKzN0jH56TWBGZ6lyo5sDz2MJXdFEXFYe11xsj';
const B_FP = 'SHA256:l2/GUCfu61FuEHVYKJBXDnVc5JZAOehk3sTWYAVImBI';
const C =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIiEjKw2UZBMLFJ/mfPGryHtgJq79tQUrVpJZhUjKZu5rKHodO3OcEMF0xO81VKcoPk29pZ6p6jdyY2GqD7mNRk=';
const C_FP = 'SHA256:v/N+lgxkIlMOMPhWONpDIx8KA7ZnaQ3GRYUde+66F8s';
const blob = (b64: string) => Buffer.from(b64, 'base64');

function trustOf(policy: ConstructorParameters<typeof SshHostTrust>[0]) {
  return new SshHostTrust(policy);
}

function knownHostsWith(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-kh-')), 'known_hosts');
  writeFileSync(file, text);
  return file;
}

describe('SshHostTrust', () => {
  it("accepts the node's hostKey and refuses another key, saying both fingerprints", async () => {
    const trust = trustOf({ host: 'h', port: 2222, expected: A_FP, node: 'far' });
    const check = await trust.prepare();
    expect(check.verify(blob(A))).toBeUndefined();
    expect(trust.seen).toEqual({ fingerprint: A_FP, type: 'ssh-ed25519', trust: 'node' });
    const err = check.verify(blob(B)) as Error & { code?: string };
    expect(err.code).toBe('ERR_SSH_HOST_KEY');
    expect(err.message).toBe(
      `the host key of h:2222 is ${B_FP} (ssh-ed25519), but the node expects ${A_FP} — if the host was reinstalled, update the node's hostKey (berth node host-key far SHA256:…)`,
    );
  });

  it('trusts the first key it sees once, reports it, and then holds every connection to it', async () => {
    const seen: string[] = [];
    const trust = trustOf({ host: 'h', port: 22, onFirstUse: (fp) => seen.push(fp) });
    const [first, second] = await Promise.all([trust.prepare(), trust.prepare()]);
    expect(first.serverHostKey).toBeUndefined();
    expect(first.verify(blob(A))).toBeUndefined();
    expect(seen).toEqual([A_FP]);
    expect(trust.expected).toBe(A_FP);
    // A connection prepared before the first key was trusted is held to it too.
    expect(second.verify(blob(B))?.message).toMatch(`is ${B_FP} (ssh-ed25519), but the node expects ${A_FP}`);
    expect((await trust.prepare()).verify(blob(A))).toBeUndefined();
    expect(seen).toEqual([A_FP]);
    trust.expect(undefined);
    expect((await trust.prepare()).verify(blob(B))).toBeUndefined();
    expect(seen).toEqual([A_FP, B_FP]);
  });

  it('holds a host known_hosts lists to its keys (read at each connection), offering their types first', async () => {
    const file = knownHostsWith(`[h]:2222 ecdsa-sha2-nistp256 ${C}\n`);
    const seen: string[] = [];
    const trust = trustOf({ host: 'h', port: 2222, knownHosts: file, onFirstUse: (fp) => seen.push(fp) });
    const check = await trust.prepare();
    expect(check.serverHostKey?.[0]).toBe('ecdsa-sha2-nistp256');
    expect(check.verify(blob(C))).toBeUndefined();
    expect(trust.seen?.trust).toBe('known_hosts');
    expect(check.verify(blob(A))?.message).toBe(
      `the host key of h:2222 is ${A_FP} (ssh-ed25519), but ${file} lists ${C_FP} (ecdsa-sha2-nistp256, line 1) for [h]:2222 — if the host was reinstalled, remove the old entry (ssh-keygen -R '[h]:2222' -f ${file})`,
    );
    expect(seen).toEqual([]);
    expect(trust.expected).toBeUndefined();
    writeFileSync(file, `@revoked [h]:2222 ssh-ed25519 ${A}\n`);
    expect((await trust.prepare()).verify(blob(A))?.message).toMatch(/marks @revoked \(line 1\)/);
    // No entry for this host: trust on first use.
    const other = trustOf({
      host: 'elsewhere',
      port: 22,
      knownHosts: file,
      onFirstUse: (fp) => seen.push(fp),
    });
    expect((await other.prepare()).verify(blob(B))).toBeUndefined();
    expect(seen).toEqual([B_FP]);
  });

  it('does not read known_hosts when the node has a hostKey; a missing file lists nothing', async () => {
    const file = knownHostsWith(`h ssh-ed25519 ${B}\n`);
    expect(
      (await trustOf({ host: 'h', port: 22, knownHosts: file, expected: A_FP }).prepare()).verify(blob(A)),
    ).toBeUndefined();
    const missing = trustOf({ host: 'h', port: 22, knownHosts: join(tmpdir(), 'no-such-dir-berth', 'kh') });
    expect((await missing.prepare()).verify(blob(A))).toBeUndefined();
  });
});
