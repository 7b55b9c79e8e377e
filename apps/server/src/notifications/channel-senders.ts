import type { NotificationKind } from '@berth/contracts';
import type { Notification } from './notification.js';

/** A channel opened for sending: its kind and its whole config, secrets included. */
export interface OpenChannel {
  kind: NotificationKind;
  config: Record<string, unknown>;
}

const TIMEOUT_MS = 10_000;
const COLORS = { info: 0x2e86de, warning: 0xf39c12, error: 0xe74c3c } as const;

/** The JSON body each webhook kind expects. */
export function webhookBody(kind: 'webhook' | 'slack' | 'discord', n: Notification): unknown {
  if (kind === 'slack') return { text: `*${n.title}*\n${n.text}` };
  if (kind === 'discord') {
    return { content: n.title, embeds: [{ title: n.title, description: n.text, color: COLORS[n.severity] }] };
  }
  return { source: 'berth', ...n, time: new Date(n.ts).toISOString() };
}

/** Sends one notification; throws with a reason (no secret in it) when the receiver did not take it. */
export async function sendTo(channel: OpenChannel, n: Notification): Promise<void> {
  if (channel.kind === 'email') return sendMail(channel.config, n);
  const url = String(channel.config.url);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(webhookBody(channel.kind, n)),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`${new URL(url).origin} answered HTTP ${res.status}`);
}

async function sendMail(c: Record<string, unknown>, n: Notification): Promise<void> {
  // Loaded at the first mail, not when berth starts (36 modules most servers never use).
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: String(c.host),
    port: Number(c.port),
    secure: c.secure === true,
    ...(c.username ? { auth: { user: String(c.username), pass: String(c.password ?? '') } } : {}),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: String(c.from),
      to: (c.to as string[]).join(', '),
      subject: `[berth] ${n.title}`,
      text: `${n.text}\n\n${new Date(n.ts).toISOString()}`,
    });
  } finally {
    transport.close();
  }
}
