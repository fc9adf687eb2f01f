import { describe, expect, it } from 'vitest'
import { networkPolicy } from './ssrf.ts'

describe('networkPolicy, zone ids', () => {
  const policy = networkPolicy()

  it('drops a zone id before checking, as before', () => {
    expect(policy.allowed('fe80::1%eth0')).toBe(false)
    expect(policy.allowed('2606:4700:4700::1111%eth0')).toBe(true)
    expect(policy.allowed('8.8.8.8')).toBe(true)
  })

  it('answers a long run of `%` at once (`/%.*$/` was quadratic on it when a line break followed)', () => {
    const started = performance.now()
    expect(policy.allowed(`${'%'.repeat(30_000)}\n`)).toBe(false)
    expect(policy.allowed(`::1${'%'.repeat(30_000)}\nx`)).toBe(false)
    expect(performance.now() - started).toBeLessThan(50)
  })
})
