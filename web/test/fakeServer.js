// A stand-in for the Flask API on globalThis.fetch: photos and inspections, each idempotent
// on its client_uuid, with a hook to fail or inspect any request.

/** A JSON (or problem+json) answer as fetch gives it. */
export function answer(status, body, type = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } })
}

export function problem(status, fields = {}) {
  return answer(status, { status, ...fields }, 'application/problem+json')
}

export function fakeServer() {
  const server = {
    calls: [], // {path, uuid, body}
    photos: new Map(), // client_uuid → id
    inspections: new Map(), // client_uuid → body
    // (call) => a Response, an Error to throw, or undefined to answer normally
    hook: () => undefined,
  }
  server.fetch = async (url, init) => {
    const path = String(url).replace(/^\/api\/v1/, '').split('?')[0]
    const body = init.body instanceof FormData ? init.body : JSON.parse(init.body || 'null')
    const uuid = body instanceof FormData ? body.get('client_uuid') : body?.client_uuid
    const call = { path, uuid, body }
    server.calls.push(call)
    const hooked = await server.hook(call)
    if (hooked instanceof Error) throw hooked
    if (hooked) return hooked
    if (path === '/photos') {
      if (!server.photos.has(uuid)) server.photos.set(uuid, server.photos.size + 1)
      return answer(201, { id: server.photos.get(uuid), client_uuid: uuid })
    }
    if (path === '/inspections') {
      const again = server.inspections.has(uuid)
      server.inspections.set(uuid, body)
      return answer(again ? 200 : 201, {
        id: [...server.inspections.keys()].indexOf(uuid) + 1,
        client_uuid: uuid,
        failed_count: 0,
        presence: { score: 30, status: 'doubtful', reasons: [] },
        tickets: [],
      })
    }
    return problem(404, { detail: 'not found' })
  }
  server.of = (path) => server.calls.filter((c) => c.path === path)
  return server
}
