import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// `npm run dev`: Vite's dev server on http://127.0.0.1:5174/h5/ with the API (H5_API, default `make run`) proxied.
const api = process.env.H5_API ?? 'http://127.0.0.1:8000'

export default defineConfig({
  base: '/h5/',
  plugins: [vue()],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
      // The console's signing client, shared as is (one client signs every request of both apps).
      '@console-api': fileURLToPath(new URL('../console/src/api', import.meta.url)),
      // The shared client's own import, resolved from this project (console/node_modules may be absent).
      'js-md5': fileURLToPath(new URL('./node_modules/js-md5', import.meta.url)),
    },
  },
  server: { host: '127.0.0.1', port: 5174, proxy: { '/zhugeleida': api, '/statics': api } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
})
