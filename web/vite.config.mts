import { join } from 'node:path';
import { defineConfig } from 'vite';

/** The pages served by the API process: web/ → dist/web (run from the project root by `npm run build`). */
const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  // No public/ folder and no dev-time network: the build reads web/ and writes dist/web only.
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: join(root, '..', 'dist', 'web'),
    emptyOutDir: true,
    target: 'es2023',
    // Browsers of this decade load module preloads themselves; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        index: join(root, 'index.html'),
        event: join(root, 'event.html'),
        ops: join(root, 'ops.html'),
      },
    },
  },
});
