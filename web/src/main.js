import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router.js'
import { i18n, applyLocale } from './i18n/index.js'
import { restoreSession } from './session.js'
import { startOutbox } from './outbox.js'
import './style.css'

applyLocale()
createApp(App).use(i18n).use(router).mount('#app')

restoreSession().finally(startOutbox)

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  // The shell (and the QR decoder) come from the service worker's cache when offline.
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(console.error)
}
