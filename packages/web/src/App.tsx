import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { RequireAuth } from './auth/RequireAuth';
import { AppLayout } from './components/AppLayout';
import { LoadingState } from './components/States';
import { DepotPage } from './pages/DepotPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';

// Screens off the landing path load on demand (the circuit page brings ECharts).
const CircuitPage = lazy(() =>
  import('./pages/CircuitPage').then((m) => ({ default: m.CircuitPage })),
);
const ModelPage = lazy(() => import('./pages/ModelPage').then((m) => ({ default: m.ModelPage })));
const UsersPage = lazy(() => import('./pages/UsersPage').then((m) => ({ default: m.UsersPage })));
const ConnectionsPage = lazy(() =>
  import('./pages/ConnectionsPage').then((m) => ({ default: m.ConnectionsPage })),
);
const ConnectionPage = lazy(() =>
  import('./pages/ConnectionPage').then((m) => ({ default: m.ConnectionPage })),
);
const ConnectionFormPage = lazy(() =>
  import('./pages/ConnectionFormPage').then((m) => ({ default: m.ConnectionFormPage })),
);
const SecretsPage = lazy(() =>
  import('./pages/SecretsPage').then((m) => ({ default: m.SecretsPage })),
);
const NotificationsPage = lazy(() =>
  import('./pages/NotificationsPage').then((m) => ({ default: m.NotificationsPage })),
);
const RefusalsPage = lazy(() =>
  import('./pages/RefusalsPage').then((m) => ({ default: m.RefusalsPage })),
);
const TokensPage = lazy(() =>
  import('./pages/TokensPage').then((m) => ({ default: m.TokensPage })),
);

const page = (element: ReactNode) => (
  <Suspense fallback={<LoadingState rows={6} />}>{element}</Suspense>
);

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<DepotPage />} />
        <Route path="circuits/:id" element={page(<CircuitPage />)} />
        <Route path="model" element={page(<ModelPage />)} />
        <Route path="users" element={page(<UsersPage />)} />
        <Route path="tokens" element={page(<TokensPage />)} />
        <Route path="connections" element={page(<ConnectionsPage />)} />
        <Route path="connections/new" element={page(<ConnectionFormPage />)} />
        <Route path="connections/:id" element={page(<ConnectionPage />)} />
        <Route path="connections/:id/edit" element={page(<ConnectionFormPage />)} />
        <Route path="refusals" element={page(<RefusalsPage />)} />
        <Route path="secrets" element={page(<SecretsPage />)} />
        <Route path="notifications" element={page(<NotificationsPage />)} />
        <Route path="depot" element={<Navigate to="/" replace />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
