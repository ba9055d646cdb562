// The outbox's rules, in milliseconds: what is sent, in what order, what a failure does, what
// survives. fake-indexeddb stands in for the phone's storage, a fake server for the API.
import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeServer, problem } from './fakeServer.js'

vi.mock('../src/session.js', async () => {
  const { reactive } = await import('vue')
  return { session: reactive({ user: { id: 7 }, online: true }) }
})

let server, ob, db, session

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory() // a phone with nothing stored
  vi.resetModules() // fresh module state: the outbox, the db connection, the session
  server = fakeServer()
  globalThis.fetch = vi.fn(server.fetch)
  ob = await import('../src/outbox.js')
  db = await import('../src/db.js')
  session = (await import('../src/session.js')).session
  session.user = { id: 7 }
})

afterEach(() => {
  vi.restoreAllMocks()
})

let n = 0

/** Queue one finished checklist with `photos` failed items photographed (one photo each). */
function enqueue({ photos = 1, code = `CP${++n}` } = {}) {
  const items = Array.from({ length: Math.max(photos, 1) }, (_, i) => ({ item_id: 100 + i, outcome: photos ? 'fail' : 'pass' }))
  return ob.enqueueInspection({
    checkpoint: { code, name_zh: `${code} 楼梯间`, name_en: `${code} stairwell`, property_id: 1, zone: null },
    payload: {
      client_uuid: crypto.randomUUID(),
      checkpoint_code: code,
      scanned_at: '2026-12-02T08:30:00.000+08:00',
      results: items,
    },
    photos: Array.from({ length: photos }, (_, i) => ({
      itemId: 100 + i,
      blob: new Blob([new Uint8Array(1000 * (i + 1))], { type: 'image/jpeg' }),
    })),
  })
}

const networkDown = () => new TypeError('Failed to fetch')

describe('a pass', () => {
  it('sends photos first, then the inspection with their ids, and keeps the name in the record', async () => {
    const entry = await enqueue({ photos: 2 })
    await ob.flush()
    expect(server.calls.map((c) => c.path)).toEqual(['/photos', '/photos', '/inspections'])
    const sent = server.inspections.get(entry.id)
    expect(sent.results.map((r) => r.photo_ids)).toEqual([[1], [2]])
    expect(sent.device_now).toBeTruthy()
    expect(await db.listOutbox()).toEqual([])
    const [record] = await db.listDoneSince(0)
    expect(record).toMatchObject({ client_uuid: entry.id, code: entry.checkpoint.code, name_zh: entry.checkpoint.name_zh, name_en: entry.checkpoint.name_en })
    expect(record.presence.score).toBe(30)
  })

  it('counts down entry by entry and says what it is sending', async () => {
    for (let i = 0; i < 3; i++) await enqueue({ photos: 2 })
    expect(ob.outbox.entries).toHaveLength(3)
    expect(ob.outbox.entries[0].photoBytes).toBe(3000)
    const seen = []
    server.hook = (call) => {
      const c = ob.outbox.current
      seen.push({ path: call.path, left: ob.mine().length, photo: c.photo, photos: c.photos, bytes: c.bytes, code: c.code })
    }
    await ob.flush()
    const codes = ob.outbox.entries.map((e) => e.checkpoint.code)
    expect(codes).toEqual([])
    expect(seen.filter((s) => s.path === '/inspections').map((s) => s.left)).toEqual([3, 2, 1])
    expect(seen.slice(0, 3).map(({ photo, photos, bytes }) => [photo, photos, bytes])).toEqual([
      [1, 2, 3000],
      [2, 2, 2000],
      [0, 2, 0],
    ])
    expect(new Set(seen.map((s) => s.code)).size).toBe(3)
    expect(ob.outbox.current).toBeNull()
    expect(ob.outbox.sending).toBe(false)
    expect(ob.outbox.allSent).toBe(true)
    expect(ob.outbox.lastError).toBeNull()
  })

  it('drops "all sent" as soon as something new is queued', async () => {
    await enqueue()
    await ob.flush()
    expect(ob.outbox.allSent).toBe(true)
    await enqueue()
    expect(ob.outbox.allSent).toBe(false)
  })

  it('leaves the waiting count alone when a late refresh finishes after a newer one', async () => {
    await enqueue()
    const stale = ob.refresh() // reads before the entry is sent
    await ob.flush()
    await stale
    expect(ob.outbox.entries).toHaveLength(0)
  })
})

