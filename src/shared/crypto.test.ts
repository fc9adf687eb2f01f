import { describe, expect, it } from 'vitest'
import {
  decryptSecret,
  encryptSecret,
  hashPassword,
  newSecretKey,
  parseSecretKey,
  verifyPassword,
} from './crypto.ts'
import { hashToken, isPublicId, newPublicId, newToken } from './ids.ts'

describe('secrets at rest', () => {
  it('hashes passwords with scrypt and a fresh salt, never storing the password', async () => {
    const a = await hashPassword('rahasia-panjang')
    const b = await hashPassword('rahasia-panjang')
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain('rahasia')
    expect(await verifyPassword('rahasia-panjang', a)).toBe(true)
    expect(await verifyPassword('rahasia-panjanG', a)).toBe(false)
    expect(await verifyPassword('x', 'garbage')).toBe(false)
  })

  it('encrypts secrets so only the key opens them, and detects tampering', () => {
    const key = parseSecretKey(newSecretKey())!
    const sealed = encryptSecret(key, 'klikbca-password')
    expect(sealed).not.toContain('klikbca')
    expect(decryptSecret(key, sealed)).toBe('klikbca-password')
    const other = parseSecretKey(newSecretKey())!
    expect(() => decryptSecret(other, sealed)).toThrow()
    const parts = sealed.split('.')
    parts[3] = Buffer.from('klikbca-passworX').toString('base64url')
    expect(() => decryptSecret(key, parts.join('.'))).toThrow()
  })

  it('accepts 32-byte keys as hex or base64 only', () => {
    expect(parseSecretKey('ab'.repeat(32))?.length).toBe(32)
    expect(parseSecretKey(Buffer.alloc(32, 7).toString('base64'))?.length).toBe(32)
    expect(parseSecretKey('too-short')).toBeNull()
  })
})

describe('ids', () => {
  it('makes 11-character base62 public ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, newPublicId))
    expect(ids.size).toBe(10_000)
    for (const id of ids) expect(isPublicId(id)).toBe(true)
  })

  it('makes prefixed tokens and hashes them', () => {
    const t = newToken()
    expect(t).toMatch(/^lns_pat_[0-9A-Za-z]{40}$/)
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/)
    expect(hashToken(t)).not.toContain(t)
  })
})
