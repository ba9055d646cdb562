// Offline login and logout on a shared phone: who may log in without the network, what is sent
// and under whom. The real session and outbox modules run on fake-indexeddb and a fake API.
import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { answer, fakeServer, problem } from './fakeServer.js'

const PASSWORD = 'patrol-demo'
const zhang = { id: 7, username: 'zhang', display_name: '张三', role: 'assistant', properties: [{ id: 1 }] }
const li = { id: 8, username: 'li', display_name: '李四', role: 'assistant', properties: [{ id: 1 }] }
const PEOPLE = { zhang, li }

let server, s, ob, db, ol, offline, accounts

function me(user, extra = {}) {
  return { ...user, session_version: 1, offline_login_until: new Date(Date.now() + 72 * 3600e3).toISOString(), ...extra }
}

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory()
  globalThis.window = new EventTarget()
  globalThis.navigator = { onLine: true }
  vi.resetModules()
  offline = false
  accounts = { zhang: { password: PASSWORD, version: 1 }, li: { password: PASSWORD, version: 1 } }
  server = fakeServer()
  let cookie = null // whose session the browser holds
  let issued = 0
  const keys = new Map() // offline key → {username, version}
  const base = server.fetch
  server.hook = (call) => {
    if (offline) return new TypeError('Failed to fetch')
    const { path, body } = call
    if (path === '/auth/login') {
      const a = accounts[body.username]
      if (!a || a.password !== body.password) return problem(401, { code: 'unauthorized' })
      cookie = body.username
      const extra = { session_version: a.version }
      if (body.offline) {
        extra.offline_key = `key-${body.username}-${++issued}`
        keys.set(extra.offline_key, { username: body.username, version: a.version })
      }
      return answer(200, me(PEOPLE[cookie], extra))
    }
    if (path === '/auth/resume') {
      const grant = keys.get(body.key)
      if (!grant || grant.version !== accounts[grant.username].version) return problem(401, { code: 'offline_grant_refused' })
      cookie = grant.username
      return answer(200, me(PEOPLE[cookie], { session_version: grant.version }))
    }
    if (path === '/auth/logout') {
      cookie = null
      return new Response(null, { status: 204 })
    }
    if (!cookie) return problem(401, { code: 'unauthorized' })
    const header = call.headers?.['X-Patrol-User']
    if (header && Number(header) !== PEOPLE[cookie].id) return problem(409, { code: 'session_user_mismatch' })
    if (path === '/me') return answer(200, me(PEOPLE[cookie], { session_version: accounts[cookie].version }))
    if (path === '/vocab') return answer(200, {})
    if (path === '/checkpoints' || path === '/checklists') return answer(200, { items: [], total: 0 })
    call.as = cookie
    return undefined
  }
  globalThis.fetch = vi.fn((url, init) => {
    server.lastHeaders = init.headers
    return base(url, init)
  })
  // The fake server sees the request headers through the call.
  const push = server.calls.push.bind(server.calls)
  server.calls.push = (call) => push(Object.assign(call, { headers: server.lastHeaders }))
  s = await import('../src/session.js')
  ob = await import('../src/outbox.js')
  db = await import('../src/db.js')
  ol = await import('../src/offlineLogin.js')
})

afterEach(() => vi.restoreAllMocks())

async function enqueue(code = 'CP1') {
  return ob.enqueueInspection({
    checkpoint: { code, name_zh: `${code} 楼梯间`, name_en: code, property_id: 1, zone: null },
    payload: { client_uuid: crypto.randomUUID(), checkpoint_code: code, scanned_at: '2026-12-02T08:30:00+08:00', results: [] },
    photos: [],
  })
}

async function logInOnlineThenOutOffline(username = 'zhang') {
  await s.login(username, PASSWORD)
  offline = true
  await s.logout()
}

