import { lazy, Suspense } from 'react';
import { Link, useLocation } from './router.tsx';
import { LogPage } from './pages/log.tsx';
import { Empty, Loading } from './components/states.tsx';
import { timeZone } from './format.ts';

// The log (the product) is in the first chunk, so a link into it needs no second round trip;
// the other pages are chunks of their own, loaded when first shown.
const DashboardPage = lazy(() =>
  import('./pages/dashboard.tsx').then((m) => ({ default: m.DashboardPage })),
);
const TasksPage = lazy(() => import('./pages/tasks.tsx').then((m) => ({ default: m.TasksPage })));
const TaskPage = lazy(() => import('./pages/task.tsx').then((m) => ({ default: m.TaskPage })));
const SystemsPage = lazy(() =>
  import('./pages/systems.tsx').then((m) => ({ default: m.SystemsPage })),
);

const NAV = [
  { href: '/', label: 'Dashboard' },
  { href: '/logs', label: 'Provisioning log' },
  { href: '/tasks', label: 'Tasks' },
  { href: '/systems', label: 'Systems & jobs' },
];

function page(path: string) {
  if (path === '/') return <DashboardPage />;
  if (path === '/logs') return <LogPage />;
  if (path === '/tasks') return <TasksPage />;
  const task = /^\/tasks\/([^/]+)$/.exec(path);
  if (task) return <TaskPage id={decodeURIComponent(task[1]!)} />;
  if (path === '/systems') return <SystemsPage />;
  return (
    <Empty title="There is no page here.">
      <Link href="/">Go to the dashboard</Link>
    </Empty>
  );
}

export function App() {
  const { path } = useLocation();
  const current = NAV.filter((n) => (n.href === '/' ? path === '/' : path.startsWith(n.href)));
  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" className="brand">
          provlog
        </Link>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.href} href={n.href} aria-current={current[0] === n ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span className="tz" title="Times are shown in your time zone">
          {timeZone}
        </span>
        <a className="api-link" href="/api/v1/openapi.json">
          API
        </a>
      </header>
      <main>
        <Suspense fallback={<Loading />}>{page(path)}</Suspense>
      </main>
    </div>
  );
}
