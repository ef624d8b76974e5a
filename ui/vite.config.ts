/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

// The headless server serves the built UI at /ui/; the desktop app embeds ui/dist.
export default defineConfig({
  root,
  base: '/ui/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    // `VITE_LEASEHOLD_PROXY=http://127.0.0.1:7878 npm run dev` talks to a running server.
    proxy: process.env.VITE_LEASEHOLD_PROXY
      ? Object.fromEntries(['/admin', '/v1', '/healthz'].map((p) => [p, process.env.VITE_LEASEHOLD_PROXY!]))
      : undefined,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
