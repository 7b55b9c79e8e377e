import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Built into dist/, which berth serves at `/`; `npm run dev` proxies the API to a local berth. */
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      // zod's sources carry /* @__PURE__ */ notes where Rollup cannot use them; it drops them and
      // says so at every build, which only buries real warnings in `npm start`'s output.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: { '/api': { target: process.env.BERTH_URL ?? 'http://127.0.0.1:7411', changeOrigin: true } },
  },
});
