import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { seedAccount, seedWorkspace } from '../../test/fixtures.ts'
import { AppError } from '../shared/errors.ts'
import { checkRange, checkUrl, createEndpoint, deleteEndpoint, endpointSecret, getEndpoint, listEndpoints } from './endpoints.ts'

const KEY = Buffer.alloc(32, 3)
let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

const fieldOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    return err instanceof AppError ? `${err.code}:${err.field}` : 'other'
  }
  return 'none'
}

describe('endpoint input', () => {
  it('accepts http(s) URLs only', () => {
    expect(checkUrl(' https://toko.id/moota ')).toBe('https://toko.id/moota')
    for (const bad of ['toko.id/moota', 'ftp://toko.id/x', 'javascript:alert(1)', 'file:///etc/passwd', ''])
      expect(fieldOf(() => checkUrl(bad))).toBe('validation:url')
  })
  it('refuses an inverted or out-of-range unique-code range', () => {
    expect(checkRange(0, 999)).toEqual([0, 999])
    expect(checkRange(999, 999)).toEqual([999, 999])
    expect(fieldOf(() => checkRange(500, 300))).toBe('validation:end_unique_code')
    expect(fieldOf(() => checkRange(-1, 300))).toBe('validation:start_unique_code')
    expect(fieldOf(() => checkRange(0, 1000))).toBe('validation:end_unique_code')
  })
})

describe('endpoints', () => {
  it('stores the secret encrypted and gives it back to its owner', async () => {
    const ws = await seedWorkspace(t.db)
    const e = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/hook', secret: 'FcZnoVBN' })
    const [row] = await t.db.query<{ secret_enc: string }>('select secret_enc from webhook_endpoints where id = $1', [e.id])
    expect(row!.secret_enc).not.toContain('FcZnoVBN')
    expect(endpointSecret(KEY, await getEndpoint(t.db, ws, e.publicId))).toBe('FcZnoVBN')
    expect(e).toMatchObject({ kinds: 'both', startUniqueCode: 0, endUniqueCode: 999, format: 'moota', accountId: null })
  })

  it('refuses an empty secret, an unknown account and non-mutation events on a Moota endpoint, storing nothing', async () => {
    const ws = await seedWorkspace(t.db)
    const other = await seedWorkspace(t.db)
    const theirs = await seedAccount(t.db, other)
    const tries = [
      { url: 'https://toko.id/a', secret: '  ' },
      { url: 'https://toko.id/a', secret: 's', account: theirs.publicId },
      { url: 'https://toko.id/a', secret: 's', eventTypes: ['endpoint.disabled'] },
      { url: 'https://toko.id/a', secret: 's', format: 'lunas' as const, eventTypes: ['nope'] },
    ]
    const codes = await Promise.all(
      tries.map((input) => createEndpoint(t.db, ws, KEY, input).then(() => 'stored', (e: AppError) => `${e.code}:${e.field ?? ''}`)),
    )
    expect(codes).toEqual(['validation:secret_token', 'not_found:', 'validation:event_types', 'validation:event_types'])
    expect(await listEndpoints(t.db, ws)).toEqual([])
  })

  it('lists by url and by account ("" = the all-accounts endpoints), scoped to the workspace', async () => {
    const ws = await seedWorkspace(t.db)
    const other = await seedWorkspace(t.db)
    const acc = await seedAccount(t.db, ws)
    const all = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/all', secret: 's' })
    const one = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/one', secret: 's', account: acc.publicId })
    await createEndpoint(t.db, other, KEY, { url: 'https://toko.id/all', secret: 's' })
    const ids = async (f: Parameters<typeof listEndpoints>[2]) => (await listEndpoints(t.db, ws, f)).map((e) => e.publicId)
    expect(await ids({})).toEqual([all.publicId, one.publicId])
    expect(await ids({ url: 'https://toko.id/all' })).toEqual([all.publicId])
    expect(await ids({ account: '' })).toEqual([all.publicId])
    expect(await ids({ account: acc.publicId })).toEqual([one.publicId])
    expect(one.accountPublicId).toBe(acc.publicId)
  })

  it('deletes: gone from lists, its pending deliveries given up, another workspace cannot', async () => {
    const ws = await seedWorkspace(t.db)
    const other = await seedWorkspace(t.db)
    const e = await createEndpoint(t.db, ws, KEY, { url: 'https://toko.id/x', secret: 's' })
    await t.db.query(
      `insert into webhook_deliveries (public_id, workspace_id, endpoint_id, seq, event_type, trigger, body)
       values ('dDdDdDdDdDd', $1, $2, 1, 'mutation.created', 'event', '[]')`,
      [ws.id, e.id],
    )
    await expect(deleteEndpoint(t.db, other, e.publicId)).rejects.toMatchObject({ code: 'not_found' })
    await deleteEndpoint(t.db, ws, e.publicId)
    expect(await listEndpoints(t.db, ws)).toEqual([])
    const [d] = await t.db.query<{ status: string }>("select status from webhook_deliveries where public_id = 'dDdDdDdDdDd'")
    expect(d!.status).toBe('failed')
    await expect(deleteEndpoint(t.db, ws, e.publicId)).rejects.toMatchObject({ code: 'not_found' })
  })
})
