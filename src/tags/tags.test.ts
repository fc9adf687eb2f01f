import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { addTestAccount } from '../api/test-support.ts'
import type { Db } from '../db/db.ts'
import { ingest } from '../ledger/ingest.ts'
import { isAppError } from '../shared/errors.ts'
import { PUBLIC_ID } from '../shared/ids.ts'
import { ensureWorkspace, type Workspace } from '../workspaces/workspaces.ts'
import {
  attachTags,
  createTag,
  deleteTag,
  detachTags,
  listTags,
  renameTag,
  replaceTags,
  setMutationTags,
  tagsOfMutation,
  tagsOfMutations,
} from './tags.ts'

let t: TestDb
let db: Db
let a: Workspace
let b: Workspace
let n = 0

beforeAll(async () => {
  t = await openTestDb()
  db = t.db
  a = await ensureWorkspace(db, 'tags-a')
  b = await ensureWorkspace(db, 'tags-b')
})

afterAll(async () => {
  await t?.close()
})

async function newMutation(ws: Workspace): Promise<string> {
  const account = await addTestAccount(db, ws, 'bca')
  const result = await ingest(db, ws, {
    accountId: account.publicId,
    source: 'csv',
    rows: [{ date: '2026-11-20', type: 'CR', amount: '150123', description: `X ${++n}` }],
  })
  return result.inserted[0]!.publicId
}

async function failure(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  if (!isAppError(err)) throw new Error(`expected an AppError, got ${String(err)}`)
  return { code: err.code, message: err.message, field: err.field }
}

const names = async (ws: Workspace, mutation: string) => (await tagsOfMutation(db, ws, mutation)).map((x) => x.name)

describe('tag CRUD', () => {
  it('creates trimmed names with 11-character public ids and refuses duplicates in any case', async () => {
    const tag = await createTag(db, a, '  cash  ')
    expect(tag.name).toBe('cash')
    expect(tag.publicId).toMatch(PUBLIC_ID)
    expect(await failure(createTag(db, a, 'CASH'))).toEqual({
      code: 'validation',
      message: 'The name has already been taken.',
      field: 'name',
    })
    // The same name in another workspace is another tag.
    expect((await createTag(db, b, 'cash')).publicId).not.toBe(tag.publicId)
  })

  it('refuses empty and over-long names', async () => {
    expect(await failure(createTag(db, a, '   '))).toMatchObject({ code: 'validation', field: 'name' })
    expect(await failure(createTag(db, a, 'x'.repeat(101)))).toMatchObject({ code: 'validation', field: 'name' })
    expect((await createTag(db, a, 'y'.repeat(100))).name).toHaveLength(100)
  })

  it('lists only the workspace tags, optionally filtered by name without regard to case', async () => {
    await createTag(db, a, 'Assurance')
    const all = await listTags(db, a)
    expect(all.map((x) => x.name)).toEqual(['cash', 'y'.repeat(100), 'Assurance'])
    expect((await listTags(db, a, { names: ['assurance', ' CASH', 'nope', ''] })).map((x) => x.name)).toEqual([
      'cash',
      'Assurance',
    ])
    expect((await listTags(db, b)).map((x) => x.name)).toEqual(['cash'])
  })

  it('renames within the workspace only, refusing a name taken by another tag', async () => {
    const tag = await createTag(db, a, 'rename-me')
    expect((await renameTag(db, a, tag.publicId, 'Renamed')).name).toBe('Renamed')
    expect((await renameTag(db, a, tag.publicId, 'RENAMED')).name).toBe('RENAMED')
    expect(await failure(renameTag(db, a, tag.publicId, 'Cash'))).toMatchObject({
      code: 'validation',
      message: 'The name has already been taken.',
      field: 'name',
    })
    expect(await failure(renameTag(db, b, tag.publicId, 'stolen'))).toMatchObject({ code: 'not_found' })
    expect(await failure(renameTag(db, a, 'nonexistent', 'x'))).toMatchObject({ code: 'not_found' })
  })

  it('deletes within the workspace only, and the mutation links go with the tag', async () => {
    const mutation = await newMutation(a)
    const tag = await createTag(db, a, 'doomed')
    await attachTags(db, a, mutation, ['doomed', 'kept'])
    expect(await failure(deleteTag(db, b, tag.publicId))).toMatchObject({ code: 'not_found' })
    await deleteTag(db, a, tag.publicId)
    expect(await names(a, mutation)).toEqual(['kept'])
    expect(await failure(deleteTag(db, a, tag.publicId))).toMatchObject({ code: 'not_found' })
  })
})

