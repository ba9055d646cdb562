// The one module that talks to the network: the Flask API under /api/v1.

export const BASE = '/api/v1'
const JSON_TIMEOUT_MS = 20000
const UPLOAD_TIMEOUT_MS = 90000

/** The server answered with a problem (4xx/5xx, application/problem+json). */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail_en || problem.detail)) || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem || {}
  }

  /** A client error the same request will always get again (not 401, 408, 429). */
  get permanent() {
    return this.status >= 400 && this.status < 500 && ![401, 408, 429].includes(this.status)
  }
}

/** The request never got an answer: offline, DNS, timeout, server down. */
export class NetworkError extends Error {
  constructor(cause) {
    super('network error')
    this.name = 'NetworkError'
    this.cause = cause
  }
}

function query(params) {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') qs.append(k, String(v))
  }
  const s = qs.toString()
  return s ? `?${s}` : ''
}

/** `asUser`: the id of the person the request is made for; the server refuses it (409
 *  session_user_mismatch) when this browser's session is someone else's. */
export async function request(method, path, { json, form, params, timeout = JSON_TIMEOUT_MS, asUser } = {}) {
  const headers = { Accept: 'application/json' }
  if (asUser) headers['X-Patrol-User'] = String(asUser)
  let body
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(json)
  } else if (form) {
    body = form
  }
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeout)
  let resp
  try {
    resp = await fetch(BASE + path + query(params), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: controller.signal,
    })
  } catch (err) {
    throw new NetworkError(err)
  } finally {
    clearTimeout(timer)
  }
  if (resp.status === 204) return null
  let data = null
  const type = resp.headers.get('Content-Type') || ''
  if (type.includes('json')) {
    try {
      data = await resp.json()
    } catch (err) {
      if (resp.ok) throw new NetworkError(err)
    }
  }
  if (!resp.ok) {
    // A proxy's HTML error page or a cut connection: nothing the client did wrong.
    if (!data && resp.status < 500 && ![401, 403, 404].includes(resp.status)) {
      throw new NetworkError(new Error(`HTTP ${resp.status}`))
    }
    throw new ApiError(resp.status, data)
  }
  return data
}

/** Every page of a paginated list ({items, total, page, per_page}). */
export async function allPages(path, params) {
  const perPage = 500
  const items = []
  for (let page = 1; ; page++) {
    const data = await request('GET', path, { params: { ...params, page, per_page: perPage } })
    items.push(...data.items)
    if (items.length >= data.total || data.items.length < perPage) return items
  }
}

