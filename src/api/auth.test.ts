import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import type { Sql } from '../db/db.ts'
import { bearerToken, registerAuth } from './auth.ts'

describe('bearerToken', () => {
  it('reads the scheme in any case, with any spacing', () => {
    expect(bearerToken('Bearer abc')).toBe('abc')
    expect(bearerToken('bearer abc')).toBe('abc')
    expect(bearerToken('  BEARER    abc  ')).toBe('abc')
  })

  it('refuses other schemes, empty tokens and absurd lengths', () => {
    expect(bearerToken(undefined)).toBeNull()
    expect(bearerToken('Basic abc')).toBeNull()
    expect(bearerToken('Bearer')).toBeNull()
    expect(bearerToken('Bearer a b')).toBeNull()
    expect(bearerToken(`Bearer ${'x'.repeat(201)}`)).toBeNull()
  })
})

describe('registerAuth', () => {
  it('refuses, at start-up, an API route that declares neither a scope nor public', async () => {
    const server = Fastify()
    registerAuth(server, {} as Sql)
    expect(() => server.get('/v1/forgotten', async () => 'oops')).toThrow(/must declare config.scope/)
    expect(() => server.get('/v1/declared', { config: { scope: 'api' } }, async () => 'ok')).not.toThrow()
    expect(() => server.get('/elsewhere', async () => 'ok')).not.toThrow()
    await server.close()
  })
})
