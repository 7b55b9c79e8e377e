import { useState } from 'react';
import { api } from '../api/api';
import type { CreatedTokenRow } from '../api/types';
import { CreateTokenForm } from '../components/create-token-form';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { Skeleton } from '../components/skeleton';
import { TokenRow } from '../components/token-row';
import { TokenSecret } from '../components/token-secret';
import { useResource } from '../hooks/use-resource';
import { useSession } from '../hooks/use-session';

/** API tokens (admin only): the list, a form for a new one with its role, its secret once, Revoke. */
export function TokensPage() {
  const tokens = useResource(() => api.tokens(), '');
  const session = useSession();
  const [created, setCreated] = useState<CreatedTokenRow>();

  return (
    <>
      <PageHeader title="Tokens" />
      <p className="muted lead">
        Each token has a role: <strong>read</strong> sees everything, <strong>operate</strong> also starts and
        stops instances, <strong>admin</strong> may do anything — templates run commands on this machine, so
        give it only to whom you would give a shell.
      </p>
      {created ? <TokenSecret token={created} onDone={() => setCreated(undefined)} /> : null}
      <section className="card narrow-card" aria-labelledby="token-new">
        <h2 id="token-new">New token</h2>
        <CreateTokenForm
          onCreated={(t) => {
            setCreated(t);
            tokens.reload();
          }}
        />
      </section>
      <section className="card" aria-labelledby="token-list">
        <h2 id="token-list">Tokens</h2>
        {tokens.error ? <Notice tone="error">{tokens.error}</Notice> : null}
        {tokens.loading ? <Skeleton height={40} count={2} label="Loading tokens" /> : null}
        {tokens.data ? (
          <table className="table stack-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Revoked</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => (
                <TokenRow key={t.id} token={t} mine={t.id === session?.id} onRevoked={tokens.reload} />
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </>
  );
}