describe('tags of a mutation', () => {
  it('attaches by name, creating unknown names and matching existing ones case-insensitively, idempotently', async () => {
    const mutation = await newMutation(a)
    const before = (await listTags(db, a)).length
    await attachTags(db, a, mutation, ['ORDER-1001', 'CASH'])
    await attachTags(db, a, mutation, ['order-1001', 'WooCommerce', 'woocommerce'])
    expect(await names(a, mutation)).toEqual(['cash', 'ORDER-1001', 'WooCommerce'])
    expect((await listTags(db, a)).length).toBe(before + 2)
  })

  it('lets concurrent attaches of the same new names end with one tag per name', async () => {
    const mutations = await Promise.all([newMutation(a), newMutation(a), newMutation(a)])
    await Promise.all(mutations.map((m) => attachTags(db, a, m, ['race-1', 'RACE-2'])))
    expect((await listTags(db, a, { names: ['race-1', 'race-2'] })).length).toBe(2)
    for (const m of mutations) expect((await names(a, m)).map((x) => x.toLowerCase())).toEqual(['race-1', 'race-2'])
  })

  it('replaces the set exactly, and an empty list clears it', async () => {
    const mutation = await newMutation(a)
    await attachTags(db, a, mutation, ['r1', 'r2'])
    await replaceTags(db, a, mutation, ['R2', 'r3'])
    expect(await names(a, mutation)).toEqual(['r2', 'r3'])
    await replaceTags(db, a, mutation, [])
    expect(await names(a, mutation)).toEqual([])
  })

  it('detaches by name, ignoring names the mutation does not carry', async () => {
    const mutation = await newMutation(a)
    await attachTags(db, a, mutation, ['d1', 'd2', 'd3'])
    await detachTags(db, a, mutation, ['D1', 'd3', 'never-heard-of'])
    expect(await names(a, mutation)).toEqual(['d2'])
    // Detaching does not delete the tag itself.
    expect((await listTags(db, a, { names: ['d1'] })).length).toBe(1)
  })

  it("never touches another workspace's mutation or tags", async () => {
    const mutation = await newMutation(a)
    await attachTags(db, a, mutation, ['mine'])
    for (const op of [attachTags, replaceTags, detachTags])
      expect(await failure(op(db, b, mutation, ['mine']))).toMatchObject({ code: 'not_found' })
    expect(await names(a, mutation)).toEqual(['mine'])
    // B attaching "mine" to its own mutation makes B's own tag, not a link to A's.
    const theirs = await newMutation(b)
    await attachTags(db, b, theirs, ['MINE'])
    const [aTag] = await listTags(db, a, { names: ['mine'] })
    const [bTag] = await listTags(db, b, { names: ['mine'] })
    expect(bTag!.publicId).not.toBe(aTag!.publicId)
    expect(bTag!.name).toBe('MINE')
  })

  it('refuses unknown and deleted mutations', async () => {
    expect(await failure(attachTags(db, a, 'AAAAAAAAAAA', ['x']))).toMatchObject({ code: 'not_found' })
    const mutation = await newMutation(a)
    await db.query('update mutations set deleted_at = now() where public_id = $1', [mutation])
    expect(await failure(attachTags(db, a, mutation, ['x']))).toMatchObject({ code: 'not_found' })
  })

  it('validates every name before changing anything', async () => {
    const mutation = await newMutation(a)
    expect(await failure(attachTags(db, a, mutation, ['ok-name', ' ']))).toMatchObject({ code: 'validation' })
    expect(await names(a, mutation)).toEqual([])
    expect(await listTags(db, a, { names: ['ok-name'] })).toEqual([])
  })
})

describe('tags by id (the /v1 surface)', () => {
  it('sets a mutation\'s tags from ids and names together, each tag once', async () => {
    const mutation = await newMutation(a)
    const vip = await createTag(db, a, 'by-id-vip')
    const set = await setMutationTags(db, a, mutation, { tagIds: [vip.publicId, vip.publicId], names: ['BY-ID-VIP', 'fresh'] })
    expect(set.map((x) => x.name)).toEqual(['by-id-vip', 'fresh'])
    expect(await names(a, mutation)).toEqual(['by-id-vip', 'fresh'])
  })

  it("refuses another workspace's tag id as unknown, changing nothing", async () => {
    const mutation = await newMutation(a)
    await attachTags(db, a, mutation, ['kept'])
    const theirs = await createTag(db, b, 'by-id-theirs')
    expect(
      await failure(setMutationTags(db, a, mutation, { tagIds: [theirs.publicId], names: ['would-be-new'] })),
    ).toEqual({ code: 'validation', message: `tag ${theirs.publicId} not found`, field: 'tag_ids' })
    expect(await names(a, mutation)).toEqual(['kept'])
    expect(await listTags(db, a, { names: ['would-be-new'] })).toEqual([])
  })

  it('reads the tags of many mutations at once, only within the workspace', async () => {
    const [m1, m2, theirs] = [await newMutation(a), await newMutation(a), await newMutation(b)]
    await attachTags(db, a, m1, ['many-1', 'many-2'])
    await attachTags(db, b, theirs, ['many-b'])
    const byMutation = await tagsOfMutations(db, a, [m1, m2, theirs])
    expect(byMutation.get(m1)!.map((x) => x.name)).toEqual(['many-1', 'many-2'])
    expect(byMutation.get(m2)).toEqual([])
    expect(byMutation.get(theirs)).toEqual([])
  })
})
