// Logging in again without the network, for someone who has logged in online on this phone.
//
// At each online login the phone keeps a salted PBKDF2 verifier of the password (never the
// password), the user's record, until when the server allows an offline login, and the
// server's offline key (POST /auth/resume) encrypted (AES-GCM) under a second key derived from
// the password. Offline, the same username and password are checked against the verifier and
// open the offline key. The person may then patrol, but nothing is sent until the server has
// taken that key and opened a session for them again (session.unverified): someone the server
// would refuse gets no record onto the server. Five wrong offline tries forget the verifier,
// as does any sign from the server that the password or access changed.
import * as db from './db.js'

export const ITERATIONS = 100000
export const MAX_FAILURES = 5
const KEY = 'verifiers'

export class OfflineLoginError extends Error {
  constructor(reason) {
    super(reason)
    this.name = 'OfflineLoginError'
    this.reason = reason // 'unknown' | 'expired' | 'wrong' | 'locked'
  }
}

const normal = (username) => String(username || '').trim().toLowerCase()

function toBase64(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

/** The verifier (first 32 bytes) and the key that seals the offline key (last 32), in one go. */
async function derive(password, salt, iterations) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, [
    'deriveBits',
  ])
  const bits = new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 512),
  )
  return { hash: bits.slice(0, 32), seal: bits.slice(32) }
}

async function sealKey(raw) {
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
}

async function seal(text, raw) {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await sealKey(raw), new TextEncoder().encode(text))
  return { iv: toBase64(iv), data: toBase64(data) }
}

async function unseal(box, raw) {
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(box.iv) }, await sealKey(raw), fromBase64(box.data))
  return new TextDecoder().decode(plain)
}

/** Compare in constant time: how much matched must not show in how long it took. */
function same(a, b) {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

async function all() {
  return (await db.getKV(KEY)) || {}
}

async function save(verifiers) {
  await db.setKV(KEY, verifiers)
}

/** Keep a verifier after an online login (the server's `me` says until when it may serve). */
export async function keepVerifier(username, password, me) {
  const verifiers = await all()
  const name = normal(username)
  if (!me.offline_login_until || !me.offline_key) {
    delete verifiers[name] // offline login is switched off
  } else {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const derived = await derive(password, salt, ITERATIONS)
    const { offline_key: offlineKey, ...user } = me
    verifiers[name] = {
      user,
      salt: toBase64(salt),
      hash: toBase64(derived.hash),
      box: await seal(offlineKey, derived.seal),
      iterations: ITERATIONS,
      until: Date.parse(me.offline_login_until),
      sessionVersion: me.session_version,
      failures: 0,
    }
  }
  await save(verifiers)
}

/** Follow the server's latest word on a user: a changed password or access ends the verifier.
 *  Its expiry stays the offline key's, set at the login that issued it. */
export async function followServer(me) {
  const verifiers = await all()
  const v = verifiers[normal(me.username)]
  if (!v) return
  if (me.session_version !== v.sessionVersion || !me.offline_login_until) {
    delete verifiers[normal(me.username)]
  } else {
    v.user = me
  }
  await save(verifiers)
}

/** Forget a user's verifier (the server refused them, or ended their session). */
export async function forgetVerifier(username) {
  const verifiers = await all()
  if (!verifiers[normal(username)]) return
  delete verifiers[normal(username)]
  await save(verifiers)
}

/** Check a username and password offline: the stored user and the opened offline key. */
export async function checkOffline(username, password, now = Date.now()) {
  const verifiers = await all()
  const name = normal(username)
  const v = verifiers[name]
  if (!v) throw new OfflineLoginError('unknown')
  if (!(now < v.until)) {
    delete verifiers[name]
    await save(verifiers)
    throw new OfflineLoginError('expired')
  }
  const derived = await derive(password, fromBase64(v.salt), v.iterations)
  if (same(derived.hash, fromBase64(v.hash))) {
    v.failures = 0
    await save(verifiers)
    return { user: v.user, key: await unseal(v.box, derived.seal) }
  }
  v.failures += 1
  if (v.failures >= MAX_FAILURES) delete verifiers[name]
  await save(verifiers)
  throw new OfflineLoginError(v.failures >= MAX_FAILURES ? 'locked' : 'wrong')
}

/** Who may log in offline on this phone now: [{username, display_name}]. */
export async function offlineUsers(now = Date.now()) {
  return Object.entries(await all())
    .filter(([, v]) => now < v.until)
    .map(([username, v]) => ({ username, id: v.user.id, display_name: v.user.display_name }))
}
