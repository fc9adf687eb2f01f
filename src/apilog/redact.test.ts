import { describe, expect, it } from 'vitest'
import { isSecretKey, keepBody, REDACTED, redactUrl, redactValue } from './redact.ts'

describe('isSecretKey', () => {
  it.each([
    'password',
    'new_password',
    'Password',
    'secret',
    'clientSecret',
    'access_token',
    'api_key',
    'apiKey',
    'x-api-key',
    'key',
    'credentials',
    'otp_code',
    'otp',
    'pin',
    'mpin',
    'username',
    'corporate_id',
    'signature',
  ])('%s is secret', (k) => expect(isSecretKey(k)).toBe(true))

  it.each(['email', 'amount', 'shipping', 'keyword', 'monkey', 'bank_type', 'account_number', 'name_holder', 'note', 'opinion'])(
    '%s is kept',
    (k) => expect(isSecretKey(k)).toBe(false),
  )
})

describe('redactValue', () => {
  it('redacts at any depth, in objects inside arrays, and leaves the input untouched', () => {
    const input = { email: 'a@b.id', login: { username: 'budi', nested: [{ password: 'p4ss' }] }, amount: 5 }
    expect(redactValue(input)).toEqual({
      email: 'a@b.id',
      login: { username: REDACTED, nested: [{ password: REDACTED }] },
      amount: 5,
    })
    expect(redactValue({ credentials: { user: 'budi' } })).toEqual({ credentials: REDACTED })
    const deeper = { bank: { user: { pin: '123456', name: 'Budi' } }, list: [{ otp_code: '999' }] }
    expect(redactValue(deeper)).toEqual({ bank: { user: { pin: REDACTED, name: 'Budi' } }, list: [{ otp_code: REDACTED }] })
    expect(input.login.nested[0]!.password).toBe('p4ss')
  })
})

describe('keepBody', () => {
  it('keeps small bodies as redacted JSON, and nothing for no body', () => {
    expect(keepBody({ password: 'x', email: 'e' })).toEqual({ body: { password: REDACTED, email: 'e' }, truncated: false })
    expect(keepBody(undefined)).toEqual({ body: null, truncated: false })
  })

  it('cuts large bodies to the byte limit (after redaction), as text, without splitting a character', () => {
    const kept = keepBody({ password: 'rahasia', note: 'é'.repeat(5000) }, 100)
    expect(kept.truncated).toBe(true)
    expect(typeof kept.body).toBe('string')
    const text = kept.body as string
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(100)
    expect(text).not.toContain('rahasia')
    expect(text).not.toContain('\uFFFD')
  })

  it('keeps only the length of a text body, which cannot be redacted by key', () => {
    expect(keepBody('password=rahasia')).toEqual({ body: '[16 bytes of text]', truncated: false })
  })
})

describe('redactUrl', () => {
  it('redacts credential-looking query values only', () => {
    expect(redactUrl('/api/v2/mutation?apikey=abc&page=2&access_token=t&otp=1')).toBe(
      `/api/v2/mutation?apikey=${REDACTED}&page=2&access_token=${REDACTED}&otp=${REDACTED}`,
    )
    expect(redactUrl('/v1/mutations?q=kunci')).toBe('/v1/mutations?q=kunci')
  })
})