describe('network trouble', () => {
  it('is transient: the entry waits with a backoff and the pass stops', async () => {
    const first = await enqueue()
    await enqueue()
    const now = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 1) // queued before "now"
    const t0 = Date.now()
    server.hook = () => networkDown()
    await ob.flush()
    expect(server.calls).toHaveLength(1) // the second entry was not tried
    let [a, b] = await db.listOutbox()
    expect(a).toMatchObject({ status: 'waiting', attempts: 1, nextAttemptAt: t0 + ob.BACKOFF_MS[0] })
    expect(a.error).toMatchObject({ transient: true, zh: expect.stringContaining('网络不可用') })
    expect(b.attempts).toBe(0)
    expect(ob.outbox.lastError).toMatchObject({ entryId: first.id, code: first.checkpoint.code, transient: true })
    expect(ob.outbox.allSent).toBe(false)

    // Not due yet: a plain pass leaves it; the entry after it is due and goes.
    server.hook = () => undefined
    server.calls.length = 0
    await ob.flush()
    expect(server.calls.map((c) => c.uuid)).not.toContain(first.photos[0].uuid)
    expect(await db.listOutbox()).toHaveLength(1)

    // Down again when due: the wait grows.
    now.mockReturnValue(t0 + ob.BACKOFF_MS[0])
    server.hook = () => networkDown()
    await ob.flush()
    ;[a] = await db.listOutbox()
    expect(a.attempts).toBe(2)
    expect(a.nextAttemptAt).toBe(t0 + ob.BACKOFF_MS[0] + ob.BACKOFF_MS[1])

    // Back: a forced pass (the network returned) sends it at once, and the error is gone.
    server.hook = () => undefined
    await ob.flush({ force: true })
    expect(await db.listOutbox()).toEqual([])
    expect(ob.outbox.lastError).toBeNull()
    expect(ob.outbox.allSent).toBe(true)
  })

  it('caps the backoff at its longest wait', async () => {
    let t = 0
    vi.spyOn(Date, 'now').mockImplementation(() => t)
    await enqueue({ photos: 0 })
    server.hook = () => networkDown()
    for (let i = 0; i < ob.BACKOFF_MS.length + 2; i++) await ob.flush({ force: true })
    const [a] = await db.listOutbox()
    expect(a.nextAttemptAt - t).toBe(ob.BACKOFF_MS.at(-1))
  })

  it('a 5xx retries later but lets the next entry go', async () => {
    const first = await enqueue({ photos: 0 })
    const second = await enqueue({ photos: 0 })
    server.hook = (call) => (call.uuid === first.id ? problem(503, { detail: 'busy' }) : undefined)
    await ob.flush()
    const left = await db.listOutbox()
    expect(left.map((e) => e.id)).toEqual([first.id])
    expect(left[0]).toMatchObject({ status: 'waiting', attempts: 1 })
    expect(left[0].error).toMatchObject({ transient: true, zh: expect.stringContaining('503') })
    expect(server.inspections.has(second.id)).toBe(true)
    expect(ob.outbox.allSent).toBe(false)
  })
})

