import type { ReactNode } from 'react';

/** A message where something happened: `error` for failures in the API's words, `calm` otherwise. */
export function Notice({ tone = 'calm', children }: { tone?: 'calm' | 'error'; children: ReactNode }) {
  return (
    <p className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

export function NotAvailable({ what }: { what: string }) {
  return <Notice>{what} is not available on this server yet.</Notice>;
}
