import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, type TestDb } from '../../test/db.ts'
import { AppError } from '../shared/errors.ts'
import { createUser } from '../users/users.ts'
import { authenticateToken, createToken, hasScope, parseScopes } from './tokens.ts'

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
