import { describe, expect, it } from 'vitest'
import { isSecretKey, keepBody, MAX_URL_CHARS, REDACTED, redactUrl, redactValue } from './redact.ts'

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
    'pwd',
    'pass',
    'auth',
    'auth_code',
    'jwt',
    'id_jwt',
    'bearer',
    'bearerToken',
    'totp',
    'totp_code',
    'pincode',
    'client_secret',
    'private_key',
    'privateKey',
  ])('%s is secret', (k) => expect(isSecretKey(k)).toBe(true))

  it.each(['email', 'amount', 'shipping', 'keyword', 'monkey', 'bank_type', 'account_number', 'name_holder', 'note', 'opinion', 'author', 'compass', 'spinner'])(
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

describe('redactUrl, hostile and encoded query strings', () => {
  it('redacts short secret names, in any case and percent-encoded', () => {
    const url = '/v1/x?pwd=x&PASS=y&%70assword=z&to%6Ben=w&pin=1&jwt=a&bearer=b&auth=c'
    expect(redactUrl(url)).toBe(
      `/v1/x?pwd=${REDACTED}&PASS=${REDACTED}&%70assword=${REDACTED}&to%6Ben=${REDACTED}&pin=${REDACTED}` +
        `&jwt=${REDACTED}&bearer=${REDACTED}&auth=${REDACTED}`,
    )
  })

  it('keeps non-secret names, including words that merely contain a short secret word', () => {
    const url = '/v1/mutations?page=2&per_page=10&q=kunci&shipping=1&author=budi&opinion=x&compass=n'
    expect(redactUrl(url)).toBe(url)
  })

  it('still redacts names containing password, secret, token or apikey, as before', () => {
    expect(redactUrl('/x?new_password=a&clientSecret=b&refreshToken=c&api_key=d&X-Api-Key=e')).toBe(
      `/x?new_password=${REDACTED}&clientSecret=${REDACTED}&refreshToken=${REDACTED}&api_key=${REDACTED}` +
        `&X-Api-Key=${REDACTED}`,
    )
  })

  it('treats extra `?` as text of the name, and leaves parameters without `=` alone', () => {
    expect(redactUrl('/x?a?apikey=s&flag&b=1')).toBe(`/x?a?apikey=${REDACTED}&flag&b=1`)
    expect(redactUrl('/x?key?key?key&key?key')).toBe('/x?key?key?key&key?key')
    // A client that appended `?apikey=` to a URL with a query already: the server reads one odd value, but the text
    // after the `?` is still a secret, as it was for the regex this replaced.
    expect(redactUrl('/x?page=1?token=s&b=2')).toBe(`/x?page=1?token=${REDACTED}&b=2`)
    expect(redactUrl('/x?q=what?&b=2')).toBe('/x?q=what?&b=2')
    expect(redactUrl('/x?')).toBe('/x?')
    expect(redactUrl('/x')).toBe('/x')
  })

  it('compares a name with a malformed escape raw, without throwing', () => {
    expect(() => redactUrl('/x?%zz=1&%E0%A4%A=2&%zzpassword=3')).not.toThrow()
    expect(redactUrl('/x?%zz=1&%zzpassword=3&pass%zz=4')).toBe(`/x?%zz=1&%zzpassword=${REDACTED}&pass%zz=${REDACTED}`)
  })

  it('cuts a long URL to MAX_URL_CHARS (marked with …) before looking at it, and answers at once', () => {
    const hostile = `/?${'key?'.repeat(4000)}`
    const started = performance.now()
    const out = redactUrl(hostile)
    expect(performance.now() - started).toBeLessThan(50)
    expect(out).toBe(`${hostile.slice(0, MAX_URL_CHARS)}…`)
    expect(redactUrl(`/?${'token?'.repeat(2500)}`).length).toBe(MAX_URL_CHARS + 1)
  })

  it('never lets redaction grow the result past the cap, nor leaks a cut value', () => {
    const many = `/x?${'key=1&'.repeat(1000)}`
    const out = redactUrl(many)
    expect(out.length).toBeLessThanOrEqual(MAX_URL_CHARS + 1)
    expect(out).not.toContain('=1')
    const secretAtEdge = `/x?${'a'.repeat(MAX_URL_CHARS - 12)}&apikey=rahasia-panjang`
    expect(redactUrl(secretAtEdge)).not.toContain('rahasia')
  })
})
