import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Account } from '../../accounts/accounts.ts'
import {
  addTestAccount,
  createTenant,
  jsonShape,
  mootaFixture,
  startTestServer,
  type Tenant,
  type TestServer,
  tokenWithScopes,
} from '../test-support.ts'
import { MOOTAPAY_NOT_AVAILABLE, OTP_NOT_USED, TOPUP_NOT_NEEDED, VOUCHER_NOT_NEEDED } from './moota-billing.ts'

let t: TestServer
let a: Tenant
let b: Tenant
let aBank: Account
let bBank: Account

beforeAll(async () => {
  t = await startTestServer()
  a = await createTenant(t.app.db)
  b = await createTenant(t.app.db)
  aBank = await addTestAccount(t.app.db, a.workspace, 'bca')
  bBank = await addTestAccount(t.app.db, b.workspace, 'bca')
})
afterAll(() => t?.close())

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON, read loosely
type Json = any

async function call(method: string, path: string, opts: { json?: unknown; token?: string } = {}) {
  const res = await t.request(method, `/api/v2${path}`, {
    token: opts.token ?? a.token,
    ...(opts.json === undefined ? {} : { json: opts.json }),
  })
  return { status: res.status, json: (await res.json()) as Json }
}

/** The JSON shape of a paginator with its `data` emptied (so an empty page can be compared with a full fixture). */
const emptyPageShape = (fixture: Record<string, unknown>) =>
  jsonShape({ ...fixture, data: [], from: null, to: null, links: [] })

describe('points and top-up (P2, self-hosted)', () => {
  it("GET /payment answers Moota's shape", async () => {
    const res = await call('GET', '/payment')
    expect(res.status).toBe(200)
    const fixture = mootaFixture('Topup/MockPaymentMethodResponse.json') as unknown as Json[]
    expect(Array.isArray(res.json)).toBe(true)
    expect(jsonShape(res.json[0])).toEqual(jsonShape(fixture[0]))
    expect(res.json[0]).toMatchObject({ id: 'bank_transfer', label: 'Bank Transfer' })
  })

  it("GET /topup/denom answers Moota's denominations exactly", async () => {
    const res = await call('GET', '/topup/denom')
    expect(res.status).toBe(200)
    expect(res.json).toEqual(mootaFixture('Topup/MockListAmountTopup.json'))
  })

  it('GET /topup and GET /transaction answer an empty Laravel page with the paginator types', async () => {
    for (const [path, fixture] of [
      ['/topup', 'Topup/MockListTopupResponse.json'],
      ['/transaction', 'Transaction/MockTransactionResponse.json'],
    ] as const) {
      const res = await call('GET', `${path}?start_date=2026-01-01`)
      expect(res.status, path).toBe(200)
      expect(jsonShape({ ...res.json, links: [] })).toEqual(emptyPageShape(mootaFixture(fixture)))
      expect(res.json).toMatchObject({ current_page: 1, data: [], last_page: 1, total: 0, per_page: 10, next_page_url: null })
      expect(res.json.path).toMatch(new RegExp(`/api/v2${path}$`))
      expect(res.json.first_page_url).toContain('start_date=2026-01-01')
      // Beyond the end: an empty page, not an error; a nonsense page falls back to 1.
      expect((await call('GET', `${path}?page=7`)).json).toMatchObject({ current_page: 7, data: [], total: 0 })
      expect((await call('GET', `${path}?page=abc`)).json).toMatchObject({ current_page: 1 })
    }
  })

  it('POST /topup and POST /voucher/redeem are refused with 422, naming the field', async () => {
    const topup = await call('POST', '/topup', { json: { amount: 50000, payment_method: 'bca' } })
    expect(topup.status).toBe(422)
    expect(topup.json).toEqual({ message: TOPUP_NOT_NEEDED, errors: { amount: [TOPUP_NOT_NEEDED] } })
    expect(TOPUP_NOT_NEEDED).toMatch(/not needed in self-hosted Lunas/)

    const voucher = await call('POST', '/voucher/redeem', { json: { code: 'test-sdk' } })
    expect(voucher.status).toBe(422)
    expect(voucher.json).toEqual({ message: VOUCHER_NOT_NEEDED, errors: { code: [VOUCHER_NOT_NEEDED] } })
    // Empty bodies (some clients send none or `[]`) get the same answer.
    expect((await call('POST', '/topup')).status).toBe(422)
    expect((await call('POST', '/voucher/redeem', { json: [] })).status).toBe(422)
  })

  it('needs user_read to read and user to write', async () => {
    const reader = await tokenWithScopes(t.app.db, a, ['user_read'])
    const bankOnly = await tokenWithScopes(t.app.db, a, ['bank'])
    for (const path of ['/payment', '/topup/denom', '/topup', '/transaction']) {
      expect((await call('GET', path, { token: reader })).status, path).toBe(200)
      const denied = await call('GET', path, { token: bankOnly })
      expect(denied.status, path).toBe(403)
      expect(typeof denied.json.message).toBe('string')
    }
    expect((await call('POST', '/topup', { token: reader, json: { amount: 50000 } })).status).toBe(403)
    expect((await call('POST', '/voucher/redeem', { token: reader, json: { code: 'x' } })).status).toBe(403)
    expect((await call('GET', '/payment', { token: '' })).json).toEqual({ message: 'Unauthenticated.' })
  })
})