export const api = {
  login: (username, password, extra = {}) => request('POST', '/auth/login', { json: { username, password, ...extra } }),
  resume: (key) => request('POST', '/auth/resume', { json: { key } }),
  logout: () => request('POST', '/auth/logout'),
  me: () => request('GET', '/me'),
  changePassword: (body) => request('POST', '/me/password', { json: body }),
  vocab: () => request('GET', '/vocab'),

  checkpoints: (propertyId) => allPages('/checkpoints', { property_id: propertyId, active: true }),
  checklists: (propertyId) => allPages('/checklists', { property_id: propertyId }),
  checkpointByCode: (code, label) =>
    request('GET', `/checkpoints/by-code/${encodeURIComponent(code)}`, { params: label }),
  departments: (propertyId) => allPages('/departments', { property_id: propertyId, active: true }),
  zones: (propertyId) => allPages('/zones', { property_id: propertyId, active: true }),
  units: (zoneId) => allPages('/units', { zone_id: zoneId, active: true }),

  inspections: (params) => allPages('/inspections', params),

  uploadPhoto(blob, clientUuid, propertyId, takenAt, asUser) {
    const form = new FormData()
    const name = blob.name || (blob.type === 'image/jpeg' ? 'photo.jpg' : 'photo')
    form.append('file', blob, name)
    form.append('client_uuid', clientUuid)
    if (propertyId) form.append('property_id', String(propertyId))
    if (takenAt) form.append('file_modified_at', takenAt)
    return request('POST', '/photos', { form, timeout: UPLOAD_TIMEOUT_MS, asUser })
  },
  submitInspection: (body, asUser) => request('POST', '/inspections', { json: body, asUser }),

  // Proof of presence: the supervisors' review queue.
  reviewQueue: (params) => request('GET', '/presence/review', { params: { per_page: 50, ...params } }),
  reviewCase: (id) => request('GET', `/presence/review/${id}`),
  review: (id, body) => request('POST', `/inspections/${id}/review`, { json: body }),
  photoThumbUrl: (id) => `${BASE}/photos/${id}/thumb`,
  photoDisplayUrl: (id) => `${BASE}/photos/${id}/display`,

  tickets: (params) => request('GET', '/tickets', { params: { per_page: 100, ...params } }),
  ticket: (id) => request('GET', `/tickets/${id}`),
  inbox: (params) => request('GET', '/inbox', { params: { per_page: 100, ...params } }),
  inboxUnread: () => request('GET', '/inbox/unread'),
  inboxRead: (id) => request('POST', `/inbox/${id}/read`),
  inboxReadAll: () => request('POST', '/inbox/read-all'),
  customerReportsUrl: (params) => `${BASE}/tickets/customer-reports.xlsx?${new URLSearchParams(params)}`,
  daily: (params) => request('GET', '/tickets/daily', { params }),
  myTasks: (params) => request('GET', '/tickets/mine', { params: { per_page: 100, ...params } }),
  ticketCandidates: (id, departmentId) =>
    request('GET', `/tickets/${id}/candidates`, { params: departmentId ? { department_id: departmentId } : {} }),
  ticketStep: (id, body, asUser) => request('POST', `/tickets/${id}/events`, { json: body, asUser }),
  createTicket: (body, asUser) => request('POST', '/tickets', { json: body, asUser }),

  // Renovation (装修): units, permits, deposits, notices.
  renovatingUnits: (propertyId) => allPages('/units', { property_id: propertyId, status: 'renovating' }),
  renovationCheckpoints: (propertyId) =>
    allPages('/checkpoints', { property_id: propertyId, kind: 'renovation_unit', active: true }),
  unit: (id) => request('GET', `/units/${id}`),
  unitHistory: (id) => request('GET', `/units/${id}/history`),
  permits: (params) => request('GET', '/permits', { params: { per_page: 100, ...params } }),
  permitStep: (id, body) => request('POST', `/permits/${id}/steps`, { json: body }),
  permitLedger: (id) => request('GET', `/permits/${id}/ledger`),
  noticePdfUrl: (ticketId) => `${BASE}/tickets/${ticketId}/notice.pdf`,

  // Plans (巡查计划): my expected visits of today and hand-over notes (交接).
  mySlots: () => request('GET', '/slots/mine'),
  myHandovers: () => request('GET', '/handovers/mine'),
  createHandover: (body) => request('POST', '/handovers', { json: body }),
  ackHandover: (id) => request('POST', `/handovers/${id}/ack`),

  // Coverage (巡查覆盖率) for supervisors: figures, heatmap, missed slots, ticket SLA, exports.
  coverage: (params) => request('GET', '/coverage', { params }),
  coverageGrid: (params) => request('GET', '/coverage/grid', { params }),
  missedSlots: (params) => request('GET', '/coverage/missed', { params: { per_page: 50, ...params } }),
  excuseSlot: (id, reason) => request('POST', `/slots/${id}/excuse`, { json: { reason } }),
  ticketFigures: (params) => request('GET', '/coverage/tickets', { params }),
  exportUrl: (name, params) => `${BASE}/coverage/${name}${query(params)}`,
}

/** The problem's per-field messages as text; a rule the server broke on one field (not a
 *  schema check, whose words are English only) reads in the user's language. */
export function fieldErrors(err, locale) {
  if (!(err instanceof ApiError)) return {}
  const p = err.problem
  const entries = Object.entries(p.errors || {})
  const detail = locale === 'en' ? p.detail_en : p.detail_zh
  const own = entries.length === 1 && !String(p.code || '').startsWith('http_') && detail
  const text = (msgs) => [].concat(msgs).map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ')
  return Object.fromEntries(entries.map(([k, msgs]) => [k, own ? detail : text(msgs)]))
}

/** The server's message for an error in the user's language, or a generic one. */
export function problemText(err, locale, t) {
  if (err instanceof ApiError) {
    const p = err.problem
    const text = locale === 'en' ? p.detail_en || p.detail : p.detail_zh || p.detail
    const fields = p.errors ? Object.entries(p.errors) : []
    const extra = fields.length && fields.length <= 3
      ? fields.map(([f, msgs]) => `${f}: ${[].concat(msgs).join(' ')}`).join('; ')
      : ''
    if (text && extra && !text.includes(extra)) return `${text} (${extra})`
    return text || extra || t('errors.http', { status: err.status })
  }
  if (err instanceof NetworkError) return t('errors.network')
  return t('errors.unexpected', { message: String(err && err.message) })
}
