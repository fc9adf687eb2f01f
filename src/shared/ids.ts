/**
 * Public ids: 11 random base62 characters, Moota's visible form. Random rather than a Hashids of a serial,
 * so an id reveals nothing about volumes or other tenants. Secrets get a recognisable prefix instead.
 */
import { createHash, randomFillSync } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const PUBLIC_ID = /^[0-9A-Za-z]{11}$/

// Random bytes are drawn from a pooled buffer: one randomFillSync per 8 KiB instead of one call per id
// (ingestion makes two ids per row).
const pool = Buffer.alloc(8192)
let poolOffset = pool.length

function nextByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  return pool[poolOffset++]!
}

/** `length` uniformly random base62 characters (rejection sampling, so no modulo bias). */
export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    const byte = nextByte()
    if (byte < 248) out += BASE62[byte % 62]
  }
  return out
}

export function newPublicId(): string {
  return randomBase62(11)
}

export function isPublicId(value: unknown): value is string {
  return typeof value === 'string' && PUBLIC_ID.test(value)
}

/** Personal access tokens: `lns_pat_` + 40 base62 characters (≈238 bits). Stored only as `hashToken`. */
export const TOKEN_PREFIX = 'lns_pat_'

export function newToken(): string {
  return TOKEN_PREFIX + randomBase62(40)
}

/** Tokens are high-entropy, so a plain SHA-256 is the right hash (a KDF would only slow every request). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
