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
