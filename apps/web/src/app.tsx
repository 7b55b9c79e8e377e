import { useEffect, useState } from 'react';
import { onUnauthorized } from './api/http';
import { clearToken, readToken } from './api/token-store';
import { NavBar } from './components/nav-bar';
import { type Route, useRoute } from './hooks/use-route';
import { DashboardPage } from './pages/dashboard-page';
import { DeployPage } from './pages/deploy-page';
import { InstanceDetailPage } from './pages/instance-detail-page';
import { InstancesPage } from './pages/instances-page';
import { IntegrationsPage } from './pages/integrations-page';
import { LoginPage } from './pages/login-page';
import { NodesPage } from './pages/nodes-page';
import { PortsPage } from './pages/ports-page';
import { TemplateDetailPage } from './pages/template-detail-page';
import { TemplatesPage } from './pages/templates-page';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'dashboard':
      return <DashboardPage />;
    case 'templates':
      return <TemplatesPage />;
    case 'template':
      return <TemplateDetailPage key={route.name} name={route.name} />;
    case 'instances':
      return <InstancesPage />;
    case 'instance':
      return <InstanceDetailPage key={route.name} name={route.name} />;
    case 'ports':
      return <PortsPage />;
    case 'nodes':
      return <NodesPage />;
    case 'integrations':
      return <IntegrationsPage />;
    case 'deploy':
      return <DeployPage />;
  }
}

/** Login until a token works; any 401 later brings the login back with the server's message. */
export function App() {
  const [signedIn, setSignedIn] = useState(() => readToken() !== null);
  const [reason, setReason] = useState<string>();
  const route = useRoute();

  useEffect(
    () =>
      onUnauthorized((message) => {
        setReason(`Please sign in again: ${message}`);
        setSignedIn(false);
      }),
    [],
  );

  useEffect(() => {
    const title = route.page === 'instance' || route.page === 'template' ? route.name : route.page;
    document.title = `${title} · berth`;
  }, [route]);

  if (!signedIn) {
    return (
      <LoginPage
        reason={reason}
        onSignedIn={() => {
          setReason(undefined);
          setSignedIn(true);
        }}
      />
    );
  }
  return (
    <>
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <NavBar
        route={route}
        onSignOut={() => {
          clearToken();
          setReason('Signed out.');
          setSignedIn(false);
        }}
      />
      <main id="main" className="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}
