import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { AppError } from '../shared/errors.ts'
import { createUser } from '../users/users.ts'
import { getWorkspace } from '../workspaces/workspaces.ts'
import {
  authenticateToken,
  createToken,
  createTokenFor,
  hasScope,
  listTokens,
  parseScopes,
  revokeTokenById,
} from './tokens.ts'

let t: TestDb
beforeAll(async () => {
  t = await openTestDb()
})
afterAll(() => t.close())

describe('tokens', () => {
  it('reads scopes and lets `api` and write scopes cover reads', () => {
    expect(parseScopes(undefined)).toEqual(['api'])
    expect(parseScopes('mutation_read, bank')).toEqual(['mutation_read', 'bank'])
    expect(() => parseScopes('root')).toThrow(AppError)
    expect(hasScope(['api'], 'bank')).toBe(true)
    expect(hasScope(['mutation'], 'mutation_read')).toBe(true)
    expect(hasScope(['mutation_read'], 'mutation')).toBe(false)
    expect(hasScope(['bank_read'], 'mutation_read')).toBe(false)
  })

  it('binds a token to its user and workspace, stores only its hash, and refuses revoked or unknown ones', async () => {
    await createUser(t.db, { email: 'Owner@Toko.id', password: 'rahasia-panjang', workspace: 'toko' })
    const { token, workspace } = await createToken(t.db, { email: 'owner@toko.id', scopes: 'mutation_read' })
    expect(workspace.name).toBe('toko')
    const stored = await t.db.query<{ token_hash: string }>('select token_hash from api_tokens')
    expect(JSON.stringify(stored)).not.toContain(token)
    const who = await authenticateToken(t.db, token)
    expect(who).toMatchObject({ workspace: { name: 'toko' }, scopes: ['mutation_read'] })
    expect(await authenticateToken(t.db, `${token}x`)).toBeNull()
    expect(await authenticateToken(t.db, 'Bearer nonsense')).toBeNull()
    await t.db.query('update api_tokens set revoked_at = now()')
    expect(await authenticateToken(t.db, token)).toBeNull()
  })

  it('asks which workspace when the user belongs to several', async () => {
    await createUser(t.db, { email: 'fin@toko.id', password: 'rahasia-panjang', workspace: 'a' })
    await createUser(t.db, { email: 'fin@toko.id', password: 'ignored-here', workspace: 'b' })
    await expect(createToken(t.db, { email: 'fin@toko.id' })).rejects.toThrow(/--workspace/)
    expect((await createToken(t.db, { email: 'fin@toko.id', workspace: 'b' })).workspace.name).toBe('b')
    await expect(createUser(t.db, { email: 'fin@toko.id', password: 'rahasia-panjang', workspace: 'b' })).rejects.toThrow(
      /already exists/,
    )
  })
})

describe('token management', () => {
  it('lists tokens with a hint and never the token or its hash; filters by user', async () => {
    await createUser(t.db, { email: 'list1@kedai.id', password: 'rahasia-panjang', workspace: 'kedai' })
    await createUser(t.db, { email: 'list2@kedai.id', password: 'rahasia-panjang', workspace: 'kedai' })
    const one = await createToken(t.db, { email: 'list1@kedai.id', scopes: 'bank_read', name: 'laptop' })
    const two = await createToken(t.db, { email: 'list2@kedai.id' })
    const ws = await getWorkspace(t.db, 'kedai')
    const all = await listTokens(t.db, ws)
    expect(all.map((x) => x.publicId)).toEqual([one.publicId, two.publicId])
    expect(all[0]).toMatchObject({
      name: 'laptop',
      hint: `…${one.token.slice(-4)}`,
      scopes: ['bank_read'],
      userEmail: 'list1@kedai.id',
      lastUsedAt: null,
      revokedAt: null,
    })
    expect(all[0]!.createdAt).toBeInstanceOf(Date)
    const [{ token_hash: hash } = { token_hash: '' }] = await t.db.query<{ token_hash: string }>(
      'select token_hash from api_tokens where public_id = $1',
      [one.publicId],
    )
    const text = JSON.stringify(all)
    for (const secret of [one.token, two.token, hash]) expect(text).not.toContain(secret)
    const user2 = await t.db.query<{ id: string }>("select id from users where email = 'list2@kedai.id'")
    expect((await listTokens(t.db, ws, { userId: user2[0]!.id })).map((x) => x.publicId)).toEqual([two.publicId])
  })

  it('revokes by public id within the workspace only, idempotently', async () => {
    await createUser(t.db, { email: 'rev@warung.id', password: 'rahasia-panjang', workspace: 'warung' })
    await createUser(t.db, { email: 'other@lain.id', password: 'rahasia-panjang', workspace: 'lain' })
    const mine = await createToken(t.db, { email: 'rev@warung.id' })
    const theirs = await createToken(t.db, { email: 'other@lain.id' })
    const ws = await getWorkspace(t.db, 'warung')
    await expect(revokeTokenById(t.db, ws, theirs.publicId)).rejects.toMatchObject({ code: 'not_found' })
    expect(await authenticateToken(t.db, theirs.token)).not.toBeNull()
    await revokeTokenById(t.db, ws, mine.publicId)
    expect(await authenticateToken(t.db, mine.token)).toBeNull()
    const [first] = await listTokens(t.db, ws)
    await revokeTokenById(t.db, ws, mine.publicId)
    const [again] = await listTokens(t.db, ws)
    expect(again!.revokedAt).toEqual(first!.revokedAt)
  })

  it('creates tokens only with scopes the caller has, for the same user and workspace', async () => {
    await createUser(t.db, { email: 'esc@toko2.id', password: 'rahasia-panjang', workspace: 'toko2' })
    const weak = await createToken(t.db, { email: 'esc@toko2.id', scopes: 'user,mutation_read' })
    const who = (await authenticateToken(t.db, weak.token))!
    for (const scopes of [['api'], ['bank'], ['mutation'], ['user_read', 'bank_read']])
      await expect(createTokenFor(t.db, who, { scopes })).rejects.toMatchObject({ code: 'forbidden' })
    await expect(createTokenFor(t.db, who, { scopes: ['root'] })).rejects.toMatchObject({ code: 'validation' })
    const narrower = await createTokenFor(t.db, who, { scopes: ['mutation_read', 'user_read'], name: 'n' })
    expect(narrower.scopes).toEqual(['mutation_read', 'user_read'])
    const same = await createTokenFor(t.db, who, {})
    expect(same.scopes).toEqual(['user', 'mutation_read'])
    const child = (await authenticateToken(t.db, narrower.token))!
    expect(child).toMatchObject({ userId: who.userId, workspace: { id: who.workspace.id } })

    const strong = (await authenticateToken(t.db, (await createToken(t.db, { email: 'esc@toko2.id' })).token))!
    expect((await createTokenFor(t.db, strong, { scopes: ['api'] })).scopes).toEqual(['api'])
    expect((await createTokenFor(t.db, strong, { scopes: 'bank,mutation' })).scopes).toEqual(['bank', 'mutation'])
  })
})
