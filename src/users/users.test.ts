import { describe, expect, it } from 'vitest'
import { isAppError } from '../shared/errors.ts'
import { MAX_EMAIL, normalizeEmail } from './users.ts'

function rejection(email: string): unknown {
  try {
    normalizeEmail(email)
  } catch (err) {
    return err
  }
  return undefined
}

describe('normalizeEmail', () => {
  it('trims and lowercases an address', () => {
    expect(normalizeEmail('  Budi@Example.CO.ID ')).toBe('budi@example.co.id')
    expect(normalizeEmail('a.b+tag@sub.example.test')).toBe('a.b+tag@sub.example.test')
  })

  it.each(['', 'budi', 'budi@', '@example.id', 'budi@example', 'budi@.id', 'budi@example.', 'a@b@c.id', 'bu di@x.id', 'budi@ex\u00a0ample.id'])(
    'refuses %j',
    (email) => {
      const err = rejection(email)
      expect(isAppError(err) && err.field).toBe('email')
    },
  )

  it(`accepts ${MAX_EMAIL} characters and refuses more, without echoing the input`, () => {
    const longest = `${'a'.repeat(MAX_EMAIL - 11)}@example.id`
    expect(longest.length).toBe(MAX_EMAIL)
    expect(normalizeEmail(longest)).toBe(longest)
    const err = rejection(`a${longest}`)
    expect(isAppError(err) && err.field).toBe('email')
    expect((err as Error).message.length).toBeLessThan(200)
  })

  it('answers a 100 KB hostile address at once (the regex it replaced was quadratic on it)', () => {
    for (const hostile of [`a@${'.'.repeat(100_000)}@`, `a@${'.'.repeat(100_000)} x`, `${'a'.repeat(100_000)}@b`]) {
      const started = performance.now()
      expect(isAppError(rejection(hostile))).toBe(true)
      expect(performance.now() - started).toBeLessThan(20)
    }
  })
})
