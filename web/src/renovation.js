// Units under renovation today and whether each was checked (装修单元今日巡查).
import { api } from './api.js'
import * as db from './db.js'
import { session } from './session.js'
import { isoLocal, localMidnight } from './util.js'

// Demo labels made before units had door checkpoints carry no unit_id: match by building and
// the number in their name (A幢 302 装修单元) or location (A幢302室).
function sameUnit(cp, unit) {
  if (cp.unit_id != null || cp.zone_id !== unit.zone_id) return false
  return cp.name_zh.includes(` ${unit.number} `) || (cp.location || '').endsWith(`${unit.number}室`)
}

/** Today's units under renovation in the user's properties, each `checked` or not.
 *  mine: only the user's own checks count (the inspector's list), including those still
 *  waiting in the outbox; otherwise anyone's check counts (the supervisor's coverage). */
export async function renovationToday({ mine }) {
  const since = localMidnight()
  const rows = []
  for (const p of session.user?.properties || []) {
    const [list, checkpoints] = await Promise.all([
      api.renovatingUnits(p.id),
      api.renovationCheckpoints(p.id),
    ])
    for (const u of list) {
      const cp = checkpoints.find((c) => c.unit_id === u.id) || checkpoints.find((c) => sameUnit(c, u))
      rows.push({ ...u, checkpoint: cp || null, checked: false })
    }
  }
  const params = { from: isoLocal(since) }
  if (mine) params.user_id = 'me'
  const inspections = await api.inspections(params)
  const doneIds = new Set(inspections.map((r) => r.checkpoint_id))
  const doneCodes = new Set(inspections.map((r) => r.checkpoint?.code || r.code))
  if (mine) {
    for (const r of await db.listDoneSince(since.getTime())) {
      if (r.user_id === session.user?.id) doneCodes.add(r.code)
    }
  }
  for (const row of rows) {
    const cp = row.checkpoint
    row.checked = !!cp && (doneIds.has(cp.id) || doneCodes.has(cp.code))
  }
  return rows
}
