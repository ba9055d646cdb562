// The back office's calls, through the one network module (../api.js).
import { ApiError, BASE, NetworkError, allPages, request } from '../api.js'

const q = (params) => {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params || {})) {
    for (const one of [].concat(v)) if (one !== undefined && one !== null && one !== '') qs.append(k, String(one))
  }
  const s = qs.toString()
  return s ? `?${s}` : ''
}

export const adminApi = {
  list: (resource, params) => allPages(`/${resource}`, params),
  get: (resource, id) => request('GET', `/${resource}/${id}`),
  create: (resource, body) => request('POST', `/${resource}`, { json: body }),
  update: (resource, id, body) => request('PATCH', `/${resource}/${id}`, { json: body }),
  remove: (resource, id) => request('DELETE', `/${resource}/${id}`),
  post: (path, body, params) => request('POST', path, { json: body, params }),
  put: (path, body) => request('PUT', path, { json: body }),
  getPath: (path, params) => request('GET', path, { params }),
  upload: (path, file, params) => {
    const form = new FormData()
    form.append('file', file, file.name)
    return request('POST', path, { form, params, timeout: 90000 })
  },
  /** A URL the browser downloads itself (PDF, xlsx), with repeated keys for lists. */
  url: (path, params) => BASE + path + q(params),
}

/** Fetch a file (PDF, xlsx, csv) and hand it to the browser as a download; problems throw. */
export async function download(url, filename) {
  let resp
  try {
    resp = await fetch(url, { credentials: 'same-origin' })
  } catch (err) {
    throw new NetworkError(err)
  }
  if (!resp.ok) {
    let problem = null
    try {
      problem = await resp.json()
    } catch {
      problem = null
    }
    throw new ApiError(resp.status, problem)
  }
  const disposition = resp.headers.get('Content-Disposition') || ''
  const named = /filename\*=UTF-8''([^;]+)/i.exec(disposition) || /filename="?([^";]+)"?/i.exec(disposition)
  const blob = await resp.blob()
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = named ? decodeURIComponent(named[1]) : filename
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(link.href), 60000)
}
