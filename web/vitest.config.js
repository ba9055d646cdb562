// Unit tests outside the browser (npm test): plain Node, fake-indexeddb for the phone's storage.
// Separate from vite.config.js so the PWA and component plugins stay out of the tests.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.js'],
    environment: 'node',
  },
})
