// Who is logged in on this phone; the patrol pack (checkpoints + checklists) kept for offline use.
import { reactive, watch } from 'vue'
import { api, ApiError, NetworkError } from './api.js'
import * as db from './db.js'
import { keepData } from './storage.js'
import { checkOffline, followServer, forgetVerifier, keepVerifier } from './offlineLogin.js'
import { setPropertyZone } from './time.js'
import { localMidnight } from './util.js'

export const session = reactive({
  user: null,
  ready: false,
  online: navigator.onLine,
  syncing: false,
  packAt: null, // when the patrol pack was last fetched (ms)
  packError: null,
  vocab: null,
  // Logged in offline: the server has not checked this person yet, so nothing is sent.
  unverified: false,
  refused: null, // {display_name} whose offline login the server refused once back online
})

// Every time the phone shows is its property's wall time, whatever zone the phone is set to.
watch(() => session.user?.properties?.[0]?.timezone, setPropertyZone, {
  immediate: true,
  flush: 'sync', // before any screen formats a time with it
})

const PACK_MAX_AGE_MS = 30 * 60 * 1000

window.addEventListener('online', () => {
  session.online = true
  if (session.unverified) verifyOnline()
  else if (session.user) syncPack().catch(() => {}) // checklists may have changed meanwhile
})
window.addEventListener('offline', () => (session.online = false))
// A phone left open all shift picks up new checkpoints and checklist versions.
setInterval(() => {
  if (session.unverified && session.online) verifyOnline()
  else if (session.user && session.online && Date.now() - (session.packAt || 0) > PACK_MAX_AGE_MS) {
    syncPack().catch(() => {})
  }
}, 60 * 1000)

export const PATROL_ROLES = ['assistant', 'inspector', 'admin']

/** Start from what this phone remembers, then ask the server when it can be reached. */
export async function restoreSession() {
  session.user = (await db.getKV('me')) || null
  session.packAt = (await db.getKV('packAt')) || null
  session.vocab = (await db.getKV('vocab')) || null
  session.unverified = Boolean(session.user && (await db.getKV('unverified')))
  const loggedOut = await db.getKV('loggedOut')
  try {
    if (session.unverified) {
      await verifyOnline()
    } else if (loggedOut) {
      await api.logout() // a logout made offline: end the server session now
      await db.deleteKV('loggedOut')
    } else {
      const me = await api.me()
      await remember(me)
      await followServer(me)
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      session.user = null
      await db.deleteKV('me')
    } else if (!(err instanceof NetworkError) && !(err instanceof ApiError)) {
      console.error(err)
    }
  }
  session.ready = true
  if (session.user) keepData()
  if (session.user && session.online && !session.unverified) syncPack().catch(() => {})
}

async function remember(me) {
  const before = await db.getKV('me')
  // Another user on this phone: their properties' pack replaces this one, unless something
  // is still to be sent (a refused entry may need its checkpoint again).
  if (before && before.id !== me.id && !(await db.listOutbox()).length) await db.clearPack()
  session.user = me
  await db.setKV('me', me)
}

/** Log in online; without the network, against this phone's verifier of an earlier login. */
export async function login(username, password) {
  let me
  try {
    me = await api.login(username, password, { offline: true })
  } catch (err) {
    if (err instanceof NetworkError) return loginOffline(username, password, err)
    if (err instanceof ApiError && err.status === 401) await forgetVerifier(username)
    throw err
  }
  await db.deleteKV('loggedOut')
  await keepVerifier(username, password, me)
  delete me.offline_key
  await trusted(me)
  keepData() // ask the browser never to evict the outbox; Me shows the answer
  await syncPack() // the pack is what makes the next scan work offline
  return me
}

async function trusted(me) {
  session.unverified = false
  session.refused = null
  await db.deleteKV('unverified')
  await db.deleteKV('offlineKey')
  await remember(me)
}

async function loginOffline(username, password, networkError) {
  let opened
  try {
    opened = await checkOffline(username, password)
  } catch (err) {
    if (err.reason === 'unknown') throw networkError // never logged in here: say "offline"
    throw err
  }
  const { user, key } = opened
  session.unverified = true
  session.refused = null
  // Kept open until the server has taken it: a reload or a scan from the camera app must not
  // strand the login. It is no more than the session cookie it stands for.
  await db.setKV('offlineKey', key)
  await db.setKV('unverified', true)
  await db.setKV('me', user) // the pack stays: it may be another person's, filtered by property
  session.user = user
  keepData()
  return user
}

let verifying = null

/** Have the server check an offline login; until it has, the outbox keeps everything. */
export function verifyOnline() {
  if (!verifying) verifying = checkWithServer().finally(() => (verifying = null))
  return verifying
}

async function checkWithServer() {
  const who = session.user
  if (!who || !session.unverified) return
  try {
    if (await db.getKV('loggedOut')) {
      await api.logout() // the logout made offline, before this login: end it on the server
      await db.deleteKV('loggedOut')
    }
    const key = await db.getKV('offlineKey')
    const me = key ? await api.resume(key) : await api.me()
    if (me.id !== who.id) throw new ApiError(401, {})
    await followServer(me)
    await trusted(me)
    syncPack().catch(() => {})
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) return // offline or busy: later
    // Refused (password changed since, account stopped, key expired): the records stay on
    // the phone until this person logs in online.
    await forgetVerifier(who.username)
    session.refused = { id: who.id, display_name: who.display_name }
    session.unverified = false
    session.user = null
    await db.deleteKV('unverified')
    await db.deleteKV('offlineKey')
    await db.deleteKV('me')
  }
}

