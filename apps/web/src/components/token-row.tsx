import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { TokenRow as Token } from '../api/types';
import { formatDateTime } from '../lib/format';

/** One token: name, role, when it was created and last used, revoked or Revoke (asked once more, in place). */
export function TokenRow({
  token: t,
  mine,
  onRevoked,
}: {
  token: Token;
  mine: boolean;
  onRevoked: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const [error, setError] = useState<string>();

  const revoke = async () => {
    setRevoking(true);
    setError(undefined);
    try {
      await api.revokeToken(t.id);
      onRevoked();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setRevoking(false);
      setConfirming(false);
    }
  };

  return (
    <tr data-token={t.name} className={t.revokedAt === null ? undefined : 'revoked'}>
      <th scope="row" data-label="Name">
        {t.name}
        {mine ? <span className="small muted"> (this session)</span> : null}
      </th>
      <td data-label="Role">
        <span className={`badge role-${t.role}`}>{t.role}</span>
      </td>
      <td data-label="Created">{formatDateTime(t.createdAt)}</td>
      <td data-label="Last used">{t.lastUsedAt === null ? 'never' : formatDateTime(t.lastUsedAt)}</td>
      <td data-label="Revoked">{t.revokedAt === null ? '—' : formatDateTime(t.revokedAt)}</td>
      <td className="token-actions">
        {t.revokedAt !== null ? null : confirming ? (
          <div className="actions">
            <button
              type="button"
              className="button danger"
              disabled={revoking}
              onClick={() => void revoke()}
              aria-label={`Really revoke ${t.name}`}
            >
              {revoking ? 'Revoking…' : mine ? 'Yes, revoke and sign out' : 'Yes, revoke'}
            </button>
            <button type="button" className="button quiet" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </div>
        ) : (
          <div className="actions">
            <button
              type="button"
              className="button danger"
              onClick={() => setConfirming(true)}
              aria-label={`Revoke ${t.name}`}
            >
              Revoke
            </button>
          </div>
        )}
        {error ? (
          <p className="small test-error" role="alert">
            {error}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
