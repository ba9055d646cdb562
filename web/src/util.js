// Small helpers: ids, local times with their offset, code parsing.

/** A random UUID v4 (crypto.randomUUID needs a secure context; LAN http demos lack one). */
export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const pad = (n, w = 2) => String(Math.abs(n)).padStart(w, '0')

/** ISO 8601 in the phone's local time with its offset: 2025-03-01T08:30:00.000+08:00. */
export function isoLocal(date = new Date()) {
  const off = -date.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`
  )
}

// Shown times are the property's (time.js); these names stay for the call sites that use them.
export { startOfDay as localMidnight, shortTime } from './time.js'

const CODE = /^[A-Za-z0-9-]{3,16}$/

/** The checkpoint code in a label's QR text: its URL (<base>/c/<CODE>) or a bare code. */
export function parseCode(text) {
  const s = String(text || '').trim()
  if (!s) return null
  const m = s.match(/\/c\/([A-Za-z0-9-]{3,16})\/?(?:[?#].*)?$/)
  if (m) return m[1].toUpperCase()
  if (CODE.test(s)) return s.toUpperCase()
  return null
}

/**
 * The signed label a QR text carries (<base>/c/<CODE>?v=<version>&s=<signature>): {code, sig,
 * version}, with sig and version null for a bare code or an unsigned URL (typed, in effect).
 */
export function parseLabel(text) {
  const code = parseCode(text)
  if (!code) return null
  const s = String(text || '').trim()
  const q = s.indexOf('?')
  const params = new URLSearchParams(q >= 0 ? s.slice(q + 1).split('#')[0] : '')
  const sig = params.get('s')
  const version = parseInt(params.get('v') || '', 10)
  return sig && version > 0 ? { code, sig, version } : { code, sig: null, version: null }
}

const DEVICE_KEY = 'patrol-device-id'

/** This phone's id: a random UUID made once and kept (proof of presence: shared phones). */
export function deviceId() {
  try {
    let id = localStorage.getItem(DEVICE_KEY)
    if (!id) {
      id = uuid()
      localStorage.setItem(DEVICE_KEY, id)
    }
    return id
  } catch {
    return null // private mode without storage: the server simply gets no device id
  }
}

/** A localized name from an object with name_zh/name_en (or text_zh/text_en) fields. */
export function pick(obj, field, locale) {
  if (!obj) return ''
  const zh = obj[`${field}_zh`] ?? obj[field]
  const en = obj[`${field}_en`]
  return locale === 'en' ? en || zh || '' : zh || en || ''
}

/** A size for people: 820 KB, 3.7 MB. */
export function formatBytes(n) {
  if (!n) return '0 KB'
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} KB`
  return `${(n / (1024 * 1024)).toFixed(1)} MB`
}
