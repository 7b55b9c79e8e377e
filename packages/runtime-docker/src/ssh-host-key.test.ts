import { describe, expect, it } from 'vitest';
import { fingerprintOf, keyTypeOf, knownHostKeys, normalizeFingerprint } from './ssh-host-key.js';

// Keys made with `ssh-keygen -t ed25519|ecdsa`; fingerprints as `ssh-keygen -lf` printed them.
const A = 'AAAAC3NzaC1lZDI1NTE5AAAAIMadPAC3gSIscB6IvZaeeWZtXO2uQj2GWZLcxt5FMniB';
const A_FP = 'SHA256:rX5x7WgdvfVw4MParMrbMXbhB9lHzI5DtmPtdbokI2E';
const B = 'AAAAC3NzaC1lZDI1NTE5AAAAIOP8ZTPKzN0jH56TWBGZ6lyo5sDz2MJXdFEXFYe11xsj';
const B_FP = 'SHA256:l2/GUCfu61FuEHVYKJBXDnVc5JZAOehk3sTWYAVImBI';
const C =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIiEjKw2UZBMLFJ/mfPGryHtgJq79tQUrVpJZhUjKZu5rKHodO3OcEMF0xO81VKcoPk29pZ6p6jdyY2GqD7mNRk=';
const C_FP = 'SHA256:v/N+lgxkIlMOMPhWONpDIx8KA7ZnaQ3GRYUde+66F8s';
const blob = (b64: string) => Buffer.from(b64, 'base64');

describe('ssh host key fingerprints and known_hosts', () => {
  it('computes the SHA256 fingerprint ssh-keygen -lf prints, and reads the key type', () => {
    expect(fingerprintOf(blob(A))).toBe(A_FP);
    expect(fingerprintOf(blob(C))).toBe(C_FP);
    expect(keyTypeOf(blob(A))).toBe('ssh-ed25519');
    expect(keyTypeOf(blob(C))).toBe('ecdsa-sha2-nistp256');
  });

  it('accepts a fingerprint with or without base64 padding, and nothing else', () => {
    expect(normalizeFingerprint(` ${A_FP}= `)).toBe(A_FP);
    expect(normalizeFingerprint('MD5:12:34')).toBeUndefined();
    expect(normalizeFingerprint('SHA256:short')).toBeUndefined();
  });

  it('finds plain entries: host on port 22, [host]:port otherwise, lists and patterns with negation', () => {
    const text = [
      '# a comment',
      '',
      `node.example,10.0.0.5 ssh-ed25519 ${A}`,
      `[node.example]:2222 ssh-ed25519 ${B}`,
      `*.lab,!secret.lab ecdsa-sha2-nistp256 ${C}`,
      `@cert-authority *.example ssh-ed25519 ${B}`,
      `@revoked old.example ssh-ed25519 ${A}`,
    ].join('\n');
    expect(knownHostKeys(text, 'NODE.example', 22).map((k) => k.fingerprint)).toEqual([A_FP]);
    expect(knownHostKeys(text, '10.0.0.5', 22).map((k) => k.line)).toEqual([3]);
    expect(knownHostKeys(text, 'node.example', 2222).map((k) => k.fingerprint)).toEqual([B_FP]);
    expect(knownHostKeys(text, 'db.lab', 22).map((k) => k.type)).toEqual(['ecdsa-sha2-nistp256']);
    expect(knownHostKeys(text, 'secret.lab', 22)).toEqual([]);
    expect(knownHostKeys(text, 'other.example', 22)).toEqual([]);
    expect(knownHostKeys(text, 'old.example', 22)).toEqual([
      { type: 'ssh-ed25519', fingerprint: A_FP, revoked: true, line: 7 },
    ]);
  });

  it('matches hashed entries as `ssh-keygen -H` writes them', () => {
    // `[10.1.2.3]:2222 <A>` and `node.example <B>`, hashed by ssh-keygen -H.
    const text = [
      `|1|dojrCPwT6Anzj+UzUtlBq2X0uQM=|YsCfEOlWfp3nGkfwdJJInxPGpTI= ssh-ed25519 ${A}`,
      `|1|y5G72N7nY5FASllWdwYvbRi1nO4=|drS7tUW2N1vDpUDZnCYeUDh3A0Q= ssh-ed25519 ${B}`,
    ].join('\n');
    expect(knownHostKeys(text, '10.1.2.3', 2222).map((k) => k.fingerprint)).toEqual([A_FP]);
    expect(knownHostKeys(text, '10.1.2.3', 22)).toEqual([]);
    expect(knownHostKeys(text, 'node.example', 22).map((k) => k.fingerprint)).toEqual([B_FP]);
  });
});