describe('OTP (P2: Lunas does not log in to internet banking)', () => {
  it("refuses OTP on the workspace's own bank with Moota's 422 shape", async () => {
    const request = await call('POST', `/bank/request/otp/${aBank.publicId}`)
    expect(request.status).toBe(422)
    expect(request.json).toEqual({ message: OTP_NOT_USED, errors: { bank_id: [OTP_NOT_USED] } })

    const verify = await call('POST', `/bank/verification/otp/${aBank.publicId}`, { json: { otp_code: '1234' } })
    expect(verify.status).toBe(422)
    expect(jsonShape(verify.json)).toEqual(jsonShape(mootaFixture('BankAccount/MockInvalidVerificationOtpCodeResponse.json')))
    expect(verify.json.message).toBe(OTP_NOT_USED)
    expect(OTP_NOT_USED).toMatch(/does not log in to internet banking/)
  })

  it("answers 404 for another workspace's bank exactly as for one that never existed", async () => {
    for (const path of ['/bank/request/otp/', '/bank/verification/otp/']) {
      const theirs = await call('POST', `${path}${bBank.publicId}`, { json: { otp_code: '1234' } })
      const never = await call('POST', `${path}XXXXXXXXXXX`, { json: { otp_code: '1234' } })
      expect(theirs.status).toBe(404)
      expect(never.status).toBe(404)
      expect(theirs.json.message).toBe('Data tidak ditemukan')
      expect(JSON.stringify(theirs.json).replaceAll(bBank.publicId, '<id>')).toBe(
        JSON.stringify(never.json).replaceAll('XXXXXXXXXXX', '<id>'),
      )
    }
  })

  it('needs the bank scope', async () => {
    const reader = await tokenWithScopes(t.app.db, a, ['bank_read', 'user'])
    expect((await call('POST', `/bank/request/otp/${aBank.publicId}`, { token: reader })).status).toBe(403)
    const bank = await tokenWithScopes(t.app.db, a, ['bank'])
    expect((await call('POST', `/bank/request/otp/${aBank.publicId}`, { token: bank })).status).toBe(422)
  })
})

describe('MootaPay contract (P2: not available)', () => {
  const routes: Array<[string, string]> = [
    ['POST', '/contract'],
    ['GET', '/contract'],
    ['POST', '/contract/cancel/trx-123'],
    ['GET', '/payment-method'],
    ['GET', '/plugin/token'],
  ]
  it('answers 403 with a message saying it is not available', async () => {
    for (const [method, path] of routes) {
      const res = await call(method, path, method === 'POST' ? { json: { invoice_number: 'INV-1', amount: 40000 } } : {})
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(res.json).toEqual({ message: MOOTAPAY_NOT_AVAILABLE })
    }
    expect(MOOTAPAY_NOT_AVAILABLE).toMatch(/not available/)
  })

  it('checks the token first', async () => {
    for (const [method, path] of routes) expect((await call(method, path, { token: '' })).status).toBe(401)
  })
})

