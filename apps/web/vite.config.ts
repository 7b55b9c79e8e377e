import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Built into dist/, which berth serves at `/`; `npm run dev` proxies the API to a local berth. */
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    proxy: { '/api': { target: process.env.BERTH_URL ?? 'http://127.0.0.1:7411', changeOrigin: true } },
  },
});
