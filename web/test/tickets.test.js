import { describe, expect, it } from 'vitest'
import { afterQueued } from '../src/tickets.js'

const report = { id: 1, kind: 'complaint', status: 'verified', allowed_actions: ['close', 'reopen'] }

describe('the phone\'s guess of a ticket after a step queued offline', () => {
  it('closes a resident\'s report called back satisfied', () => {
    expect(afterQueued(report, 'close', 'frontdesk', { callback_rating: 4 }).status).toBe('closed')
  })

  it('sends it back, not closed, when the call-back rates it 2 or less or says not satisfied', () => {
    for (const body of [{ callback_rating: 2 }, { callback_rating: 1 }, { callback_satisfied: false }]) {
      const after = afterQueued(report, 'close', 'frontdesk', body)
      expect(after.status).toBe('reopened')
      expect(after.queued).toBe(true)
    }
  })

  it('lets an assistant given a ticket go on with it', () => {
    const given = { id: 2, kind: 'complaint', status: 'new', allowed_actions: ['accept'] }
    expect(afterQueued(given, 'accept', 'assistant').allowed_actions).toEqual(['start', 'resolve', 'comment'])
  })
})