describe('a refusal (4xx)', () => {
  it('fails the entry with the server\'s reason, for good, and goes on with the next', async () => {
    const bad = await enqueue({ photos: 0 })
    const good = await enqueue({ photos: 0 })
    server.hook = (call) =>
      call.uuid === bad.id
        ? problem(422, { detail: 'x', detail_zh: '检查表已更新，请重新扫码', detail_en: 'The checklist changed; scan again' })
        : undefined
    await ob.flush()
    const [entry] = await db.listOutbox()
    expect(entry).toMatchObject({ id: bad.id, status: 'failed', attempts: 1 })
    expect(entry.error).toMatchObject({ status: 422, zh: '检查表已更新，请重新扫码', en: 'The checklist changed; scan again' })
    expect(entry.error.transient).toBeUndefined()
    expect(server.inspections.has(good.id)).toBe(true)
    expect(ob.outbox.lastError).toMatchObject({ entryId: bad.id, status: 422, zh: '检查表已更新，请重新扫码' })
    expect(ob.outbox.allSent).toBe(false) // one is left, failed

    // Never retried on its own, even when "due" …
    server.calls.length = 0
    await ob.flush({ force: true })
    expect(server.calls).toEqual([])
    // … only when the user asks.
    server.hook = () => undefined
    await ob.retry(bad.id)
    expect(await db.listOutbox()).toEqual([])
    expect(ob.outbox.lastError).toBeNull()
  })

  it('a refused photo says it was the photo', async () => {
    await enqueue({ photos: 1 })
    server.hook = (call) =>
      call.path === '/photos' ? problem(400, { detail_zh: '文件不是完整的照片', errors: { file: ['bad'] } }) : undefined
    await ob.flush()
    const [entry] = await db.listOutbox()
    expect(entry.status).toBe('failed')
    expect(entry.error.zh).toBe('照片未被服务器接受：文件不是完整的照片')
    expect(server.of('/inspections')).toEqual([])
  })

  it('a 401 keeps the entry untouched, stops, and asks for a login', async () => {
    const entry = await enqueue({ photos: 0 })
    await enqueue({ photos: 0 })
    server.hook = () => problem(401, { detail: 'login' })
    await ob.flush()
    expect(server.calls).toHaveLength(1)
    expect(session.user).toBeNull()
    const stored = await db.getOutbox(entry.id)
    expect(stored).toMatchObject({ status: 'waiting', attempts: 0, error: null })
    expect(ob.outbox.lastError).toMatchObject({ status: 401, zh: expect.stringContaining('登录') })
  })
})

describe('a photo sent, the inspection not', () => {
  it('the retry skips the stored photo and sends the same client UUIDs', async () => {
    const entry = await enqueue({ photos: 2 })
    server.hook = (call) => (call.path === '/inspections' ? networkDown() : undefined)
    await ob.flush()
    const stored = await db.getOutbox(entry.id)
    expect(stored.photos.map((p) => p.photoId)).toEqual([1, 2])
    expect(stored.photos.map((p) => p.uuid)).toEqual(entry.photos.map((p) => p.uuid))
    expect(ob.outbox.entries[0]).toMatchObject({ photosSent: 2, photoBytes: 0 })

    server.hook = () => undefined
    server.calls.length = 0
    await ob.flush({ force: true })
    expect(server.calls.map((c) => [c.path, c.uuid])).toEqual([['/inspections', entry.id]])
    expect(server.inspections.get(entry.id).results.map((r) => r.photo_ids)).toEqual([[1], [2]])
    expect(server.photos.size).toBe(2)
  })

  it('one photo in, the next lost: the retry sends only the second', async () => {
    const entry = await enqueue({ photos: 2 })
    const second = entry.photos[1].uuid
    let fail = true
    server.hook = (call) => (call.uuid === second && fail ? networkDown() : undefined)
    await ob.flush()
    fail = false
    server.calls.length = 0
    await ob.flush({ force: true })
    expect(server.calls.map((c) => c.uuid)).toEqual([second, entry.id])
  })

  it('an answer lost after the server stored the inspection does not store it twice', async () => {
    const entry = await enqueue({ photos: 1 })
    let lose = true
    server.hook = async (call) => {
      if (call.path !== '/inspections' || !lose) return undefined
      lose = false
      server.inspections.set(call.uuid, call.body) // stored, but the answer never arrives
      return networkDown()
    }
    await ob.flush()
    await ob.flush({ force: true })
    expect(server.of('/inspections').map((c) => c.uuid)).toEqual([entry.id, entry.id])
    expect(server.inspections.size).toBe(1)
    expect(await db.listOutbox()).toEqual([])
  })
})

