import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';

/** The dashboard's own folder (web/): index.html lives here, the build goes to web/dist. */
const root = fileURLToPath(new URL('.', import.meta.url));
/** The repository: shared/ (the wire contract) is imported from here. */
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig(({ mode }) => {
  // Only for `npm run dev:web`: where the API and socket.io run. Read from the
  // environment (or a .env file at the repository root), never shipped to the browser.
  const env = loadEnv(mode, repo, 'VITE_API_TARGET');
  const target = env.VITE_API_TARGET || 'http://localhost:8080';

  return {
    root,
    plugins: [react()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      // dist/.vite/manifest.json: which chunks each page loads, for the benchmark's
      // "first page's JavaScript" (bench/dashboard.ts).
      manifest: true,
      rolldownOptions: {
        output: {
          // Libraries change less often than the dashboard: separate files, cached longer.
          codeSplitting: {
            groups: [
              { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 30 },
              { name: 'charts', test: /node_modules[\\/](recharts|d3-[a-z-]+|victory-vendor|internmap|decimal\.js-light|es-toolkit|@reduxjs|redux|reselect|immer|react-redux|use-sync-external-store|eventemitter3|tiny-invariant|clsx)[\\/]/, priority: 20 },
              { name: 'vendor', test: /node_modules[\\/]/, priority: 10 },
            ],
          },
        },
      },
    },
    server: {
      fs: { allow: [repo] },
      proxy: {
        // Writes with the session cookie must come from the server's own origin (CSRF check,
        // server/api/hardening.ts): present the target's origin, as the page would in production.
        '/api': { target, changeOrigin: true, headers: { origin: target } },
        // The server accepts the session cookie on socket.io only from its own origin
        // (server/live): present the target's origin, as the page would in production.
        '/socket.io': { target, changeOrigin: true, ws: true, headers: { origin: target } },
      },
    },
  };
});