describe('offline login', () => {
  it('keeps a salted verifier and the sealed offline key, never the password or the key', async () => {
    await s.login('zhang', PASSWORD)
    const kept = JSON.stringify(await db.getKV('verifiers')) + JSON.stringify(await db.getKV('me'))
    expect(kept).not.toContain(PASSWORD)
    expect(kept).not.toContain('key-zhang')
    const { zhang: v } = await db.getKV('verifiers')
    expect(v.salt).toHaveLength(24) // 16 random bytes
    expect(v.iterations).toBeGreaterThanOrEqual(100000)
    await s.login('zhang', PASSWORD)
    expect((await db.getKV('verifiers')).zhang.salt).not.toBe(v.salt) // a fresh salt each time
  })

  it('lets someone who logged in here before back in, unverified', async () => {
    await logInOnlineThenOutOffline()
    expect(s.session.user).toBeNull()
    const user = await s.login('zhang', PASSWORD)
    expect(user.id).toBe(7)
    expect(s.session.user.id).toBe(7)
    expect(s.session.unverified).toBe(true)
  })

  it('survives a reload before the network is back (a scan from the camera app)', async () => {
    await logInOnlineThenOutOffline()
    await s.login('zhang', PASSWORD)
    await enqueue()
    vi.resetModules() // the page loads afresh: nothing of the login is left in memory
    s = await import('../src/session.js')
    ob = await import('../src/outbox.js')
    offline = false
    await s.restoreSession()
    expect(s.session.unverified).toBe(false)
    expect(s.session.user.id).toBe(7)
    await ob.flush()
    expect(server.of('/inspections').map((c) => c.as)).toEqual(['zhang'])
    expect(await db.getKV('offlineKey')).toBeUndefined() // the opened key goes once used
  })

  it('refuses a wrong password, and forgets the verifier after five', async () => {
    await logInOnlineThenOutOffline()
    for (let i = 1; i < ol.MAX_FAILURES; i++) {
      await expect(s.login('zhang', 'guess-' + i)).rejects.toMatchObject({ reason: 'wrong' })
    }
    await expect(s.login('zhang', 'guess-5')).rejects.toMatchObject({ reason: 'locked' })
    // Even the right password no longer works offline: only the server can let them in now.
    await expect(s.login('zhang', PASSWORD)).rejects.toMatchObject({ name: 'NetworkError' })
    expect(s.session.user).toBeNull()
  })

  it('is refused to someone who never logged in on this phone', async () => {
    await logInOnlineThenOutOffline()
    await expect(s.login('li', PASSWORD)).rejects.toMatchObject({ name: 'NetworkError' })
  })

  it('expires when the phone has not reached the server for too long', async () => {
    await logInOnlineThenOutOffline()
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 73 * 3600e3)
    await expect(s.login('zhang', PASSWORD)).rejects.toMatchObject({ reason: 'expired' })
    expect(await db.getKV('verifiers')).toEqual({})
  })

  it('is forgotten when the server says the password or access changed', async () => {
    await s.login('zhang', PASSWORD)
    accounts.zhang.version = 2 // an admin reset the password elsewhere
    vi.resetModules()
    s = await import('../src/session.js')
    await s.restoreSession() // the next start reads /me
    expect((await db.getKV('verifiers')).zhang).toBeUndefined()
  })

  it('is forgotten when a login online is refused', async () => {
    await s.login('zhang', PASSWORD)
    await s.logout()
    await expect(s.login('zhang', 'typo')).rejects.toMatchObject({ status: 401 })
    expect((await db.getKV('verifiers')).zhang).toBeUndefined()
  })
})

describe('records of an offline login', () => {
  it('wait until the server has checked the person, then go under their name', async () => {
    await logInOnlineThenOutOffline()
    await s.login('zhang', PASSWORD)
    await enqueue()
    offline = false
    await ob.flush()
    expect(server.of('/inspections')).toHaveLength(0) // not yet checked
    await s.verifyOnline()
    expect(s.session.unverified).toBe(false)
    await ob.flush()
    const [sent] = server.of('/inspections')
    expect(sent.as).toBe('zhang')
    expect(sent.headers['X-Patrol-User']).toBe('7')
    // The logout made offline ended that session first; the check opened a new one.
    const paths = server.calls.map((c) => c.path)
    expect(paths.indexOf('/auth/logout')).toBeLessThan(paths.lastIndexOf('/auth/login'))
    expect(paths.lastIndexOf('/auth/login')).toBeLessThan(paths.indexOf('/inspections'))
  })

  it('stay on the phone when the server refuses the person once online', async () => {
    await logInOnlineThenOutOffline()
    await s.login('zhang', PASSWORD)
    await enqueue()
    accounts.zhang.version = 2 // an admin reset the password meanwhile
    offline = false
    await s.verifyOnline()
    expect(s.session.user).toBeNull()
    expect(s.session.refused).toMatchObject({ display_name: '张三' })
    expect((await db.getKV('verifiers')).zhang).toBeUndefined()
    const [kept] = await db.listOutbox()
    expect(kept).toMatchObject({ userId: 7, userName: '张三', status: 'waiting' })
    expect(server.of('/inspections')).toHaveLength(0)
  })

  it('never go under another person whose session the browser still holds', async () => {
    await s.login('li', PASSWORD) // 李四's cookie
    await s.login('zhang', PASSWORD)
    await enqueue()
    await s.login('li', PASSWORD) // the browser's session is 李四's again
    s.session.user = zhang // as a second tab still showing 张三 would
    await ob.flush()
    expect(server.of('/inspections').filter((c) => c.as)).toHaveLength(0)
    const [kept] = await db.listOutbox()
    expect(kept.status).toBe('waiting') // not failed: 张三 can still send it
    expect(ob.outbox.lastError).toMatchObject({ status: 409, zh: expect.stringContaining('重新登录') })
    expect(s.session.user).toBeNull()
  })
})

describe('logout with entries still pending', () => {
  it('keeps the outbox and the offline pack', async () => {
    await s.login('zhang', PASSWORD)
    await db.replacePack(1, [{ code: 'CP1', property_id: 1, kind: 'stairwell' }], [])
    offline = true
    await enqueue()
    await s.logout()
    expect(await db.listOutbox()).toHaveLength(1)
    expect(await db.getCheckpoint('CP1')).toBeTruthy()
    expect(await db.getKV('loggedOut')).toBe(true)
  })

  it('sends nothing of one person under the next who logs in', async () => {
    await s.login('zhang', PASSWORD)
    offline = true
    await enqueue()
    offline = false
    await s.logout()
    await s.login('li', PASSWORD)
    await ob.flush()
    expect(server.of('/inspections')).toHaveLength(0)
    expect(await db.listOutbox()).toHaveLength(1)
    await s.logout()
    await s.login('zhang', PASSWORD)
    await ob.flush()
    expect(server.of('/inspections').map((c) => c.as)).toEqual(['zhang'])
  })
})
