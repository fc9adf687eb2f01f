import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { MootaMutationInput } from '../api/moota/presenters.ts'
import { parseRupiah } from '../shared/money.ts'
import { parseWhen } from '../shared/time.ts'
import { mootaSignature } from './sign.ts'
import { TEST_AMOUNT, testMutation, webhookBody, webhookMutation } from './payload.ts'

const fixture = (path: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url), 'utf8'))

// Test vector 1 (reference/moota-api.md §6.3): a delivery recorded by Moota itself, signed with webhook 1's secret.
const history = fixture('moota-api/Webhook/MockingWebhookHistoryResponse.json').data[0]
const SECRET_1 = 'FcZnoVBN'

/** The ledger row behind the recorded payload, every value taken from the fixture's own fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are arbitrary JSON, read loosely in tests
function rowOf(p: Record<string, any>): MootaMutationInput {
  const b = p.bank
  return {
    publicId: p.mutation_id,
    type: p.type,
    amount: parseRupiah(p.amount),
    balance: parseRupiah(p.balance),
    description: p.description,
    note: p.note,
    occurredAt: parseWhen(p.date),
    createdAt: parseWhen(p.created_at),
    updatedAt: parseWhen(p.updated_at),
    taggings: p.taggings,
    account: {
      id: '1',
      publicId: b.bank_id,
      kind: 'bank',
      bankType: b.bank_type,
      accountNumber: b.account_number,
      holderName: b.atas_nama,
      label: b.label,
      refreshMinutes: b.interval_refresh,
      active: b.is_active,
      sandbox: false,
      settings: { password: 'never shown' },
      nextSyncAt: parseWhen(b.next_queue),
      createdAt: parseWhen(b.created_at),
      balance: parseRupiah(b.balance),
      lastUpdate: parseWhen(b.last_update),
      crawler: {
        username: b.username,
        dateFrom: parseWhen(b.date_from),
        dateTo: parseWhen(b.date_to),
        recurredAt: parseWhen(b.recurred_at),
      },
    },
  }
}

describe('webhookBody', () => {
  it("reproduces Moota's signed delivery (test vector 1) byte for byte from the mutation row", () => {
    const body = webhookBody([rowOf(history.payload[0])])
    expect(body.toString('utf8')).toBe(JSON.stringify(history.payload))
    expect(mootaSignature(SECRET_1, body)).toBe(history.headers.Signature)
    expect(mootaSignature(SECRET_1, body)).toBe('48fd0e1eecf65f66196aa1e37a68b0139f8cf29bc5788dd63be6a6b5057cf166')
  })

  it("writes amount and balance as numbers, in Moota's key order, without Lunas' extras", () => {
    const row = rowOf(history.payload[0])
    const m = JSON.parse(
      webhookBody([{ ...row, amount: 379946089n, balance: 50n, account: { ...row.account, crawler: undefined } }])
        .toString('utf8'),
    )[0]
    expect(m.amount).toBe(3799460.89)
    expect(m.balance).toBe(0.5)
    expect(Object.keys(m)).toEqual([
      'account_number', 'date', 'description', 'note', 'amount', 'type', 'balance', 'updated_at', 'created_at',
      'mutation_id', 'token', 'bank_id', 'taggings', 'bank',
    ])
    expect(m.bank).not.toHaveProperty('sandbox')
    expect(m.bank).toMatchObject({ username: '', date_from: null, recurred_at: null, balance: '100123.00' })
    expect(JSON.stringify(m)).not.toContain('never shown')
  })

  it('writes a missing balance as 0, tags as Moota does, and PHP-escapes text', () => {
    const row = rowOf(history.payload[0])
    const text = webhookBody([
      { ...row, balance: null, description: 'TRSF 11/10 Café', taggings: [{ name: 'lunas', tagId: 'M1Z6zK0jJDY' }] },
    ]).toString('utf8')
    expect(text).toContain('"description":"TRSF 11\\/10 Caf\\u00e9"')
    expect(text).toContain('"balance":0,')
    expect(text).toContain('"taggings":[{"name":"lunas","tag_id":"M1Z6zK0jJDY"}]')
    expect(text.startsWith('[{') && text.endsWith('}}]')).toBe(true)
  })

  it('sends several mutations as one array', () => {
    const row = rowOf(history.payload[0])
    const list = JSON.parse(webhookBody([row, { ...row, publicId: 'Arz6JMxm6zK' }]).toString('utf8'))
    expect(list.map((m: { mutation_id: string }) => m.mutation_id)).toEqual(['aolk4PekJxM', 'Arz6JMxm6zK'])
  })
})

describe('webhookMutation', () => {
  it('takes dates and the bank from the API presenter', () => {
    const m = webhookMutation(rowOf(history.payload[0]))
    expect(m.date).toBe('2021-10-05 10:25:16')
    expect(m.bank.last_update).toBe('2021-09-24T03:46:57.000000Z')
    expect(m.token).toBe(m.mutation_id)
  })
})

describe('testMutation', () => {
  it("is Moota's Test Webhook: a credit of Rp10.000 with a fresh id", () => {
    const account = rowOf(history.payload[0]).account
    const now = new Date('2026-11-22T03:30:00Z')
    const m = JSON.parse(webhookBody([testMutation({ account, publicId: 'T3stT3stT3s', now })]).toString('utf8'))[0]
    expect(TEST_AMOUNT).toBe(1_000_000n)
    expect(m).toMatchObject({
      amount: 10000,
      type: 'CR',
      balance: 100123,
      mutation_id: 'T3stT3stT3s',
      token: 'T3stT3stT3s',
      date: '2026-11-22 10:30:00',
      bank_id: 'VLagzqBj42D',
    })
  })
})