describe('a full phone', () => {
  it('refuses the new entry whole and keeps the earlier ones intact', async () => {
    const earlier = await enqueue({ photos: 2 })
    const put = IDBObjectStore.prototype.put
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (value, key) {
      if (this.name === 'outbox') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      return put.call(this, value, key)
    })
    await expect(enqueue({ photos: 3 })).rejects.toMatchObject({ name: 'QuotaExceededError' })
    vi.restoreAllMocks()

    const stored = await db.listOutbox()
    expect(stored.map((e) => e.id)).toEqual([earlier.id])
    expect(stored[0].photos.map((p) => p.blob.size)).toEqual([1000, 2000])
    expect(ob.outbox.entries.map((e) => e.id)).toEqual([earlier.id])

    // Room again: what was saved goes, once.
    await ob.flush()
    expect(server.inspections.has(earlier.id)).toBe(true)
    expect(server.photos.size).toBe(2)
  })
})

describe('a refused label', () => {
  it('is put right by a scan of the same checkpoint, answers and photos unchanged', async () => {
    const entry = await enqueue({ photos: 1, code: 'OLDCODE' })
    server.hook = (call) =>
      call.path === '/inspections' && call.body.checkpoint_code === 'OLDCODE'
        ? problem(410, { code: 'http_410', detail_zh: '此二维码标签已作废', errors: { checkpoint_code: ['replaced'] } })
        : undefined
    await ob.flush()
    let [failed] = await db.listOutbox()
    expect(failed.status).toBe('failed')
    expect(ob.needsRescan(failed)).toBe(true)

    // Another checkpoint's label changes nothing.
    expect(await ob.rescan(entry.id, { checkpoint: { id: 99, code: 'ELSEWHERE' } })).toBe(false)
    ;[failed] = await db.listOutbox()
    expect(failed.status).toBe('failed')

    // The re-issued label of the same checkpoint (same id, new code) sends it again.
    const kept = await db.getOutbox(entry.id)
    kept.checkpoint.id = 5
    await db.putOutbox(kept)
    expect(await ob.rescan(entry.id, { checkpoint: { id: 5, code: 'NEWCODE' }, sig: 'sig-2', version: 2 })).toBe(true)
    await ob.flush()
    expect(await db.listOutbox()).toEqual([])
    const sent = server.inspections.get(entry.id)
    expect(sent).toMatchObject({ checkpoint_code: 'NEWCODE', label_sig: 'sig-2', label_version: 2 })
    expect(sent.results).toEqual([{ item_id: 100, outcome: 'fail', photo_ids: [1] }])
    expect(server.of('/photos')).toHaveLength(1) // the photo went once, before the refusal
  })

  it('is not offered a re-scan for refusals a label cannot fix', async () => {
    await enqueue({ photos: 0 })
    server.hook = () => problem(422, { errors: { results: ['bad'] } })
    await ob.flush()
    const [failed] = await db.listOutbox()
    expect(ob.needsRescan(failed)).toBe(false)
  })
})

