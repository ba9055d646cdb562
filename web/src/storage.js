// What the phone keeps: ask the browser not to evict the outbox, show how full the phone is,
// and turn a failed IndexedDB write into words the user can act on.
import { reactive } from 'vue'

export const storage = reactive({
  persisted: null, // true | false | null (the browser cannot say)
  usage: null, // bytes this app keeps
  quota: null, // bytes it may keep
})

/** Ask once per start that our data (the outbox above all) is never evicted; remember the answer. */
export async function keepData() {
  const api = navigator.storage
  if (!api?.persist) return storage.persisted
  try {
    storage.persisted = (await api.persisted()) || (await api.persist())
  } catch {
    storage.persisted = false
  }
  return storage.persisted
}

/** Read how much this app keeps and how much more the browser lets it keep. */
export async function measure() {
  const api = navigator.storage
  if (api?.persisted) storage.persisted = await api.persisted().catch(() => storage.persisted)
  if (!api?.estimate) return storage
  try {
    const { usage, quota } = await api.estimate()
    Object.assign(storage, { usage, quota })
  } catch {
    // Private modes may refuse; the figures then stay unknown.
  }
  return storage
}

/** True when a failed write means the phone (or the browser's share of it) is full. */
export function isQuotaError(err) {
  const names = [err?.name, err?.inner?.name, err?.target?.error?.name]
  return names.includes('QuotaExceededError') || /quota/i.test(String(err?.message || ''))
}

/** Explain a failed save in the user's language: what happened and what to do. */
export function writeErrorText(err, t) {
  if (isQuotaError(err)) return t('storage.full')
  return t('storage.failed', { reason: err?.name || String(err?.message || err) })
}

/** Format a byte count as people read it on a phone. */
export function bytesText(n) {
  if (n == null) return '—'
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} KB`
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(1)} GB`
}
