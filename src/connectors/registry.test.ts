import { describe, expect, it } from 'vitest'
import type { Account } from '../accounts/accounts.ts'
import { BANK_TYPES } from '../accounts/bank-types.ts'
import { connectorFor, listConnectors, polledBankTypes } from './registry.ts'
import { sandboxFeed } from './sandbox/feed.ts'

const account = (bankType: string, settings: Record<string, unknown> = {}) =>
  ({ bankType, settings }) as Account

describe('connector registry', () => {
  it('finds the sandbox feed for sandbox banks whose feed is on', () => {
    expect(connectorFor(account('sandbox', { feed: {} }))).toBe(sandboxFeed)
    expect(connectorFor(account('sandboxVA', { feed: {} }))).toBe(sandboxFeed)
    expect(connectorFor(account('sandbox'))).toBeNull()
  })

  it('has nothing to poll for cash and for sources that push or import', () => {
    for (const type of ['cash', 'bca', 'qris', 'gojek'])
      expect(connectorFor(account(type, { feed: {} }))).toBeNull()
    expect(polledBankTypes().sort()).toEqual(['sandbox', 'sandboxVA'])
  })

  it('lists only connectors for known bank types', () => {
    const known = new Set(BANK_TYPES.map((b) => b.id))
    for (const c of listConnectors()) for (const type of c.bankTypes) expect(known.has(type)).toBe(true)
  })
})
