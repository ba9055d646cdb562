// Build the phone app into dist/, which Flask serves (app/web.py).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'

// Vant's icon font comes embedded in its CSS (a data: URL) with a copy on at.alicdn.com as the
// fallback. A phone must never ask a CDN (offline, privacy, and the CSP's font-src refuses it:
// Chromium reports the refusal even while it uses the embedded copy), so keep only local fonts.
const REMOTE_URL = /url\(\s*['"]?(https?:)?\/\//
const localFontsOnly = {
  postcssPlugin: 'local-fonts-only',
  AtRule: {
    'font-face'(rule) {
      rule.walkDecls('src', (decl) => {
        const sources = decl.value.split(/,(?=\s*url\()/)
        decl.value = sources.filter((s) => !REMOTE_URL.test(s)).join(',')
      })
    },
  },
}

// Chunks only desk and supervisor roles open (names as in dist/.vite/manifest.json): the back
// office, coverage, review and the role home boards. An assistant's patrol never loads them.
const DESK_CHUNKS = [
  'admin',
  'CoverageView',
  'ReviewView',
  'SupervisorHome',
  'RenovationBoard',
  'BoardHeader',
  'DispatchHome',
  'QueueHome',
  'DailyView',
]

export default defineConfig({
  define: {
    // vue-i18n: composition API only, no devtools, so the legacy code is dropped.
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_OPTIONS_API__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  css: { postcss: { plugins: [localFontsOnly] } },
  build: {
    manifest: true, // bench/bench_web.py reads dist/.vite/manifest.json
    target: 'es2020',
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:5000' },
  },
  plugins: [
    vue(),
    // Vant per component (its CSS comes with each component), never the whole library.
    Components({ resolvers: [VantResolver()], dts: false }),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false, // src/main.js registers /sw.js itself
      includeManifestIcons: false, // the browser fetches the icons it needs itself
      manifest: {
        id: '/',
        name: '物业巡查 Patrol',
        short_name: '物业巡查',
        description: '物业巡查与整改工单 · Property patrols and rectification tickets',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#f5f6f8',
        theme_color: '#1677ff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The patrol shell, the QR decoder's worker included, so scanning works offline.
        globPatterns: ['**/*.{js,css,html,png,svg,wasm}'], // the plugin adds the manifest itself
        // Not for everyone's first visit: the desk and supervisors' screens are cached when first
        // opened (runtimeCaching below); the browser fetches the icons itself (tab, install),
        // and sw.js loads the workbox runtime itself.
        globIgnores: [
          '**/node_modules/**',
          'sw.js',
          'workbox-*.js',
          ...DESK_CHUNKS.map((name) => `assets/${name}-*`),
          // The login screen's logo (6 KB) is kept: an offline re-login shows it too.
          'icons/!(icon-192).png',
          'icons/*.svg',
        ],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        runtimeCaching: [
          {
            // A screen left out of the precache: its hashed files never change under their name.
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/assets/'),
            handler: 'CacheFirst',
            options: { cacheName: 'screens', expiration: { maxEntries: 120 } },
          },
          {
            // Photo copies never change once stored (the API says immutable).
            urlPattern: /\/api\/v1\/photos\/\d+\/(thumb|display)$/,
            handler: 'CacheFirst',
            options: {
              cacheName: 'photos',
              expiration: { maxEntries: 300, maxAgeSeconds: 30 * 24 * 3600 },
            },
          },
        ],
      },
    }),
  ],
})
