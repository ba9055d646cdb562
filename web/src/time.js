// Times as the property keeps them. Every time the phone shows is the property's wall time
// (Asia/Shanghai for the demo), whatever zone the phone itself is set to: a window of 08:30–17:30
// reads 08:30–17:30 on a phone left in UTC. What the phone sends stays an instant with its
// offset (util.js isoLocal), which is right in any zone.

let zone = null // the property's IANA zone; null: none known yet, the device's own zone

/** Show times in this zone from now on (the user's property's `timezone`; null: the device's). */
export function setPropertyZone(tz) {
  zone = tz && validZone(tz) ? tz : null
}

/** The zone times are shown in (null: the device's). */
export function propertyZone() {
  return zone
}

function validZone(tz) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false // a zone this browser does not know: better the device's time than nothing
  }
}

const formatters = new Map()

/** The wall clock of an instant in a zone: {year, month, day, hour, minute, second}, numbers. */
export function wallClock(date, tz = zone) {
  const key = tz || ''
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz || undefined,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(key, f)
  }
  const out = {}
  for (const p of f.formatToParts(toDate(date))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value)
  }
  if (out.hour === 24) out.hour = 0 // engines that still count midnight as 24 in h23
  return out
}

function toDate(value) {
  return value instanceof Date ? value : new Date(value)
}

const pad = (n) => String(n).padStart(2, '0')

/** The time of day of an instant in the property's zone: 08:30. */
export function hm(iso, tz = zone) {
  if (!iso) return ''
  const w = wallClock(iso, tz)
  return `${pad(w.hour)}:${pad(w.minute)}`
}

/** A plan window in the property's zone: 08:30–17:30; one ending at the next midnight ends at 24:00. */
export function windowText(startIso, endIso, tz = zone) {
  let end = hm(endIso, tz)
  if (end === '00:00' && Date.parse(endIso) - Date.parse(startIso) >= 3600000) end = '24:00'
  return `${hm(startIso, tz)}–${end}`
}

/** The property's day of an instant: 2027-03-10. */
export function dayOf(date = new Date(), tz = zone) {
  const w = wallClock(date, tz)
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`
}

/** A short date-time for lists: 03-01 08:30 (with the year when not the property's this year). */
export function shortTime(iso, tz = zone, now = new Date()) {
  if (!iso) return ''
  const w = wallClock(iso, tz)
  const md = `${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`
  return w.year === wallClock(now, tz).year ? md : `${w.year}-${md}`
}

/** A full date and time for records (the audit log), in the property's zone and the user's language. */
export function dateTime(iso, locale, tz = zone) {
  if (!iso) return ''
  return toDate(iso).toLocaleString(locale, { timeZone: tz || undefined, hour12: false })
}

/** Today's date as a heading in the property's zone: 3月10日周三 / Wed, March 10. */
export function dayTitle(locale, date = new Date(), tz = zone) {
  return date.toLocaleDateString(locale, {
    timeZone: tz || undefined,
    month: 'long',
    day: 'numeric',
    weekday: 'short',
  })
}

// How far the zone's wall clock is ahead of UTC at an instant, in ms.
function offsetMs(ms, tz) {
  const w = wallClock(new Date(ms), tz)
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  return wall - Math.floor(ms / 1000) * 1000
}

/** The instant a wall time (y, m, d, h, min) happens in the property's zone. */
export function fromWallClock(year, month, day, hour = 0, minute = 0, tz = zone) {
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  // The offset at the guess, then at the corrected instant: right across a DST change too.
  let ms = wall - offsetMs(wall, tz)
  ms = wall - offsetMs(ms, tz)
  return new Date(ms)
}

/** The start of the property's day (its midnight) that an instant falls in. */
export function startOfDay(date = new Date(), tz = zone) {
  const w = wallClock(date, tz)
  return fromWallClock(w.year, w.month, w.day, 0, 0, tz)
}

/** A datetime-local input's value (2027-03-10T18:00) read as the property's wall time. */
export function fromLocalInput(value, tz = zone) {
  const m = String(value || '').match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/)
  if (!m) return null
  return fromWallClock(+m[1], +m[2], +m[3], +m[4], +m[5], tz)
}
