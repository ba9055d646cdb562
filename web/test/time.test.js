// Times shown in the property's zone, whatever zone the phone is set to (vitest runs in the
// machine's zone: these expectations hold in UTC, Shanghai or New York alike).
import { afterEach, describe, expect, it } from 'vitest'
import {
  dayOf,
  fromLocalInput,
  hm,
  propertyZone,
  setPropertyZone,
  shortTime,
  startOfDay,
  windowText,
} from '../src/time.js'
import { localMidnight, shortTime as utilShortTime } from '../src/util.js'

const SH = 'Asia/Shanghai'

afterEach(() => setPropertyZone(null))

describe('a Shanghai property', () => {
  it('shows a UTC instant as Shanghai wall time', () => {
    expect(hm('2027-03-10T00:30:00Z', SH)).toBe('08:30')
    expect(hm('2027-03-10T09:30:00.000Z', SH)).toBe('17:30')
    expect(windowText('2027-03-10T00:30:00Z', '2027-03-10T09:30:00Z', SH)).toBe('08:30–17:30')
  })

  it('ends a window at the next midnight at 24:00, and starts one at 00:00', () => {
    // 00:00 to 24:00 Shanghai on 10 March is 16:00 UTC on the 9th to 16:00 UTC on the 10th.
    expect(windowText('2027-03-09T16:00:00Z', '2027-03-10T16:00:00Z', SH)).toBe('00:00–24:00')
    expect(windowText('2027-03-10T13:00:00Z', '2027-03-10T16:00:00Z', SH)).toBe('21:00–24:00')
    // A zero-length or short window at midnight is a time, not a day's end.
    expect(windowText('2027-03-10T15:30:00Z', '2027-03-10T16:00:00Z', SH)).toBe('23:30–00:00')
  })

  it('puts an instant just after UTC midnight on the Shanghai day it is', () => {
    // 23:59 UTC on 31 December is already 07:59 on New Year's Day in Shanghai.
    expect(dayOf(new Date('2026-12-31T23:59:00Z'), SH)).toBe('2027-01-01')
    expect(shortTime('2026-12-31T23:59:00Z', SH, new Date('2027-01-01T02:00:00Z'))).toBe('01-01 07:59')
    // Seen from the year before (Shanghai time), the year is shown.
    expect(shortTime('2026-12-31T23:59:00Z', SH, new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01 07:59')
    expect(shortTime('2026-12-31T16:00:00Z', SH, new Date('2027-01-01T02:00:00Z'))).toBe('01-01 00:00')
  })

  it("starts the property's day at its midnight, not the phone's", () => {
    expect(startOfDay(new Date('2027-03-10T02:17:00Z'), SH).toISOString()).toBe('2027-03-09T16:00:00.000Z')
    expect(startOfDay(new Date('2027-03-09T16:00:00Z'), SH).toISOString()).toBe('2027-03-09T16:00:00.000Z')
    expect(startOfDay(new Date('2027-03-09T15:59:59Z'), SH).toISOString()).toBe('2027-03-08T16:00:00.000Z')
  })

  it('reads a typed date-time as the property time', () => {
    expect(fromLocalInput('2027-03-10T18:00', SH).toISOString()).toBe('2027-03-10T10:00:00.000Z')
    expect(fromLocalInput('', SH)).toBeNull()
  })
})

describe("the phone's zone", () => {
  it('follows the property once it is known, for every call site', () => {
    setPropertyZone(SH)
    expect(propertyZone()).toBe(SH)
    expect(hm('2027-03-10T00:30:00Z')).toBe('08:30')
    expect(utilShortTime('2027-03-10T00:30:00Z')).toMatch(/^(2027-)?03-10 08:30$/)
    expect(localMidnight(new Date('2027-03-10T02:17:00Z')).toISOString()).toBe('2027-03-09T16:00:00.000Z')
  })

  it('keeps a New York property on its own wall time across the DST change', () => {
    const NY = 'America/New_York'
    expect(hm('2027-03-14T06:30:00Z', NY)).toBe('01:30') // EST, UTC−5
    expect(hm('2027-03-14T07:30:00Z', NY)).toBe('03:30') // EDT, UTC−4
    expect(startOfDay(new Date('2027-03-14T20:00:00Z'), NY).toISOString()).toBe('2027-03-14T05:00:00.000Z')
    expect(fromLocalInput('2027-03-14T12:00', NY).toISOString()).toBe('2027-03-14T16:00:00.000Z')
  })

  it('falls back to the device zone for an unknown zone name', () => {
    setPropertyZone('Mars/Olympus')
    expect(propertyZone()).toBeNull()
    expect(hm('2027-03-10T00:30:00Z')).toMatch(/^\d\d:30$/)
  })
})
