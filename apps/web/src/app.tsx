import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { api } from './api/api';
import { ApiError, messageOf } from './api/api-error';
import { useServerDown } from './api/connection';
import { onUnauthorized } from './api/http';
import type { SessionView } from './api/types';
import { NavBar } from './components/nav-bar';
import { Notice } from './components/notice';
import { PageHeader } from './components/page-header';
import { RoleNotice } from './components/role-notice';
import { Skeleton } from './components/skeleton';
import { hrefOf, type Route, useRoute } from './hooks/use-route';
import { useScrollMemory } from './hooks/use-scroll-memory';
import { SessionContext, useCan } from './hooks/use-session';
import { DashboardPage } from './pages/dashboard-page';
import { InstanceDetailPage } from './pages/instance-detail-page';
import { InstancesPage } from './pages/instances-page';
import { LoginPage } from './pages/login-page';

/*
 * The pages an operator opens every day (dashboard, instances, an instance) come with the first
 * load; the others are fetched when first opened, so the bundle every visit pays for stays small.
 */
const DeployPage = lazy(() => import('./pages/deploy-page').then((m) => ({ default: m.DeployPage })));
const IntegrationsPage = lazy(() =>
  import('./pages/integrations-page').then((m) => ({ default: m.IntegrationsPage })),
);
const NodesPage = lazy(() => import('./pages/nodes-page').then((m) => ({ default: m.NodesPage })));
const NotificationsPage = lazy(() =>
  import('./pages/notifications-page').then((m) => ({ default: m.NotificationsPage })),
);
const PortsPage = lazy(() => import('./pages/ports-page').then((m) => ({ default: m.PortsPage })));
const TemplateDetailPage = lazy(() =>
  import('./pages/template-detail-page').then((m) => ({ default: m.TemplateDetailPage })),
);
const TemplatesPage = lazy(() =>
  import('./pages/templates-page').then((m) => ({ default: m.TemplatesPage })),
);
const TokensPage = lazy(() => import('./pages/tokens-page').then((m) => ({ default: m.TokensPage })));

/**
 * Deploy and Tokens are all writes only `admin` may make, and notification channels hold secrets
 * (admin reads them too): other roles get the reason instead.
 */
function AdminOnly({ title, children }: { title: string; children: ReactNode }) {
  if (useCan('admin')) return children;
  return (
    <>
      <PageHeader title={title} />
      <RoleNotice need="admin" what={`The ${title} page`} />
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'dashboard':
      return <DashboardPage />;
    case 'templates':
      return <TemplatesPage />;
    case 'template':
      return <TemplateDetailPage key={route.name} name={route.name} />;
    case 'instances':
      return <InstancesPage key={route.status ?? ''} status={route.status} />;
    case 'instance':
      return <InstanceDetailPage key={route.name} name={route.name} />;
    case 'ports':
      return <PortsPage />;
    case 'nodes':
      return <NodesPage />;
    case 'integrations':
      return <IntegrationsPage />;
    case 'notifications':
      return (
        <AdminOnly title="Notifications">
          <NotificationsPage />
        </AdminOnly>
      );
    case 'deploy':
      return (
        <AdminOnly title="Deploy">
          <DeployPage />
        </AdminOnly>
      );
    case 'tokens':
      return (
        <AdminOnly title="Tokens">
          <TokensPage />
        </AdminOnly>
      );
  }
}

/** Where the UI kept the token before it moved into an HttpOnly cookie: removed on every load. */
const OLD_TOKEN_KEY = 'berth.token';

function forgetOldToken(): void {
  try {
    localStorage.removeItem(OLD_TOKEN_KEY);
  } catch {
    // storage disabled: nothing was kept there either
  }
}

type SessionState =
  | { kind: 'checking' }
  | { kind: 'signed-out'; reason?: string }
  | { kind: 'signed-in'; session: SessionView };

/**
 * Asks the server who the session cookie belongs to; login until a token works; any 401 later
 * brings the login back with the server's message. The token itself is never readable here.
 */
export function App() {
  const [state, setState] = useState<SessionState>({ kind: 'checking' });
  const [signOutError, setSignOutError] = useState<string>();
  const route = useRoute();
  const serverDown = useServerDown();
  useScrollMemory(hrefOf(route));

  useEffect(() => {
    forgetOldToken();
    let live = true;
    api.session().then(
      (session) => live && setState({ kind: 'signed-in', session }),
      // No session yet is the ordinary first visit, not something to warn about; a session that
      // ended (a revoked token) or a server that cannot answer is.
      (err) =>
        live &&
        setState(firstVisit(err) ? { kind: 'signed-out' } : { kind: 'signed-out', reason: messageOf(err) }),
    );
    const stop = onUnauthorized((message) =>
      setState({ kind: 'signed-out', reason: `Please sign in again: ${message}` }),
    );
    return () => {
      live = false;
      stop();
    };
  }, []);

  useEffect(() => {
    const title = route.page === 'instance' || route.page === 'template' ? route.name : route.page;
    document.title = `${title} · berth`;
  }, [route]);

  if (state.kind === 'checking') {
    return (
      <main className="login">
        <Notice>Checking your session…</Notice>
      </main>
    );
  }
  if (state.kind === 'signed-out') {
    return (
      <LoginPage reason={state.reason} onSignedIn={(session) => setState({ kind: 'signed-in', session })} />
    );
  }
  const signOut = async () => {
    setSignOutError(undefined);
    try {
      await api.signOut();
    } catch (err) {
      // 401: the cookie was no longer valid anyway; anything else: it still is, so say so
      if (!(err instanceof ApiError && err.status === 401)) {
        setSignOutError(`Could not sign out: ${messageOf(err)}`);
        return;
      }
    }
    setState({ kind: 'signed-out', reason: 'Signed out.' });
  };
  return (
    <SessionContext.Provider value={state.session}>
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <NavBar route={route} session={state.session} onSignOut={() => void signOut()} />
      <main id="main" className={serverDown ? 'main stale' : 'main'} tabIndex={-1}>
        {serverDown ? (
          <p className="notice notice-error server-down" role="alert">
            berth’s server is not answering. What you see is what it last said; actions are off until it is
            back.
          </p>
        ) : null}
        {signOutError ? <Notice tone="error">{signOutError}</Notice> : null}
        <Suspense fallback={<Skeleton height={240} label="Loading the page" />}>
          <Page route={route} />
        </Suspense>
      </main>
    </SessionContext.Provider>
  );
}

/** The server's answer when no token came at all (see TokenService.verify). */
function firstVisit(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401 && err.message.startsWith('Not signed in');
}
