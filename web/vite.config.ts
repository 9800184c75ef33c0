import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(root, 'dist');

/**
 * Writes `.br` and `.gz` beside each built asset, compressed once at their best levels, so
 * `provlog serve` (@fastify/static `preCompressed`) sends them without compressing per request.
 */
function precompress(): Plugin {
  return {
    name: 'provlog-precompress',
    apply: 'build',
    async writeBundle() {
      const assets = join(outDir, 'assets');
      for (const name of await readdir(assets)) {
        if (!/\.(js|css|svg|json)$/.test(name)) continue;
        const body = await readFile(join(assets, name));
        if (body.length < 1024) continue;
        const br = brotliCompressSync(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 11,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        });
        await writeFile(join(assets, `${name}.br`), br);
        await writeFile(join(assets, `${name}.gz`), gzipSync(body, { level: 9 }));
      }
    },
  };
}

// The console is built into web/dist (gitignored), which `provlog serve` serves at `/`.
// In development, `npx vite web` proxies the API to a running provlog on :8080.
export default defineConfig({
  root,
  plugins: [react(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    // provlog serve reads it to preload the chunk of the page asked for (src/api/console.ts).
    manifest: true,
    rolldownOptions: {
      output: {
        // React changes less often than the console: its own chunk stays cached across releases.
        codeSplitting: {
          groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
