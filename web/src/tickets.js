// How tickets look in lists: status colours, due times. (No network here: see api.js.)

export const STATUS_TAG = {
  new: 'danger',
  accepted: 'primary',
  in_progress: 'primary',
  resolved: 'warning',
  verified: 'success',
  reopened: 'danger',
  closed: 'default',
}

/** {key, params} for a due time: overdue by / due in, in hours or minutes. */
export function dueInfo(ticket) {
  if (ticket.close_due_in_seconds == null) return null
  const s = ticket.close_due_in_seconds
  const abs = Math.abs(s)
  const amount = abs >= 86400 ? { n: Math.floor(abs / 86400), unit: 'd' } : abs >= 3600 ? { n: Math.floor(abs / 3600), unit: 'h' } : { n: Math.max(1, Math.floor(abs / 60)), unit: 'm' }
  return { key: s < 0 ? 'ticket.overdueBy' : 'ticket.dueIn', unit: amount.unit, n: amount.n }
}

// The phone's guess of a ticket after a step it queued offline, so the next step can be taken
// in the basement too; the server decides when the steps arrive, in order.
const AFTER = { accept: 'accepted', start: 'in_progress', resolve: 'resolved', verify: 'verified', reopen: 'reopened', close: 'closed', reassign: 'new' }
const NEXT = {
  new: ['accept'],
  reopened: ['accept', 'start'],
  accepted: ['start', 'resolve'],
  in_progress: ['resolve'],
  resolved: ['verify', 'reopen'],
  verified: ['close', 'reopen'],
}
const BY_ROLE = {
  staff: ['accept', 'start', 'resolve', 'delay', 'comment'],
  assistant: ['accept', 'start', 'resolve', 'comment'], // what was dispatched to them
  frontdesk: ['verify', 'reopen', 'close', 'comment'],
  supervisor: ['verify', 'reopen', 'close', 'comment'],
  admin: ['verify', 'reopen', 'close', 'comment'],
}

// 回访 ratings at or below this are not satisfied: the server reopens the report, never closes it.
const UNHAPPY_RATING = 2

/** Tell whether a queued close of a resident's report will send it back instead. */
function unhappyCallBack(ticket, action, body) {
  if (action !== 'close' || ticket.kind !== 'complaint') return false
  return body.callback_satisfied === false || (body.callback_rating != null && body.callback_rating <= UNHAPPY_RATING)
}

/** The ticket as it will be once a queued step is taken (status and the steps then open). */
export function afterQueued(ticket, action, role, body = {}) {
  const status = unhappyCallBack(ticket, action, body) ? 'reopened' : AFTER[action] || ticket.status
  const mine = BY_ROLE[role] || ['comment']
  const next = [...(NEXT[status] || []), 'comment'].filter((a) => mine.includes(a))
  return { ...ticket, status, allowed_actions: next, queued: true }
}
