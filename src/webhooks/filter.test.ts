import { describe, expect, it } from 'vitest'
import { type EndpointFilter, matchesMutation, type MutationFacts, uniqueCodeOf, wantsEvent } from './filter.ts'

const all: EndpointFilter = {
  accountId: null,
  accountSandbox: false,
  sandbox: false,
  kinds: 'both',
  startUniqueCode: 0,
  endUniqueCode: 999,
  eventTypes: ['mutation.created'],
  format: 'moota',
}
const cr = (amount: bigint, over: Partial<MutationFacts> = {}): MutationFacts => ({
  accountId: '7',
  direction: 'CR',
  amount,
  sandbox: false,
  ...over,
})

describe('uniqueCodeOf', () => {
  it('takes the last three digits of the whole rupiah, ignoring sen', () => {
    expect(uniqueCodeOf(1_830_000n)).toBe(300) // Rp18.300
    expect(uniqueCodeOf(231_000n)).toBe(310) // Rp2.310
    expect(uniqueCodeOf(2_549_999n)).toBe(499) // Rp25.499,99
    expect(uniqueCodeOf(2_500_000n)).toBe(0) // Rp25.000
    expect(uniqueCodeOf(99_900n)).toBe(999)
  })
})

describe('matchesMutation', () => {
  it('gives an all-accounts endpoint the mutations of its own mode only', () => {
    expect(matchesMutation(all, cr(100_000n, { sandbox: true }))).toBe(false)
    expect(matchesMutation({ ...all, sandbox: true }, cr(100_000n, { sandbox: true }))).toBe(true)
    expect(matchesMutation({ ...all, sandbox: true }, cr(100_000n))).toBe(false)
    // A live endpoint that names a sandbox account still hears it, as before modes existed.
    expect(matchesMutation({ ...all, accountId: '7', accountSandbox: true }, cr(100_000n, { sandbox: true }))).toBe(true)
  })

  it('keeps the range edges inclusive: 0–999 includes amounts ending in 000, 1–999 leaves them out', () => {
    expect(matchesMutation(all, cr(2_500_000n))).toBe(true)
    expect(matchesMutation({ ...all, startUniqueCode: 1 }, cr(2_500_000n))).toBe(false)
    expect(matchesMutation({ ...all, startUniqueCode: 1 }, cr(100_100n))).toBe(true)
    expect(matchesMutation({ ...all, endUniqueCode: 998 }, cr(99_900n))).toBe(false)
    expect(matchesMutation({ ...all, startUniqueCode: 999 }, cr(99_900n))).toBe(true)
    expect(matchesMutation({ ...all, startUniqueCode: 300, endUniqueCode: 500 }, cr(1_830_000n))).toBe(true)
    expect(matchesMutation({ ...all, startUniqueCode: 300, endUniqueCode: 500 }, cr(2_550_000n))).toBe(true)
    expect(matchesMutation({ ...all, startUniqueCode: 300, endUniqueCode: 500 }, cr(2_550_100n))).toBe(false)
  })

  it('filters by direction', () => {
    expect(matchesMutation({ ...all, kinds: 'credit' }, cr(1000n, { direction: 'DB' }))).toBe(false)
    expect(matchesMutation({ ...all, kinds: 'debit' }, cr(1000n, { direction: 'DB' }))).toBe(true)
    expect(matchesMutation({ ...all, kinds: 'debit' }, cr(1000n))).toBe(false)
  })

  it('filters by account, and sends sandbox mutations only to an endpoint that names their account', () => {
    expect(matchesMutation({ ...all, accountId: '8' }, cr(1000n))).toBe(false)
    expect(matchesMutation({ ...all, accountId: '7' }, cr(1000n))).toBe(true)
    expect(matchesMutation(all, cr(1000n, { sandbox: true }))).toBe(false)
    expect(matchesMutation({ ...all, accountId: '7', accountSandbox: true }, cr(1000n, { sandbox: true }))).toBe(true)
  })

  it('needs the endpoint to subscribe to new mutations', () => {
    expect(matchesMutation({ ...all, format: 'lunas', eventTypes: ['endpoint.disabled'] }, cr(1000n))).toBe(false)
  })
})

describe('wantsEvent', () => {
  it('never sends anything but new mutations to a Moota-format endpoint', () => {
    expect(wantsEvent({ format: 'moota', eventTypes: ['mutation.created', 'endpoint.disabled'] }, 'endpoint.disabled')).toBe(false)
    expect(wantsEvent({ format: 'lunas', eventTypes: ['endpoint.disabled'] }, 'endpoint.disabled')).toBe(true)
    expect(wantsEvent({ format: 'lunas', eventTypes: ['mutation.created'] }, 'endpoint.disabled')).toBe(false)
  })
})
