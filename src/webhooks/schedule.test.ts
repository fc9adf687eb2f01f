import { describe, expect, it } from 'vitest'
import { DEFAULT_SCHEDULE, decide, failingTooLong, parseSchedule, retryAfterMs } from './schedule.ts'

const now = new Date('2026-11-20T03:00:00Z')
const S = parseSchedule(DEFAULT_SCHEDULE)
const mid = () => 0.5 // no jitter
const at = (ms: number) => ({ kind: 'retry', at: new Date(now.getTime() + ms) })

describe('parseSchedule', () => {
  it('reads the default as ten attempts over about 3.1 days', () => {
    expect(S).toHaveLength(9)
    expect(S[0]).toBe(5000)
    const total = S.reduce((a, b) => a + b, 0)
    expect(total / 86_400_000).toBeCloseTo(3.15, 1)
  })
  it('refuses what it cannot read', () => {
    expect(() => parseSchedule('5s,,2h')).toThrow(/not a delay/)
    expect(() => parseSchedule('5x')).toThrow(/not a delay/)
    expect(() => parseSchedule('0s')).toThrow(/longer than zero/)
  })
})

describe('decide', () => {
  it('treats any 2xx as success', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(decide({ status }, 1, S, now).kind).toBe('succeeded')
  })
  it('follows the schedule, then gives up', () => {
    expect(decide({ status: 500 }, 1, S, now, mid)).toEqual(at(5000))
    expect(decide({ status: 302 }, 2, S, now, mid)).toEqual(at(300_000))
    expect(decide({ error: 'ECONNREFUSED' }, 9, S, now, mid)).toEqual(at(86_400_000))
    expect(decide({ status: 500 }, 10, S, now, mid)).toEqual({ kind: 'exhausted' })
  })
  it('spreads retries by ±20 %', () => {
    expect(decide({ status: 500 }, 2, S, now, () => 0)).toEqual(at(240_000))
    expect(decide({ status: 500 }, 2, S, now, () => 0.999_999)).toEqual(at(360_000))
  })
  it('disables on 410 Gone', () => {
    expect(decide({ status: 410 }, 1, S, now)).toEqual({ kind: 'disable' })
  })
  it('waits at least a minute for a receiver that is rate limiting or timing out', () => {
    expect(decide({ status: 429 }, 1, S, now, mid)).toEqual(at(60_000))
    expect(decide({ timedOut: true, error: 'timeout' }, 1, S, now, mid)).toEqual(at(60_000))
  })
  it('honours Retry-After in seconds or as a date, up to a day', () => {
    expect(decide({ status: 503, retryAfter: '120' }, 1, S, now, mid)).toEqual(at(120_000))
    expect(decide({ status: 429, retryAfter: new Date(now.getTime() + 600_000).toUTCString() }, 1, S, now, mid)).toEqual(
      at(600_000),
    )
    expect(decide({ status: 503, retryAfter: '9999999' }, 1, S, now, mid)).toEqual(at(86_400_000))
    // Never sooner than the schedule says.
    expect(decide({ status: 500, retryAfter: '1' }, 2, S, now, mid)).toEqual(at(300_000))
  })
})

describe('retryAfterMs', () => {
  it('ignores what it cannot read', () => {
    expect(retryAfterMs(undefined, now)).toBeNull()
    expect(retryAfterMs('soon', now)).toBeNull()
    expect(retryAfterMs(' 30 ', now)).toBe(30_000)
  })
})

describe('failingTooLong', () => {
  it('is true once the window has passed since the first failure after a success', () => {
    const day = 86_400_000
    expect(failingTooLong(null, now, 5 * day)).toBe(false)
    expect(failingTooLong(new Date(now.getTime() - 5 * day + 1), now, 5 * day)).toBe(false)
    expect(failingTooLong(new Date(now.getTime() - 5 * day), now, 5 * day)).toBe(true)
  })
})
