import type { LookupFunction } from 'node:net'
import { describe, expect, it } from 'vitest'
import { BlockedAddressError, guardedLookup, networkPolicy, parseNetworks } from './ssrf.ts'

const host = (url: string) => new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')

describe('parseNetworks', () => {
  it('reads comma-separated IPv4 and IPv6 CIDRs and bare addresses', () => {
    expect(parseNetworks('127.0.0.0/8, ::1/128,10.1.2.3,fd00::/8,')).toEqual([
      '127.0.0.0/8',
      '::1/128',
      '10.1.2.3/32',
      'fd00::/8',
    ])
    expect(parseNetworks('')).toEqual([])
  })

  it('names the first bad entry', () => {
    for (const bad of ['127.0.0.0/33', '::1/129', 'localhost', '10.0.0.0/8/1', '10.0.0/8', '1.2.3.4/-1', '1.2.3.4/'])
      expect(() => parseNetworks(`10.0.0.0/8,${bad}`), bad).toThrow(`"${bad}" is not an IPv4 or IPv6 network`)
  })
})

describe('networkPolicy (default)', () => {
  const policy = networkPolicy()

  it.each([
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '169.254.169.254', '169.254.0.1', '100.64.0.1', '100.100.100.200', '0.0.0.0', '0.1.2.3',
    '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255', '192.0.2.10', '198.18.0.1', '192.0.0.8',
  ])('denies IPv4 %s', (a) => expect(policy.allowed(a)).toBe(false))

  it.each([
    '::1', '::', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd00:ec2::254', 'ff02::1', 'fec0::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:a9fe:a9fe', '::ffff:10.0.0.1', '::127.0.0.1',
    '64:ff9b::7f00:1', '64:ff9b::808:808', '2002:7f00:1::', '2001::1', '2001:db8::1', '100::1',
    // IPv4-translated (::ffff:0:0:0/96, SIIT): not IPv4-mapped, so it was missed.
    '::ffff:0:7f00:1', '::ffff:0:a00:1', '::ffff:0:a9fe:a9fe', '0:0:0:0:ffff:0:808:808', '::ffff:0:127.0.0.1',
    '64:ff9b:1::a00:1', '3fff::1', '5f00::1',
  ])('denies IPv6 %s', (a) => expect(policy.allowed(a)).toBe(false))

  it.each(['8.8.8.8', '1.1.1.1', '103.28.52.182', '100.128.0.1', '172.32.0.1', '2606:4700:4700::1111',
    '2001:4860:4860::8888', '::ffff:8.8.8.8'])('allows public %s', (a) => expect(policy.allowed(a)).toBe(true))

  it('refuses anything that is not an IP address', () => {
    for (const a of ['localhost', '', '127.1', '2130706433', '1.2.3.4.5']) expect(policy.allowed(a), a).toBe(false)
  })

  it('sees through the numeric URL forms WHATWG normalises to loopback', () => {
    const forms = ['http://2130706433/', 'http://0x7f.1/', 'http://017700000001/', 'http://127.1/',
      'http://0x7f000001/', 'http://0/', 'http://[::ffff:127.0.0.1]/', 'http://[::1]/', 'http://[0:0:0:0:0:0:0:1]/']
    for (const url of forms) {
      expect(['127.0.0.1', '0.0.0.0', '::ffff:7f00:1', '::1']).toContain(host(url))
      expect(policy.allowed(host(url)), url).toBe(false)
    }
  })
})

describe('networkPolicy (with LUNAS_WEBHOOK_ALLOW_NETWORKS)', () => {
  it('opens exactly the named ranges', () => {
    const policy = networkPolicy(parseNetworks('127.0.0.0/8,::1/128,10.1.0.0/16'))
    expect(policy.allowed('127.0.0.1')).toBe(true)
    expect(policy.allowed('::1')).toBe(true)
    expect(policy.allowed('10.1.200.3')).toBe(true)
    expect(policy.allowed('10.2.0.1')).toBe(false)
    expect(policy.allowed('0.0.0.0')).toBe(false)
    expect(policy.allowed('169.254.169.254')).toBe(false)
    expect(policy.allowed('8.8.8.8')).toBe(true)
  })

  it('checks the IPv4 embedded in a NAT64, 6to4 or IPv4-translated address even when that range is opened', () => {
    const policy = networkPolicy(parseNetworks('64:ff9b::/96,64:ff9b:1::/48,2002::/16,::ffff:0:0:0/96'))
    for (const a of ['64:ff9b::808:808', '64:ff9b:1::808:808', '2002:808:808::1', '::ffff:0:808:808'])
      expect(policy.allowed(a), a).toBe(true)
    for (const a of ['64:ff9b::7f00:1', '64:ff9b::a00:1', '64:ff9b:1::a9fe:a9fe', '2002:7f00:1::1', '2002:a00:1::',
      '2002:c0a8:101::1', '::ffff:0:7f00:1', '::ffff:0:a00:1'])
      expect(policy.allowed(a), a).toBe(false)
    // Opening the embedded IPv4 alone does not open the IPv6 form.
    expect(networkPolicy(['10.0.0.0/8']).allowed('64:ff9b::a00:1')).toBe(false)
  })

  it('applies an IPv4 range to the IPv4-mapped form as well', () => {
    const policy = networkPolicy(['127.0.0.0/8'])
    expect(policy.allowed('::ffff:127.0.0.1')).toBe(true)
    expect(policy.allowed('::1')).toBe(false)
  })
})

describe('guardedLookup', () => {
  const answer =
    (...addresses: string[]): LookupFunction =>
    (_host, _options, callback) =>
      callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))
  const run = (lookup: LookupFunction, all: boolean) =>
    new Promise<{ err: Error | null; address: unknown; family?: number }>((resolve) =>
      lookup('merchant.test', { all }, (err, address, family) => resolve({ err, address, family })),
    )

  it('refuses a name whose every answer is private', async () => {
    const { err } = await run(guardedLookup(networkPolicy(), answer('10.0.0.5', 'fd00::5')), false)
    expect(err).toBeInstanceOf(BlockedAddressError)
    // The name the merchant typed, never what it resolved to (the DNS answers of the operator's network).
    expect(err!.message).toBe('blocked: private address (merchant.test); LUNAS_WEBHOOK_ALLOW_NETWORKS can allow it')
  })

  it('drops private answers and keeps the public ones', async () => {
    const lookup = guardedLookup(networkPolicy(), answer('127.0.0.1', '93.184.215.14', '::1', '2606:2800::1'))
    expect(await run(lookup, true)).toMatchObject({
      err: null,
      address: [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800::1', family: 6 },
      ],
    })
    expect(await run(lookup, false)).toMatchObject({ err: null, address: '93.184.215.14', family: 4 })
  })

  it('passes DNS errors through', async () => {
    const failing: LookupFunction = (_h, _o, cb) => cb(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }), '')
    const { err } = await run(guardedLookup(networkPolicy(), failing), false)
    expect(err).toMatchObject({ code: 'ENOTFOUND' })
  })
})
