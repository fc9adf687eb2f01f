import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

describe('config', () => {
  it('has working defaults', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      role: 'all',
      databaseUrl: undefined,
      defaultRefreshMinutes: 15,
    })
    expect(c.dataDir.endsWith('/data')).toBe(true)
  })

  it('limits requests and logs API calls by default, and lets both be turned off', () => {
    expect(loadConfig({})).toMatchObject({
      rateLimitPerMinute: 600,
      loginRateLimitPerMinute: 10,
      apiLog: true,
      apiLogRetentionDays: 30,
    })
    expect(
      loadConfig({ LUNAS_RATE_LIMIT_PER_MINUTE: '0', LUNAS_LOGIN_RATE_LIMIT_PER_MINUTE: '0', LUNAS_API_LOG: 'off' }),
    ).toMatchObject({ rateLimitPerMinute: 0, loginRateLimitPerMinute: 0, apiLog: false })
    expect(() => loadConfig({ LUNAS_API_LOG_RETENTION_DAYS: '0' })).toThrow(/LUNAS_API_LOG_RETENTION_DAYS/)
  })

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8080)
  })

  it('stops on bad values with one readable line each', () => {
    let err: unknown
    try {
      loadConfig({ PORT: 'eighty', LUNAS_ROLE: 'boss', DATABASE_URL: 'mysql://x' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const msg = (err as Error).message
    expect(msg).toContain('PORT:')
    expect(msg).toContain('LUNAS_ROLE:')
    expect(msg).toContain('DATABASE_URL: must be a postgres://')
  })

  it('refuses DATABASE_URL without LUNAS_SECRET_KEY', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x' })).toThrow(/LUNAS_SECRET_KEY: required/)
    expect(
      loadConfig({ DATABASE_URL: 'postgres://localhost/x', LUNAS_SECRET_KEY: 'ab'.repeat(32) }).databaseUrl,
    ).toBe('postgres://localhost/x')
  })

  it('reads the webhook allow-list and timeouts, refusing a bad network by name', () => {
    expect(loadConfig({})).toMatchObject({
      webhookAllowNetworks: [],
      webhookConnectTimeoutMs: 5000,
      webhookTimeoutMs: 15_000,
    })
    const c = loadConfig({
      LUNAS_WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128,192.168.1.7',
      LUNAS_WEBHOOK_CONNECT_TIMEOUT_MS: '2000',
      LUNAS_WEBHOOK_TIMEOUT_MS: '30000',
    })
    expect(c.webhookAllowNetworks).toEqual(['127.0.0.0/8', '::1/128', '192.168.1.7/32'])
    expect(c).toMatchObject({ webhookConnectTimeoutMs: 2000, webhookTimeoutMs: 30_000 })
    expect(() => loadConfig({ LUNAS_WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8,localhost' })).toThrow(
      /LUNAS_WEBHOOK_ALLOW_NETWORKS: "localhost" is not an IPv4 or IPv6 network/,
    )
    expect(() => loadConfig({ LUNAS_WEBHOOK_TIMEOUT_MS: '0' })).toThrow(/LUNAS_WEBHOOK_TIMEOUT_MS/)
  })

  it('reads LUNAS_PUBLIC_URL as an absolute http(s) URL without its trailing slash', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined()
    expect(loadConfig({ LUNAS_PUBLIC_URL: 'https://lunas.example.com/' }).publicUrl).toBe('https://lunas.example.com')
    expect(loadConfig({ LUNAS_PUBLIC_URL: 'http://10.0.0.5:8080' }).publicUrl).toBe('http://10.0.0.5:8080')
    expect(loadConfig({ LUNAS_PUBLIC_URL: 'https://Kedai.Example/lunas//' }).publicUrl).toBe('https://kedai.example/lunas')
    for (const bad of ['lunas.example.com', '/api', 'ftp://lunas.example.com', 'https://lunas.example.com/?a=1',
      'https://lunas.example.com/#top', 'https://admin:pw@lunas.example.com', 'https://'])
      expect(() => loadConfig({ LUNAS_PUBLIC_URL: bad }), bad).toThrow(/LUNAS_PUBLIC_URL: /)
  })
})
