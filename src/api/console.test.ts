import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './build-app.ts';
import { registerConsole } from './console.ts';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.ts';

const JS = `export const rows = ${JSON.stringify('x'.repeat(5000))};\n`;
let dist: string;
let store: SqliteLogStore;
let app: FastifyInstance;

beforeAll(async () => {
  // A built console as Vite leaves it: index.html, hashed assets with .br and .gz beside them.
  dist = mkdtempSync(join(tmpdir(), 'provlog-console-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(
    join(dist, 'index.html'),
    '<!doctype html><html><head><title>provlog</title></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), JS);
  writeFileSync(join(dist, 'assets', 'index-abc123.js.br'), brotliCompressSync(JS));
  writeFileSync(join(dist, 'assets', 'index-abc123.js.gz'), gzipSync(JS));
  mkdirSync(join(dist, '.vite'));
  const manifest = {
    'index.html': { file: 'assets/index-abc123.js', imports: ['_react-1.js'] },
    '_react-1.js': { file: 'assets/react-1.js' },
    '_dialog-1.js': { file: 'assets/dialog-1.js', imports: ['_react-1.js', 'index.html'] },
    'src/pages/dashboard.tsx': { file: 'assets/dashboard-1.js', imports: ['_react-1.js'] },
    'src/pages/systems.tsx': { file: 'assets/systems-1.js', imports: ['_dialog-1.js'] },
    'src/pages/entry-pane.tsx': { file: 'assets/entry-pane-1.js', imports: ['_dialog-1.js'] },
  };
  writeFileSync(join(dist, '.vite', 'manifest.json'), JSON.stringify(manifest));
  store = new SqliteLogStore({ file: ':memory:' });
  app = await buildApp({ store, extend: (a) => registerConsole(a, dist) });
});
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dist, { recursive: true, force: true });
});

const asset = (acceptEncoding?: string) =>
  app.inject({
    method: 'GET',
    url: '/assets/index-abc123.js',
    headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {},
  });

const preloads = (html: string) =>
  [...html.matchAll(/rel="modulepreload" crossorigin href="([^"]+)"/g)].map((m) => m[1]);

describe('the console served by provlog serve', () => {
  it("preloads the chunk of the page asked for, beside the first one's", async () => {
    const get = async (url: string) => preloads((await app.inject({ method: 'GET', url })).body);
    expect(await get('/')).toEqual(['/assets/dashboard-1.js']);
    expect(await get('/systems')).toEqual(['/assets/systems-1.js', '/assets/dialog-1.js']);
    // The log is in the first chunk; with an entry open, the entry pane comes along.
    expect(await get('/logs?window=7d')).toEqual([]);
    expect(await get('/logs?entry=c-1')).toEqual([
      '/assets/entry-pane-1.js',
      '/assets/dialog-1.js',
    ]);
  });

  it('sends hashed assets brotli- or gzip-compressed as the browser accepts, cached for good', async () => {
    const br = await asset('gzip, deflate, br');
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(JS);

    const gz = await asset('gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(JS);

    const plain = await asset();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(JS);
  });

  it('answers each console page with index.html, revalidated on each visit', async () => {
    for (const url of ['/', '/logs?status=failure,skipped', '/tasks/t-1', '/systems']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root">');
    }
  });
});