describe('ticket steps queued offline', () => {
  const ticket = { id: 41, number: 'A-202703100001', property_id: 1 }
  const title = (action) => ({ zh: `${ticket.number} · ${action}`, en: `${ticket.number} · ${action}` })
  const stepsServer = () => {
    const taken = new Map() // client_uuid → action
    server.hook = (call) => {
      const m = call.path.match(/^\/tickets\/(\d+)\/events$/)
      if (!m) return undefined
      if (!taken.has(call.body.client_uuid)) taken.set(call.body.client_uuid, call.body.action)
      return new Response(JSON.stringify({ ...ticket, status: call.body.action }), { status: 200, headers: { 'Content-Type': 'application/json' } })
    }
    return taken
  }

  it('go in the order taken, photos first, each with its own client UUID', async () => {
    const taken = stepsServer()
    await ob.enqueueTicket({ ticket, body: { action: 'accept' }, title: title('受理') })
    await ob.enqueueTicket({
      ticket,
      body: { action: 'resolve', note: '已更换灯管' },
      photos: [new Blob([new Uint8Array(2000)], { type: 'image/jpeg' })],
      title: title('处理完成'),
    })
    await ob.flush()
    expect(server.calls.map((c) => c.path)).toEqual(['/tickets/41/events', '/photos', '/tickets/41/events'])
    expect([...taken.values()]).toEqual(['accept', 'resolve'])
    expect(server.calls[2].body.photo_ids).toEqual([1])
    expect(await db.listOutbox()).toEqual([])
    expect((await db.getKV('ticket:41')).status).toBe('resolve') // the ticket screen's copy
  })

  it('are resent with the same UUID after a lost answer, so the server takes them once', async () => {
    const taken = stepsServer()
    await ob.enqueueTicket({ ticket, body: { action: 'accept' }, title: title('受理') })
    const inner = server.hook
    let first = true
    server.hook = (call) => {
      const answer = inner(call)
      if (first) {
        first = false
        return networkDown() // the server took it; the answer was lost
      }
      return answer
    }
    await ob.flush()
    await ob.flush({ force: true })
    const uuids = server.of('/tickets/41/events').map((c) => c.body.client_uuid)
    expect(uuids).toHaveLength(2)
    expect(new Set(uuids).size).toBe(1)
    expect(taken.size).toBe(1)
  })

  it('when refused (someone else took it), fail with the reason and hold the later steps', async () => {
    server.hook = (call) =>
      call.body?.action === 'accept'
        ? problem(409, { code: 'conflict', detail_zh: '工单当前为“已受理”，不能受理', detail_en: 'Cannot accept: the ticket is accepted.' })
        : undefined
    await ob.enqueueTicket({ ticket, body: { action: 'accept' }, title: title('受理') })
    await ob.enqueueTicket({ ticket, body: { action: 'start' }, title: title('开始处理') })
    await ob.flush()
    const [refused, held] = await db.listOutbox()
    expect(refused.status).toBe('failed')
    expect(refused.error.zh).toContain('不能受理')
    expect(ob.outbox.lastError).toMatchObject({ zh: expect.stringContaining('不能受理'), code: ticket.number })
    expect(held.status).toBe('waiting') // never sent ahead of the refused one
    expect(server.of('/tickets/41/events')).toHaveLength(1)
    // Dropping the refused step lets the next one go.
    server.hook = () => new Response(JSON.stringify({ ...ticket }), { status: 200, headers: { 'Content-Type': 'application/json' } })
    await ob.discard(refused.id)
    await ob.flush()
    expect(await db.listOutbox()).toEqual([])
  })

  it('a front-desk report is recorded once with its photo', async () => {
    server.hook = (call) =>
      call.path === '/tickets'
        ? new Response(JSON.stringify({ id: 77, number: 'A-1' }), { status: 201, headers: { 'Content-Type': 'application/json' } })
        : undefined
    await ob.enqueueTicket({
      body: { property_id: 1, category: 'environment', description: '楼道灯不亮', location_text: 'A幢' },
      photos: [new Blob([new Uint8Array(500)], { type: 'image/jpeg' })],
      title: { zh: '新报事：环境卫生', en: 'New report: environment' },
    })
    await ob.flush()
    const [report] = server.of('/tickets')
    expect(report.body).toMatchObject({ description: '楼道灯不亮', photo_ids: [1] })
    expect(report.body.client_uuid).toMatch(/^[0-9a-f-]{36}$/)
  })
})