// The manual-entry branch of POST /mutation/store (src/ledger/manual.ts), tested over HTTP here.
describe('POST /api/v2/mutation/store/{bank_id} on cash and other accounts', () => {
  const count = async (account: Account) =>
    Number(
      (await t.app.db.query<{ n: string }>('select count(*) as n from mutations where account_id = $1', [account.id]))[0]!
        .n,
    )

  it('records a manual entry on a cash account, listed by GET /mutation?bank=', async () => {
    const cash = await addTestAccount(t.app.db, a.workspace, 'cash')
    const first = await call('POST', `/mutation/store/${cash.publicId}`, {
      json: { amount: '250000', type: 'credit', description: 'PENJUALAN TUNAI', note: 'nota 17', date: '2026-11-20 09:00:00' },
    })
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ error: false, mutation: { total: 1, new: 1 } })
    expect(first.json.mutation.mutation_id).toMatch(/^[0-9A-Za-z]{11}$/)
    expect(jsonShape(first.json)).toEqual(
      jsonShape({ error: false, mutation: { total: 1, new: 1, mutation_id: 'x' } }),
    )
    const second = await call('POST', `/mutation/store/${cash.publicId}`, {
      json: { amount: 40000.5, type: 'DB', date: '2026-11-20 10:00:00' },
    })
    expect(second.status).toBe(200)

    const [row] = await t.app.db.query<{ source: string; reference: string; sandbox: boolean }>(
      'select source, reference, sandbox from mutations where public_id = $1',
      [first.json.mutation.mutation_id],
    )
    expect(row).toMatchObject({ source: 'manual', sandbox: false })
    expect(row!.reference).toMatch(/^man_/)

    const list = await call('GET', `/mutation?bank=${cash.publicId}`)
    expect(list.status).toBe(200)
    expect(list.json.total).toBe(2)
    const byId = Object.fromEntries((list.json.data as Json[]).map((m) => [m.mutation_id, m]))
    expect(byId[first.json.mutation.mutation_id]).toMatchObject({
      amount: '250000.00',
      type: 'CR',
      balance: '250000.00',
      description: 'PENJUALAN TUNAI',
      note: 'nota 17',
      bank_id: cash.publicId,
      bank_type: 'cash',
    })
    expect(byId[second.json.mutation.mutation_id]).toMatchObject({ amount: '40000.50', type: 'DB', balance: '209999.50' })
    // A cash account is a live account: its entries show in the unfiltered list too.
    const all = await call('GET', '/mutation?per_page=100')
    expect((all.json.data as Json[]).map((m) => m.mutation_id)).toContain(first.json.mutation.mutation_id)
  })

  it('refuses accounts that are neither cash nor sandbox with 422 on bank_id, storing nothing', async () => {
    for (const bankType of ['bca', 'qris', 'bcaVA', 'gojek']) {
      const account = await addTestAccount(t.app.db, a.workspace, bankType)
      const res = await call('POST', `/mutation/store/${account.publicId}`, { json: { amount: '1000', type: 'CR' } })
      expect(res.status, bankType).toBe(422)
      expect(Object.keys(res.json.errors)).toEqual(['bank_id'])
      expect(res.json.message).toMatch(/only cash accounts \(manual entries\) and sandbox accounts/)
      expect(await count(account)).toBe(0)
    }
  })

  it("still simulates on sandbox accounts, and 404s another workspace's cash account", async () => {
    const sandbox = await addTestAccount(t.app.db, a.workspace, 'sandbox')
    const res = await call('POST', `/mutation/store/${sandbox.publicId}`, { json: { amount: '1000', type: 'CR' } })
    expect(res.status).toBe(200)
    const [row] = await t.app.db.query<{ source: string }>('select source from mutations where public_id = $1', [
      res.json.mutation.mutation_id,
    ])
    expect(row!.source).toBe('sandbox')

    const theirs = await addTestAccount(t.app.db, b.workspace, 'cash')
    const denied = await call('POST', `/mutation/store/${theirs.publicId}`, { json: { amount: '1000', type: 'CR' } })
    expect(denied.status).toBe(404)
    expect(await count(theirs)).toBe(0)
  })
})
