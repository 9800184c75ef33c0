import type { FastifyInstance } from 'fastify';

/**
 * Until the web console lands (web/), `/` shows where everything is, so a new user of
 * `npm start` is not met by a 404.
 */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>provlog</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f8fa}
header{background:#1d2733;color:#fff;padding:14px 28px;font-weight:600;font-size:18px}
main{max-width:980px;margin:24px auto;padding:0 24px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e8ee}
th{background:#eef2f6}.failure,.failed{color:#b42318}.success,.succeeded{color:#067647}
.partially_succeeded,.skipped{color:#b54708}code{background:#eef2f6;padding:1px 4px;border-radius:3px}
</style></head>
<body><header>provlog — provisioning log</header><main>
<p>The API is at <a href="/api/v1/entries?limit=20"><code>/api/v1/entries</code></a>,
<a href="/api/v1/tasks?limit=20"><code>/api/v1/tasks</code></a> and
<a href="/api/v1/entries/facets?window=7d"><code>/api/v1/entries/facets</code></a>;
its OpenAPI document is <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a>.</p>
<h2>Latest tasks</h2><table id="tasks"><tr><th>Started</th><th>Direction</th><th>Trigger module</th><th>Status</th><th>Description</th></tr></table>
<h2>Latest entries</h2><table id="entries"><tr><th>Time</th><th>Identity</th><th>Action</th><th>Status</th><th>Target</th><th>Error</th></tr></table>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const when = (t) => t ? new Date(t).toLocaleString() : '';
fetch('/api/v1/tasks?limit=10').then((r) => r.json()).then((p) => {
  document.getElementById('tasks').insertAdjacentHTML('beforeend', p.items.map((t) =>
    '<tr><td>' + when(t.startedAt) + '</td><td>' + t.direction + '</td><td>' + esc(t.triggerModuleName) +
    '</td><td class="' + t.status + '">' + t.status + '</td><td>' + esc(t.statusDescription) + '</td></tr>').join(''));
});
fetch('/api/v1/entries?limit=15').then((r) => r.json()).then((p) => {
  document.getElementById('entries').insertAdjacentHTML('beforeend', p.items.map((e) =>
    '<tr><td>' + when(e.time) + '</td><td>' + esc((e.targetIdentity || e.sourceIdentity || {}).displayName || (e.sourceIdentity || {}).id) +
    '</td><td>' + e.action + '</td><td class="' + e.status + '">' + e.status + '</td><td>' + esc((e.targetSystem || {}).name) +
    '</td><td>' + esc(e.errorCode) + '</td></tr>').join(''));
});
</script></main></body></html>`;

export function registerConsole(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
}
