/**
 * Every tenant function is scoped to its workspace by construction: given workspace A, it neither sees nor changes
 * workspace B's data, even when handed B's public ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  findAccount,
  getAccount,
  listAccounts,
  requestRefresh,
  updateAccountSettings,
} from '../src/accounts/accounts.ts'
import { listMutations } from '../src/ledger/list.ts'
import { configureFeed } from '../src/connectors/sandbox/feed.ts'
import { simulateTransaction } from '../src/connectors/sandbox/simulate.ts'
import { ingest } from '../src/ledger/ingest.ts'
import { deleteMutations } from '../src/ledger/mutations.ts'
import { AppError } from '../src/shared/errors.ts'
import { listRuns } from '../src/sync/runs.ts'
import type { Workspace } from '../src/workspaces/workspaces.ts'
import { openTestDb, type TestDb } from './db.ts'
import { seedAccount, seedWorkspace } from './fixtures.ts'

let t: TestDb
let a: Workspace
let b: Workspace
let bAccount: string
let bSandbox: string
let bMutation: string
const key = Buffer.alloc(32, 1)

beforeAll(async () => {
  t = await openTestDb()
  a = await seedWorkspace(t.db, 'tenant-a')
  b = await seedWorkspace(t.db, 'tenant-b')
  await seedAccount(t.db, a)
  bAccount = (await seedAccount(t.db, b)).publicId
  bSandbox = (await seedAccount(t.db, b, { bankType: 'sandbox' })).publicId
  const r = await ingest(t.db, b, {
    accountId: bAccount,
    source: 'csv',
    rows: [{ date: '2026-11-20', type: 'CR', amount: '150123', description: 'B ONLY' }],
  })
  bMutation = r.inserted[0]!.publicId
  await simulateTransaction(t.db, b, { accountId: bSandbox, amount: '5000', type: 'CR' })
})
afterAll(() => t.close())

async function notFound(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  expect((err as AppError).code).toBe('not_found')
}

describe('workspace scoping', () => {
  it('lists only the workspace’s own accounts and mutations', async () => {
    expect((await listAccounts(t.db, a)).map((x) => x.publicId)).not.toContain(bAccount)
    const page = await listMutations(t.db, a, { includeSandbox: true, limit: 200 }, key)
    expect(page.rows).toEqual([])
    expect(await findAccount(t.db, a, bAccount)).toBeNull()
    expect(await listRuns(t.db, a, bAccount)).toEqual([])
  })

  it('refuses to act on another workspace’s account or mutation, changing nothing', async () => {
    await notFound(getAccount(t.db, a, bAccount))
    await notFound(requestRefresh(t.db, a, bAccount))
    await notFound(updateAccountSettings(t.db, a, bAccount, { x: 1 }))
    await notFound(ingest(t.db, a, { accountId: bAccount, source: 'csv', rows: [] }))
    await notFound(simulateTransaction(t.db, a, { accountId: bSandbox, amount: '1', type: 'CR' }))
    await notFound(configureFeed(t.db, a, { accountId: bSandbox, ratePerHour: 10 }))
    expect(await deleteMutations(t.db, a, [bMutation])).toEqual([])
    await notFound(listMutations(t.db, a, { account: bAccount, includeSandbox: true, limit: 10 }, key))

    const mine = await listMutations(t.db, b, { includeSandbox: true, limit: 10 }, key)
    expect(mine.rows.map((m) => m.publicId)).toContain(bMutation)
    expect(mine.rows).toHaveLength(2)
    expect((await getAccount(t.db, b, bAccount)).settings).toEqual({})
  })
})
