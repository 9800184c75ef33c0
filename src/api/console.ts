import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm start` (scripts/build-console.ts) builds the web console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * The console's own pages: each answers with index.html and the client routes it. A page
 * whose code is a chunk of its own (web/src/app.tsx loads it lazily) names its module, so
 * the HTML preloads that chunk beside the first one instead of a round trip later.
 */
const PAGES: Record<string, string | undefined> = {
  '/': 'src/pages/dashboard.tsx',
  '/logs': undefined,
  '/tasks': 'src/pages/tasks.tsx',
  '/tasks/:id': 'src/pages/task.tsx',
  '/systems': 'src/pages/systems.tsx',
};
/** The log with an entry open (`?entry=`) shows the entry pane, a chunk of its own. */
const ENTRY_PANE = 'src/pages/entry-pane.tsx';

/** What Vite's `build.manifest` says of a module: its chunk and the chunks it imports. */
type Manifest = Record<string, { file: string; imports?: string[] }>;

/** `<link rel="modulepreload">` for a module's chunk and its imports, from the build manifest. */
function preloadLinks(manifest: Manifest, module: string): string {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    chunk.imports?.forEach(visit);
  };
  visit(module);
  // The first chunk's own imports are in index.html already.
  const first = manifest['index.html'];
  for (const key of first
    ? [first.file, ...(first.imports ?? []).map((k) => manifest[k]?.file)]
    : [])
    if (key) files.delete(key);
  return [...files].map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`).join('');
}

/** Shown when the console was not built (a production install without Vite). */
const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>provlog</title></head>
<body style="font:15px/1.5 system-ui,sans-serif;max-width:760px;margin:40px auto;padding:0 20px">
<h1>provlog</h1><p>The web console is not built. Run <code>npm run build:web</code> (or <code>npm start</code>,
which builds it first) and reload this page.</p>
<p>The API is at <a href="/api/v1/entries?limit=20"><code>/api/v1/entries</code></a>; its OpenAPI document is
<a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a>.</p></body></html>`;

/**
 * Serves the built console on the API's port: hashed assets under `/assets/` (cached for
 * good, their names change with their content), sent as the `.br` or `.gz` file the build
 * wrote beside each when the browser accepts one; and index.html for each console page
 * (revalidated on each visit), so a copied link opens the same view.
 */
export async function registerConsole(app: FastifyInstance, dist = CONSOLE_DIST): Promise<void> {
  const assets = join(dist, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
      preCompressed: true,
      // One URL, several encodings: a shared cache must key on what the browser accepts.
      setHeaders: (res) => res.setHeader('vary', 'accept-encoding'),
    });
  }
  for (const [url, pageModule] of Object.entries(PAGES)) {
    app.get(url, { schema: { hide: true } }, async (req, reply) => {
      // Read on each request (a few KB) so a rebuild needs no restart.
      let html = await readFile(join(dist, 'index.html'), 'utf8').catch(() => NOT_BUILT);
      const module = (req.query as { entry?: string }).entry ? ENTRY_PANE : pageModule;
      if (module && html !== NOT_BUILT) {
        const manifest = await readFile(join(dist, '.vite', 'manifest.json'), 'utf8')
          .then((text) => JSON.parse(text) as Manifest)
          .catch(() => undefined);
        if (manifest) html = html.replace('</head>', `${preloadLinks(manifest, module)}</head>`);
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
    });
  }
}
