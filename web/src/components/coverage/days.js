// Local days of a property (YYYY-MM-DD) and the colours of a coverage percentage.
import { dayOf } from '../../time.js'

/** Today (or the day of `date`) in a time zone, as YYYY-MM-DD (default: the property's). */
export function localDay(timeZone, date = new Date()) {
  return dayOf(date, timeZone || undefined)
}

/** A YYYY-MM-DD day moved by n days. */
export function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** The weekday (0 = Sunday) of a YYYY-MM-DD day. */
export function weekday(day) {
  return new Date(`${day}T00:00:00Z`).getUTCDay()
}

// Red below 60 %, amber to 80 %, light green to 95 %, green above; grey when nothing was due.
const SCALE = [
  [95, '#07c160', '#fff'],
  [80, '#95de64', '#1f2328'],
  [60, '#ffd666', '#1f2328'],
  [40, '#ff9c6e', '#1f2328'],
  [0, '#f5222d', '#fff'],
]

/** The background and text colour of a coverage percentage (null: nothing expected). */
export function heat(pct) {
  if (pct === null || pct === undefined) return { background: '#f2f3f5', color: '#969799' }
  const [, background, color] = SCALE.find(([min]) => pct >= min)
  return { background, color }
}

export const LEGEND = [
  { label: '≥95', pct: 95 },
  { label: '80–95', pct: 80 },
  { label: '60–80', pct: 60 },
  { label: '40–60', pct: 40 },
  { label: '<40', pct: 0 },
]

/** A percentage for display: 66.7 → "66.7%", null → "—". */
export function pctText(pct) {
  return pct === null || pct === undefined ? '—' : `${pct}%`
}
