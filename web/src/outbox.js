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
export const BACKOFF_MS = [5000, 15000, 30000, 60000, 120000, 300000]
export const ALL_SENT_MS = 5000 // how long "all sent" shows after a pass emptied the queue

export const outbox = reactive({
  entries: [], // newest last; photo blobs are not kept here, only their count and size
  sending: false,
  lastResult: null, // {id, inspection} of the last entry the server took
  // What a pass is sending now: {entryId, code, name_zh, name_en, photo, photos, bytes};
  // photo is the 1-based photo under way, 0 once the photos are in and the inspection goes.
  current: null,
  lastError: null, // {entryId, code, name_zh, name_en, zh, en, status, transient, at}
  allSent: false, // true for ALL_SENT_MS after a pass that sent the last of this user's entries
})

const listeners = new Set()

/** Call fn(entryId, inspection, ticket) whenever the server takes an entry. */
export function onSent(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

function summary(entry) {
  const { photos, ...rest } = entry
  const unsent = photos.filter((p) => !p.photoId)
  return {
    ...rest,
    photoCount: photos.length,
    photosSent: photos.length - unsent.length,
    photoBytes: unsent.reduce((n, p) => n + (p.blob?.size || 0), 0), // still to upload
  }
}

let refreshes = 0

export async function refresh() {
  // Only the latest read lands: an earlier one finishing late must not put sent entries back.
  const mineNo = ++refreshes
  const entries = (await db.listOutbox()).map(summary)
  if (mineNo === refreshes) outbox.entries = entries
}

/** Entries of this user still to be sent or failed. */
export function mine() {
  return outbox.entries.filter((e) => e.userId === session.user?.id)
}

let lastStamp = 0

/** A creation time that only goes up: the outbox is sent in this order, steps of a ticket too. */
function stamp() {
  lastStamp = Math.max(Date.now(), lastStamp + 1)
  return lastStamp
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
    userName: session.user.display_name, // the login screen says whose records wait
    propertyId: checkpoint.property_id,
    checkpoint: {
      id: checkpoint.id,
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
    createdAt: stamp(),
  }
  await db.putOutbox(entry)
  showAllSent(false)
  await refresh()
  return entry
}

/**
 * Queue a ticket step (accept, resolve with an after-photo, verify by re-scan, ...) or a new
 * report. `body` is what the API takes; its client_uuid makes a resend harmless. Steps of one
 * ticket go in the order they were taken: none is sent while an earlier one still waits.
 */
export async function enqueueTicket({ ticket = null, body, photos = [], title }) {
  const plain = (v) => JSON.parse(JSON.stringify(v))
  const payload = plain({ ...body, client_uuid: body.client_uuid || uuid() })
  const entry = {
    id: payload.client_uuid,
    kind: ticket ? 'ticket_step' : 'ticket_new',
    ticketId: ticket ? ticket.id : null,
    userId: session.user.id,
    userName: session.user.display_name,
    propertyId: ticket ? ticket.property_id : payload.property_id,
    // What the banner and the outbox show: the ticket's number and the step.
    checkpoint: { code: ticket ? ticket.number : '', name_zh: title.zh, name_en: title.en },
    payload,
    photos: photos.map((blob) => ({ uuid: uuid(), itemId: null, blob, takenAt: null, photoId: null })),
    status: 'waiting',
    attempts: 0,
    nextAttemptAt: 0,
    error: null,
    createdAt: stamp(),
  }
  await db.putOutbox(entry)
  showAllSent(false)
  await refresh()
  return entry
}

let allSentTimer = null

function showAllSent(on) {
  clearTimeout(allSentTimer)
  outbox.allSent = on
  if (on) allSentTimer = setTimeout(() => (outbox.allSent = false), ALL_SENT_MS)
}

let running = null

/** Send every due entry of the logged-in user, one at a time (after any pass under way). */
export async function flush({ force = false } = {}) {
  while (running) await running.catch(() => {})
  // An offline login sends nothing until the server has checked the person.
  if (!session.user || session.unverified) return
  running = pass(force)
  try {
    await running
  } finally {
    running = null
  }
}

async function pass(force) {
  outbox.sending = true
  let sent = 0
  try {
    const run = async () => {
      const entries = await db.listOutbox()
      const held = new Set() // tickets with an earlier step still on the phone
      for (const entry of entries) {
        const earlier = entry.ticketId && held.has(entry.ticketId)
        if (entry.ticketId) held.add(entry.ticketId)
        if (entry.userId !== session.user?.id || entry.status === 'failed' || earlier) continue
        if (!force && entry.nextAttemptAt > Date.now()) continue
        const ok = await sendOne(entry)
        if (ok) {
          sent += 1
          if (entry.ticketId) held.delete(entry.ticketId) // the next step of it may go now
        }
        await refresh() // the count goes down (or the entry shows its failure) entry by entry
        if (ok === null) break
      }
    }
    // One sender across tabs of the same app.
    const locks = globalThis.navigator?.locks
    if (locks) await locks.request('patrol-outbox', run)
    else await run()
  } finally {
    outbox.current = null
    outbox.sending = false
    await refresh()
  }
  if (sent && session.user && !mine().length) {
    outbox.lastError = null
    showAllSent(true)
  }
}

function progress(entry, photo) {
  const { code, name_zh, name_en } = entry.checkpoint
  const bytes = entry.photos.filter((p) => !p.photoId).reduce((n, p) => n + (p.blob?.size || 0), 0)
  outbox.current = { entryId: entry.id, code, name_zh, name_en, photo, photos: entry.photos.length, bytes }
}

/**
 * Send one entry: true when the server took it, false when it failed or waits for a retry,
 * null when sending should stop for now (offline, logged out).
 */
async function sendOne(entry) {
  try {
    for (const [i, photo] of entry.photos.entries()) {
      if (photo.photoId) continue
      progress(entry, i + 1)
      const stored = await api.uploadPhoto(photo.blob, photo.uuid, entry.propertyId, photo.takenAt, entry.userId)
      photo.photoId = stored.id
      await db.putOutbox(entry) // remember progress: a retry skips this photo
    }
    progress(entry, 0)
    if (entry.kind === 'ticket_step' || entry.kind === 'ticket_new') return await sendTicket(entry)
    const inspection = await api.submitInspection(withPhotoIds(entry), entry.userId)
    await db.markSent(entry.id, {
      client_uuid: entry.id,
      code: entry.checkpoint.code,
      name_zh: entry.checkpoint.name_zh,
      name_en: entry.checkpoint.name_en,
      user_id: entry.userId,
      scanned_ms: new Date(entry.payload.scanned_at).getTime(),
      failed_count: inspection.failed_count,
      presence: inspection.presence
        ? { score: inspection.presence.score, status: inspection.presence.status, reasons: inspection.presence.reasons }
        : null,
      tickets: (inspection.tickets || []).map((t) => ({ id: t.id, number: t.number })),
    })
    outbox.lastResult = { id: entry.id, inspection }
    if (outbox.lastError?.entryId === entry.id) outbox.lastError = null
    for (const fn of listeners) fn(entry.id, inspection)
    return true
  } catch (err) {
    return (await handleFailure(entry, err)) ? false : null
  }
}

async function sendTicket(entry) {
  const body = { ...entry.payload }
  const photoIds = entry.photos.map((p) => p.photoId)
  if (photoIds.length) body.photo_ids = [...(body.photo_ids || []), ...photoIds]
  const ticket = entry.kind === 'ticket_step'
    ? await api.ticketStep(entry.ticketId, body, entry.userId)
    : await api.createTicket(body, entry.userId)
  await db.deleteOutbox(entry.id)
  await db.setKV(`ticket:${ticket.id}`, ticket) // what the ticket screen shows offline next
  outbox.lastResult = { id: entry.id, ticket }
  if (outbox.lastError?.entryId === entry.id) outbox.lastError = null
  for (const fn of listeners) fn(entry.id, null, ticket)
  return true
}

/** Keep the reason of the latest failure for the banner, with the checkpoint it concerns. */
function noteError(entry) {
  if (!entry.error) return
  const { code, name_zh, name_en } = entry.checkpoint
  outbox.lastError = { entryId: entry.id, code, name_zh, name_en, at: Date.now(), ...entry.error }
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

/** The session ended (401) or is someone else's (409): not the entry's fault. */
function sessionLost(err) {
  if (!(err instanceof ApiError)) return false
  return err.status === 401 || (err.status === 409 && err.problem.code === 'session_user_mismatch')
}

async function handleFailure(entry, err) {
  if (sessionLost(err)) {
    // Keep the entry as it is and ask its author to log in; never send it as anyone else.
    session.user = null
    const other = err.status === 409
    outbox.lastError = {
      entryId: entry.id,
      ...entry.checkpoint,
      zh: other ? '本机登录的账号已变更，请记录人重新登录后继续发送' : '登录已过期，请重新登录后继续发送',
      en: other
        ? "This phone's session is someone else's; the record's author must log in to go on sending"
        : 'Logged out; log in again to go on sending',
      status: err.status,
      transient: true,
      at: Date.now(),
    }
    return false
  }
  entry.attempts += 1
  if (err instanceof ApiError && err.permanent) {
    const p = err.problem
    const photo = Boolean(p.errors && p.errors.file) // the upload of one of its photos
    entry.status = 'failed'
    entry.error = {
      status: err.status,
      problemCode: p.code || null,
      zh: (photo ? '照片未被服务器接受：' : '') + (p.detail_zh || p.detail || `HTTP ${err.status}`),
      en: (photo ? 'A photo was refused: ' : '') + (p.detail_en || p.detail || `HTTP ${err.status}`),
      fields: p.errors || null,
    }
    await db.putOutbox(entry)
    noteError(entry)
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
  noteError(entry)
  return !(err instanceof NetworkError)
}

const LABEL_FIELDS = ['label_sig', 'label_version', 'checkpoint_code', 'code']

/** A refusal a scan of the right label can put right: forged, old print, replaced code. */
export function needsRescan(entry) {
  const e = entry.error
  if (entry.status !== 'failed' || !e || ![403, 410].includes(e.status)) return false
  return String(e.problemCode || '').startsWith('label_') || LABEL_FIELDS.some((f) => e.fields?.[f])
}

/**
 * Send a refused entry again with a fresh scan of its checkpoint's label, answers and photos
 * untouched. False when the label is another checkpoint's (nothing changes then).
 */
export async function rescan(id, { checkpoint, sig = null, version = null }) {
  const entry = await db.getOutbox(id)
  if (!entry) return false
  const same = entry.checkpoint.code === checkpoint.code || (entry.checkpoint.id && entry.checkpoint.id === checkpoint.id)
  if (!same) return false
  entry.checkpoint.code = checkpoint.code // a re-issued label carries a new code
  entry.payload.checkpoint_code = checkpoint.code
  delete entry.payload.label_sig
  delete entry.payload.label_version
  if (sig) Object.assign(entry.payload, { label_sig: sig, label_version: version })
  Object.assign(entry, { status: 'waiting', error: null, nextAttemptAt: 0, rescannedAt: Date.now() })
  await db.putOutbox(entry)
  if (outbox.lastError?.entryId === id) outbox.lastError = null
  await refresh()
  flush({ force: true }).catch(() => {})
  return true
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
  if (outbox.lastError?.entryId === id) outbox.lastError = null
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
  // A check of an offline login by the server counts as one too.
  watch(() => (session.unverified ? null : session.user?.id), (id) => id && refresh().then(kick))
  // A start is rare and may follow hours offline: try every waiting entry now, backoff or not.
  refresh().then(() => session.online && flush({ force: true }).catch(console.error))
}
