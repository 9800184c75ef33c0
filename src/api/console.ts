import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm start` (scripts/build-console.ts) builds the web console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The console's own pages: each answers with index.html and the client routes it. */
const PAGES = ['/', '/logs', '/tasks', '/tasks/:id', '/systems'];

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
  for (const url of PAGES) {
    app.get(url, { schema: { hide: true } }, async (_req, reply) => {
      // Read on each request (a few hundred bytes) so a rebuild needs no restart.
      const html = await readFile(join(dist, 'index.html'), 'utf8').catch(() => NOT_BUILT);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
    });
  }
}
