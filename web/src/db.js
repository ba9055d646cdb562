// The one module that talks to IndexedDB: the patrol pack, drafts, the outbox, today's record.
import { openDB } from 'idb'

const NAME = 'patrol'
const VERSION = 1

let dbPromise

function db() {
  if (!dbPromise) {
    dbPromise = openDB(NAME, VERSION, {
      upgrade(d) {
        d.createObjectStore('kv')
        const cps = d.createObjectStore('checkpoints', { keyPath: 'code' })
        cps.createIndex('property_id', 'property_id')
        // One checklist per property and checkpoint kind: key "<property_id>:<kind>".
        const cls = d.createObjectStore('checklists', { keyPath: 'key' })
        cls.createIndex('property_id', 'property_id')
        const out = d.createObjectStore('outbox', { keyPath: 'id' })
        out.createIndex('createdAt', 'createdAt')
        d.createObjectStore('drafts', { keyPath: 'key' })
        const done = d.createObjectStore('done', { keyPath: 'client_uuid' })
        done.createIndex('scanned_ms', 'scanned_ms')
      },
      blocking() {
        // A newer app version wants to upgrade the database: let it.
        dbPromise?.then((d) => d.close())
        dbPromise = undefined
      },
    })
  }
  return dbPromise
}

// --- key/value: the user, vocab, when the pack was fetched ---

export async function getKV(key) {
  return (await db()).get('kv', key)
}

export async function setKV(key, value) {
  return (await db()).put('kv', value, key)
}

export async function deleteKV(key) {
  return (await db()).delete('kv', key)
}

// --- the patrol pack: checkpoints and their checklists ---

/** Replace one property's checkpoints and checklists in one transaction. */
export async function replacePack(propertyId, checkpoints, checklists) {
  const d = await db()
  const tx = d.transaction(['checkpoints', 'checklists'], 'readwrite')
  const cps = tx.objectStore('checkpoints')
  const cls = tx.objectStore('checklists')
  for (const key of await cps.index('property_id').getAllKeys(propertyId)) cps.delete(key)
  for (const key of await cls.index('property_id').getAllKeys(propertyId)) cls.delete(key)
  for (const cp of checkpoints) cps.put(cp)
  for (const cl of checklists) cls.put(cl)
  await tx.done
}

/** Keep one checkpoint (and its checklist) learned from the server outside a full pack. */
export async function putCheckpoint(checkpoint, checklist) {
  const d = await db()
  const tx = d.transaction(['checkpoints', 'checklists'], 'readwrite')
  tx.objectStore('checkpoints').put(checkpoint)
  if (checklist) tx.objectStore('checklists').put(checklist)
  await tx.done
}

export async function getCheckpoint(code) {
  return (await db()).get('checkpoints', code)
}

export async function getChecklist(propertyId, kind) {
  return (await db()).get('checklists', `${propertyId}:${kind}`)
}

export async function listCheckpoints(propertyId) {
  return (await db()).getAllFromIndex('checkpoints', 'property_id', propertyId)
}

export async function countCheckpoints() {
  return (await db()).count('checkpoints')
}

export async function clearPack() {
  const d = await db()
  const tx = d.transaction(['checkpoints', 'checklists'], 'readwrite')
  await Promise.all([tx.objectStore('checkpoints').clear(), tx.objectStore('checklists').clear()])
  await tx.done
}

// --- drafts: a checklist being filled in, photos included (survives the tab being killed) ---

export async function getDraft(key) {
  return (await db()).get('drafts', key)
}

export async function putDraft(draft) {
  return (await db()).put('drafts', draft)
}

export async function deleteDraft(key) {
  return (await db()).delete('drafts', key)
}

// --- the outbox: submissions not yet confirmed by the server ---

export async function listOutbox() {
  return (await db()).getAllFromIndex('outbox', 'createdAt')
}

export async function getOutbox(id) {
  return (await db()).get('outbox', id)
}

export async function putOutbox(entry) {
  return (await db()).put('outbox', entry)
}

export async function deleteOutbox(id) {
  return (await db()).delete('outbox', id)
}

/** Move a sent entry out of the outbox and into today's record, atomically. */
export async function markSent(id, record) {
  const d = await db()
  const tx = d.transaction(['outbox', 'done'], 'readwrite')
  tx.objectStore('outbox').delete(id)
  tx.objectStore('done').put(record)
  await tx.done
}

// --- today's record: what this phone sent (the server's list adds the rest) ---

export async function listDoneSince(ms) {
  return (await db()).getAllFromIndex('done', 'scanned_ms', IDBKeyRange.lowerBound(ms))
}

/** Add the server's records this phone lacks (its own, with their tickets, stay as they are). */
export async function addDone(records) {
  const d = await db()
  const tx = d.transaction('done', 'readwrite')
  const known = new Set(await tx.store.getAllKeys())
  for (const r of records) if (!known.has(r.client_uuid)) tx.store.put(r)
  await tx.done
}

/** Forget records scanned before a cut-off (epoch milliseconds). */
export async function pruneDone(msBefore) {
  const d = await db()
  const tx = d.transaction('done', 'readwrite')
  let cursor = await tx.store.index('scanned_ms').openCursor(IDBKeyRange.upperBound(msBefore, true))
  while (cursor) {
    cursor.delete()
    cursor = await cursor.continue()
  }
  await tx.done
}
