import { describe, expect, it } from 'vitest'
import { fitWithin } from '../src/photoSize.js'

describe('the size a photo is shrunk to', () => {
  it('fits a 12 MP photo, either way up, within the long side', () => {
    expect(fitWithin(4000, 3000, 1600)).toEqual({ width: 1600, height: 1200, scale: 0.4 })
    expect(fitWithin(3000, 4000, 1600)).toEqual({ width: 1200, height: 1600, scale: 0.4 })
  })

  it('never enlarges a small picture', () => {
    expect(fitWithin(800, 600, 1600)).toEqual({ width: 800, height: 600, scale: 1 })
  })

  it('keeps a sliver at least one pixel wide', () => {
    expect(fitWithin(20000, 3, 1600).height).toBe(1)
  })
})
