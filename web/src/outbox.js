// The outbox: inspections (and their photos) saved on the phone until the server confirms them.
//
// An entry is sent photos first (each idempotent on its client_uuid), then the inspection
// (idempotent on its own client_uuid), so sending the same entry twice never stores it twice.
// 4xx answers fail the entry with the server's reason; network trouble and 5xx retry later.
import { reactive, watch } from 'vue'
import { api, ApiError, NetworkError } from './api.js'
import * as db from './db.js'
import { session } from './session.js'
import { isoLocal, uuid } from './util.js'

const RETRY_EVERY_MS = 30000
const BACKOFF_MS = [5000, 15000, 30000, 60000, 120000, 300000]

export const outbox = reactive({
  entries: [], // newest last; photo blobs are not kept here, only their count
  sending: false,
  lastResult: null, // {id, inspection} of the last entry the server took
})

const listeners = new Set()

/** Call fn(entryId, inspection) whenever the server takes an entry. */
export function onSent(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

function summary(entry) {
  const { photos, ...rest } = entry
  return { ...rest, photoCount: photos.length }
}

export async function refresh() {
  outbox.entries = (await db.listOutbox()).map(summary)
}

/** Entries of this user still to be sent or failed. */
export function mine() {
  return outbox.entries.filter((e) => e.userId === session.user?.id)
}

/**
 * Save a finished checklist for sending. `photos` are [{itemId, blob}]; each gets its own
 * client UUID now, so a retry after a lost answer finds the photo the server already has.
 */
export async function enqueueInspection({ checkpoint, payload, photos }) {
  const plain = (v) => JSON.parse(JSON.stringify(v)) // no Vue proxies in IndexedDB
  checkpoint = plain(checkpoint)
  payload = plain(payload)
  const entry = {
    id: payload.client_uuid,
    kind: 'inspection',
    userId: session.user.id,
    propertyId: checkpoint.property_id,
    checkpoint: {
      code: checkpoint.code,
      name_zh: checkpoint.name_zh,
      name_en: checkpoint.name_en,
      zone: checkpoint.zone,
    },
    payload,
    photos: photos.map((p) => ({
      uuid: uuid(),
      itemId: p.itemId,
      blob: p.blob,
      takenAt: p.takenAt || null,
      photoId: null,
    })),
    status: 'waiting', // waiting | failed
    attempts: 0,
    nextAttemptAt: 0,
    error: null, // {zh, en, status, field}
    createdAt: Date.now(),
  }
  await db.putOutbox(entry)
  await refresh()
  return entry
}

let running = null

/** Send every due entry of the logged-in user, one at a time (after any pass under way). */
export async function flush({ force = false } = {}) {
  while (running) await running.catch(() => {})
  if (!session.user) return
  running = pass(force)
  try {
    await running
  } finally {
    running = null
  }
}

async function pass(force) {
  outbox.sending = true
  try {
    const run = async () => {
      const entries = await db.listOutbox()
      for (const entry of entries) {
        if (entry.userId !== session.user?.id || entry.status === 'failed') continue
        if (!force && entry.nextAttemptAt > Date.now()) continue
        const keepGoing = await sendOne(entry)
        if (!keepGoing) break
      }
    }
    // One sender across tabs of the same app.
    if (navigator.locks) await navigator.locks.request('patrol-outbox', run)
    else await run()
  } finally {
    outbox.sending = false
    await refresh()
  }
}

/** Send one entry; return false when sending should stop for now (offline, logged out). */
async function sendOne(entry) {
  try {
    for (const photo of entry.photos) {
      if (photo.photoId) continue
      const stored = await api.uploadPhoto(photo.blob, photo.uuid, entry.propertyId, photo.takenAt)
      photo.photoId = stored.id
      await db.putOutbox(entry) // remember progress: a retry skips this photo
    }
    const inspection = await api.submitInspection(withPhotoIds(entry))
    await db.markSent(entry.id, {
      client_uuid: entry.id,
      code: entry.checkpoint.code,
      user_id: entry.userId,
      scanned_ms: new Date(entry.payload.scanned_at).getTime(),
      failed_count: inspection.failed_count,
      presence: inspection.presence
        ? { score: inspection.presence.score, status: inspection.presence.status, reasons: inspection.presence.reasons }
        : null,
      tickets: (inspection.tickets || []).map((t) => ({ id: t.id, number: t.number })),
    })
    outbox.lastResult = { id: entry.id, inspection }
    for (const fn of listeners) fn(entry.id, inspection)
    return true
  } catch (err) {
    return handleFailure(entry, err)
  }
}

function withPhotoIds(entry) {
  const byItem = new Map()
  for (const p of entry.photos) {
    byItem.set(p.itemId, [...(byItem.get(p.itemId) || []), p.photoId])
  }
  return {
    ...entry.payload,
    // The phone's clock now, at sending: the server corrects offline times by its offset.
    device_now: isoLocal(),
    results: entry.payload.results.map((r) => ({ ...r, photo_ids: byItem.get(r.item_id) || [] })),
  }
}

async function handleFailure(entry, err) {
  if (err instanceof ApiError && err.status === 401) {
    // The session ended: keep the entry as it is and ask for a login.
    session.user = null
    return false
  }
  entry.attempts += 1
  if (err instanceof ApiError && err.permanent) {
    const p = err.problem
    const photo = Boolean(p.errors && p.errors.file) // the upload of one of its photos
    entry.status = 'failed'
    entry.error = {
      status: err.status,
      zh: (photo ? '照片未被服务器接受：' : '') + (p.detail_zh || p.detail || `HTTP ${err.status}`),
      en: (photo ? 'A photo was refused: ' : '') + (p.detail_en || p.detail || `HTTP ${err.status}`),
      fields: p.errors || null,
    }
    await db.putOutbox(entry)
    return true
  }
  const wait = BACKOFF_MS[Math.min(entry.attempts - 1, BACKOFF_MS.length - 1)]
  entry.nextAttemptAt = Date.now() + wait
  entry.error =
    err instanceof NetworkError
      ? { zh: '网络不可用，稍后自动重试', en: 'No network; will retry automatically', transient: true }
      : {
          zh: `服务器暂时出错（${err.status || '?'}），稍后自动重试`,
          en: `Server error (${err.status || '?'}); will retry automatically`,
          transient: true,
        }
  await db.putOutbox(entry)
  return !(err instanceof NetworkError)
}

/** Try a failed or waiting entry again now. */
export async function retry(id) {
  const entry = await db.getOutbox(id)
  if (!entry) return
  entry.status = 'waiting'
  entry.nextAttemptAt = 0
  entry.error = null
  await db.putOutbox(entry)
  await refresh()
  await flush({ force: true })
}

/** Throw an entry away (the user's choice, after a failure the server will not accept). */
export async function discard(id) {
  await db.deleteOutbox(id)
  await refresh()
}

/** The photos of an entry, for showing them in the outbox. */
export async function photosOf(id) {
  const entry = await db.getOutbox(id)
  return entry ? entry.photos : []
}

let started = false

/** Send on start, at login, when the network returns, when the app is shown again, periodically. */
export function startOutbox() {
  if (started) return
  started = true
  const kick = () => session.online && flush().catch(console.error)
  window.addEventListener('online', () => flush({ force: true }).catch(console.error))
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && kick())
  setInterval(kick, RETRY_EVERY_MS)
  // A login (the same user back, or another) sends what that user left waiting.
  watch(() => session.user?.id, (id) => id && refresh().then(kick))
  // A start is rare and may follow hours offline: try every waiting entry now, backoff or not.
  refresh().then(() => session.online && flush({ force: true }).catch(console.error))
}
