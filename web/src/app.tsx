import { Link, useLocation } from './router.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { TasksPage } from './pages/tasks.tsx';
import { TaskPage } from './pages/task.tsx';
import { LogPage } from './pages/log.tsx';
import { SystemsPage } from './pages/systems.tsx';
import { Empty } from './components/states.tsx';
import { timeZone } from './format.ts';

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
      <main>{page(path)}</main>
    </div>
  );
}