/** Log out; the outbox and the pack stay on the phone (for the next login, online or not). */
export async function logout() {
  recent = null
  try {
    await api.logout()
  } catch (err) {
    if (err instanceof NetworkError) await db.setKV('loggedOut', true)
  }
  await db.deleteKV('me')
  await db.deleteKV('unverified')
  await db.deleteKV('offlineKey')
  session.unverified = false
  session.user = null
}

/** Download every checkpoint and current checklist of the user's properties. */
export async function syncPack() {
  if (!session.user || session.syncing || session.unverified) return
  session.syncing = true
  session.packError = null
  try {
    const [vocab] = await Promise.all([
      api.vocab(),
      ...session.user.properties.map((p) => syncProperty(p.id)),
    ])
    session.vocab = vocab
    await db.setKV('vocab', vocab)
    session.packAt = Date.now()
    await db.setKV('packAt', session.packAt)
  } catch (err) {
    session.packError = err
    if (err instanceof ApiError && err.status === 401) {
      session.user = null
      await db.deleteKV('me')
    }
    throw err
  } finally {
    session.syncing = false
  }
}

async function syncProperty(propertyId) {
  const [checkpoints, templates] = await Promise.all([
    api.checkpoints(propertyId),
    api.checklists(propertyId),
  ])
  const checklists = templates
    .filter((t) => t.active !== false && t.current_version)
    .map((t) => toChecklist(propertyId, t.kind, {
      template_id: t.id,
      version_id: t.current_version.id,
      version: t.current_version.number,
      name_zh: t.name_zh,
      name_en: t.name_en,
      items: t.current_version.items,
    }))
  await db.replacePack(propertyId, checkpoints.filter((c) => c.active !== false), checklists)
  recent = null // a fresh pack: no lookup from the old one
  if (['frontdesk', 'supervisor', 'admin'].includes(session.user?.role)) {
    await db.setKV(`departments:${propertyId}`, await api.departments(propertyId))
  }
}

/** The stored shape of a checklist (the scan response's `checklist` plus its key). */
export function toChecklist(propertyId, kind, checklist) {
  return { key: `${propertyId}:${kind}`, property_id: propertyId, kind, ...checklist }
}

export class LookupError extends Error {
  constructor(reason, problem) {
    super(reason)
    this.reason = reason // 'unknown' | 'offline' | 'no-checklist' | 'server'
    this.problem = problem // the server's problem+json, when it answered
  }
}

/** Find a scanned code: the local pack first (fast, offline), then the server. */
// The last lookup, for a few seconds: the scanner finds the checkpoint, then the checklist
// opens the same one; reading IndexedDB twice costs a slow phone a visible moment.
const RECENT_MS = 10000
let recent = null

export async function findCheckpoint(code) {
  const userId = session.user?.id
  if (recent && recent.code === code && recent.userId === userId && Date.now() - recent.at < RECENT_MS) {
    return recent.found
  }
  const found = await lookupCheckpoint(code)
  recent = { code, userId, at: Date.now(), found }
  return found
}

async function lookupCheckpoint(code) {
  const stored = await db.getCheckpoint(code)
  // The pack may hold a previous user's properties: only the user's own count.
  const checkpoint = stored && session.user?.properties?.some((p) => p.id === stored.property_id)
    ? stored
    : null
  if (checkpoint) {
    const checklist = await db.getChecklist(checkpoint.property_id, checkpoint.kind)
    if (checklist) return { checkpoint, checklist }
  }
  try {
    const found = await api.checkpointByCode(code)
    const { checklist, ...cp } = found
    const stored = checklist ? toChecklist(cp.property_id, cp.kind, checklist) : null
    await db.putCheckpoint(cp, stored)
    if (!stored) throw new LookupError('no-checklist')
    return { checkpoint: cp, checklist: stored }
  } catch (err) {
    if (err instanceof LookupError) throw err
    if (err instanceof NetworkError) throw new LookupError(checkpoint ? 'no-checklist' : 'offline')
    if (err instanceof ApiError && err.status < 500) throw new LookupError('server', err.problem)
    throw new LookupError('unknown')
  }
}

/** Codes of checkpoints done today by this user: this phone's record and, online, the server's. */
export async function doneToday() {
  const since = localMidnight().getTime()
  await db.pruneDone(since - 7 * 24 * 3600 * 1000)
  if (session.online && session.user && !session.unverified) {
    try {
      const rows = await api.inspections({
        from: new Date(since).toISOString(),
        user_id: session.user.id,
      })
      await db.addDone(rows.map((r) => ({
        client_uuid: r.client_uuid,
        code: r.checkpoint?.code || r.code,
        user_id: session.user.id,
        scanned_ms: new Date(r.scanned_at).getTime(),
        failed_count: r.failed_count,
      })))
    } catch {
      // Offline or a server hiccup: this phone's own record still counts.
    }
  }
  const rows = await db.listDoneSince(since)
  return rows.filter((r) => r.user_id === session.user?.id)
}

/** A vocabulary label (category, kind ...) in the user's language. */
export function vocabLabel(list, code, locale) {
  const entry = session.vocab?.[list]?.find((e) => e.code === code)
  if (!entry) return code
  return locale === 'en' ? entry.en || entry.zh : entry.zh
}
