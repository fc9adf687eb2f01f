import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import {
  type AddressInfo,
  createServer as createTcpServer,
  type LookupFunction,
  type Server as TcpServer,
} from 'node:net'
import { Readable } from 'node:stream'
import { Webhook } from 'standardwebhooks'
import { Agent, buildConnector } from 'undici'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createWebhookAgent, RESPONSE_LIMIT, send } from './send.ts'
import { mootaSignature, standardWebhooksSecret, webhookHeaders } from './sign.ts'
import { guardConnector, networkPolicy } from './ssrf.ts'

type Seen = { method: string; url: string; rawHeaders: string[]; body: Buffer }

/** A real HTTP server on a loopback address that records what reached it. */
async function receiver(
  host: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => s.end('OK'),
): Promise<{ server: Server; seen: Seen[]; port: number }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) })
      handler(req, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  return { server, seen, port: (server.address() as AddressInfo).port }
}

const stop = (s: Server | TcpServer) =>
  new Promise<void>((resolve) => {
    if ('closeAllConnections' in s) s.closeAllConnections()
    s.close(() => resolve())
  })

const answer =
  (address: string): LookupFunction =>
  (_host, options, callback) => {
    const family = address.includes(':') ? 6 : 4
    if (options.all) callback(null, [{ address, family }])
    else callback(null, address, family)
  }

const SECRET = 'FcZnoVBN'
const body = Buffer.from('[{"amount":100123,"description":"buy other food"}]')
const headersNow = () =>
  webhookHeaders({
    endpointId: 'VLagzqBj42D',
    workspaceId: 'M1Z6zK0jJDY',
    secret: SECRET,
    deliveryId: 'dlv_test1',
    timestamp: Math.floor(Date.now() / 1000),
    sequence: 7,
    body,
    version: '0.1.0',
  })

const agents: Agent[] = []
const agent = (...args: Parameters<typeof createWebhookAgent>) => {
  const a = createWebhookAgent(...args)
  agents.push(a)
  return a
}

let v4: Awaited<ReturnType<typeof receiver>>
let v6: Awaited<ReturnType<typeof receiver>>
let open: Agent // loopback opened, as a self-hoster or a test would
let closed: Agent // the default policy

beforeAll(async () => {
  v4 = await receiver('127.0.0.1', (_q, s) => s.writeHead(200, { 'X-Receiver': 'yes' }).end('{"status":"success"}'))
  v6 = await receiver('::1')
  open = agent({ allow: ['127.0.0.0/8', '::1/128'] })
  closed = agent()
})
beforeEach(() => {
  v4.seen.length = 0
  v6.seen.length = 0
})
afterAll(async () => {
  await Promise.all(agents.map((a) => a.destroy()))
  await Promise.all([stop(v4.server), stop(v6.server)])
})

describe('send to an allowed receiver', () => {
  it('POSTs the exact bytes with the exact header casing, verifiable by a Standard Webhooks library', async () => {
    const r = await send(`http://127.0.0.1:${v4.port}/hook?x=1`, { agent: open, headers: headersNow(), body })
    expect(r).toMatchObject({ status: 200, body: '{"status":"success"}', truncated: false, error: null })
    expect(r.headers['x-receiver']).toBe('yes')
    expect(r.latencyMs).toBeGreaterThanOrEqual(0)

    const [got] = v4.seen
    expect(got).toMatchObject({ method: 'POST', url: '/hook?x=1' })
    expect(got!.body.equals(body)).toBe(true)
    const names = got!.rawHeaders.filter((_, i) => i % 2 === 0)
    for (const n of ['Content-Type', 'Accept', 'User-Agent', 'X-MOOTA-USER', 'X-MOOTA-WEBHOOK', 'Signature',
      'webhook-id', 'webhook-timestamp', 'webhook-signature', 'webhook-sequence'])
      expect(names).toContain(n)
    const h: Record<string, string> = {}
    for (let i = 0; i < got!.rawHeaders.length; i += 2) h[got!.rawHeaders[i]!] = got!.rawHeaders[i + 1]!
    expect(h['Signature']).toBe(mootaSignature(SECRET, got!.body))
    expect(h['User-Agent']).toContain('MootaBot')
    expect(new Webhook(standardWebhooksSecret(SECRET)).verify(got!.body, h)).toEqual(JSON.parse(body.toString()))
  })

  it('reaches IPv6 loopback when ::1/128 is opened', async () => {
    const r = await send(`http://[::1]:${v6.port}/`, { agent: open, headers: headersNow(), body })
    expect(r).toMatchObject({ status: 200, body: 'OK', error: null })
    expect(v6.seen).toHaveLength(1)
  })

  it('connects to the address WHATWG normalises numeric hosts to', async () => {
    for (const h of ['2130706433', '0x7f.1', '017700000001', '127.1', '[::ffff:127.0.0.1]']) {
      const r = await send(`http://${h}:${v4.port}/`, { agent: open, headers: headersNow(), body })
      expect(r.status, h).toBe(200)
    }
    expect(v4.seen).toHaveLength(5)
  })

  it('connects to a name resolving to an opened address through the real connect path', async () => {
    const a = agent({ allow: ['127.0.0.0/8'], lookup: answer('127.0.0.1') })
    const r = await send(`http://merchant.test:${v4.port}/`, { agent: a, headers: headersNow(), body })
    expect(r.status).toBe(200)
    expect(v4.seen).toHaveLength(1)
  })
})

describe('SSRF guard by default', () => {
  const blocked = async (url: string, a: Agent = closed) => {
    const r = await send(url, { agent: a, headers: headersNow(), body })
    expect(r.status, url).toBeNull()
    expect(r.error, url).toMatchObject({ kind: 'blocked' })
    // Names the host as typed (WHATWG-canonical), never the address a name resolved or connected to.
    const typed = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')
    expect(r.error!.message, url).toBe(`private address (${typed}); LUNAS_WEBHOOK_ALLOW_NETWORKS can allow it`)
  }

  it('refuses literal loopback addresses in every spelling', async () => {
    for (const h of ['127.0.0.1', '2130706433', '0x7f.1', '017700000001', '127.1', '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:7f00:1]', '[::ffff:0:7f00:1]', '[::ffff:0:127.0.0.1]', '[64:ff9b::7f00:1]'])
      await blocked(`http://${h}:${v4.port}/`)
    await blocked(`http://[::1]:${v6.port}/`)
    expect(v4.seen).toHaveLength(0)
    expect(v6.seen).toHaveLength(0)
  })

  it('refuses 0.0.0.0 even when loopback is opened (Linux would connect it to localhost)', async () => {
    await blocked(`http://0:${v4.port}/`, open)
    await blocked(`http://0.0.0.0:${v4.port}/`, open)
    expect(v4.seen).toHaveLength(0)
  })

  it('refuses metadata, private and link-local literals', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://[fe80::1]/',
      'http://[fc00::1]/', 'https://100.64.0.1/'])
      await blocked(url)
  })

  it('refuses names resolving to private addresses, by injected answer or real DNS', async () => {
    await blocked(`http://merchant.test:${v4.port}/`, agent({ lookup: answer('127.0.0.1') }))
    await blocked(`http://merchant.test:${v4.port}/`, agent({ lookup: answer('::ffff:127.0.0.1') }))
    await blocked(`http://metadata.test/`, agent({ lookup: answer('169.254.169.254') }))
    await blocked(`http://localhost:${v4.port}/`)
    expect(v4.seen).toHaveLength(0)
  })

  it('checks the address actually connected to, whatever the lookup said', async () => {
    // A connector whose lookup is NOT filtered: only the after-connect check stands between it and loopback.
    const unfiltered = buildConnector({ timeout: 1000, lookup: answer('127.0.0.1') })
    const a = new Agent({ connect: guardConnector(unfiltered, networkPolicy()) })
    agents.push(a)
    await blocked(`http://merchant.test:${v4.port}/`, a)
    expect(v4.seen).toHaveLength(0)
  })
})

describe('what the receiver does', () => {
  let servers: (Server | TcpServer)[] = []
  afterAll(async () => {
    await Promise.all(servers.map(stop))
    servers = []
  })
  const listen = async <S extends Server | TcpServer>(s: S): Promise<number> => {
    servers.push(s)
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
    return (s.address() as AddressInfo).port
  }

  it('never follows a redirect', async () => {
    const r = await send(`http://127.0.0.1:${await listen(createServer((_q, s) =>
      s.writeHead(302, { Location: `http://127.0.0.1:${v4.port}/stolen` }).end()))}/`,
    { agent: open, headers: headersNow(), body })
    expect(r).toMatchObject({ status: 302, error: null })
    expect(r.headers.location).toBe(`http://127.0.0.1:${v4.port}/stolen`)
    expect(v4.seen).toHaveLength(0)
  })

  it('reads only the first 4 KB of a huge answer', async () => {
    let served = 0
    const port = await listen(createServer((_q, s) => {
      const chunk = Buffer.alloc(64 * 1024, 'x')
      const endless = new Readable({ read() { served += chunk.length; this.push(chunk) } })
      s.on('close', () => endless.destroy())
      endless.pipe(s).on('error', () => {})
    }))
    const r = await send(`http://127.0.0.1:${port}/`, { agent: open, headers: headersNow(), body, timeoutMs: 5000 })
    expect(r).toMatchObject({ status: 200, truncated: true, error: null })
    expect(r.body).toBe('x'.repeat(RESPONSE_LIMIT))
    expect(served).toBeLessThan(64 * 1024 * 1024)
  })

  it('classifies an answer that is not HTTP as protocol', async () => {
    // The server ends its side and reads on, so closing stays up to us: a socket we leak would hang afterAll.
    const port = await listen(createTcpServer((sock) => sock.resume().end('garbage\r\n\r\n\u0000\u00ff')))
    const r = await send(`http://127.0.0.1:${port}/`, { agent: open, headers: headersNow(), body })
    expect(r).toMatchObject({ status: null, error: { kind: 'protocol' } })
  })

  it('gives up on a silent receiver after timeoutMs', async () => {
    const port = await listen(createServer(() => {}))
    const r = await send(`http://127.0.0.1:${port}/`, { agent: open, headers: headersNow(), body, timeoutMs: 300 })
    expect(r).toMatchObject({ status: null, error: { kind: 'timeout' } })
    expect(r.latencyMs).toBeGreaterThanOrEqual(250)
    expect(r.latencyMs).toBeLessThan(3000)
  })

  it('times out a body that never ends, keeping the status', async () => {
    const port = await listen(createServer((_q, s) => s.writeHead(200).write('partial')))
    const r = await send(`http://127.0.0.1:${port}/`, { agent: open, headers: headersNow(), body, timeoutMs: 300 })
    expect(r).toMatchObject({ status: 200, error: { kind: 'timeout' } })
  })

  it('times out DNS plus connect after the agent connect timeout', async () => {
    const hanging: LookupFunction = () => {}
    const a = agent({ allow: ['127.0.0.0/8'], connectTimeoutMs: 200, lookup: hanging })
    const r = await send(`http://merchant.test:${v4.port}/`, { agent: a, headers: headersNow(), body })
    expect(r).toMatchObject({ status: null, error: { kind: 'connect_timeout' } })
    expect(r.latencyMs).toBeLessThan(3000)
  })

  it('classifies refused connections, DNS failures, TLS failures and bad URLs', async () => {
    const s = createTcpServer()
    const port = await listen(s)
    await stop(s)
    expect((await send(`http://127.0.0.1:${port}/`, { agent: open, headers: {}, body })).error?.kind).toBe('connect')

    const nx: LookupFunction = (_h, _o, cb) =>
      cb(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), '')
    const dns = await send('http://nx.test/', { agent: agent({ lookup: nx }), headers: {}, body })
    expect(dns.error?.kind).toBe('dns')

    const tls = await send(`https://127.0.0.1:${v4.port}/`, { agent: open, headers: {}, body })
    expect(tls.error?.kind).toBe('tls')

    expect((await send('ftp://example.com/', { agent: open, headers: {}, body })).error?.kind).toBe('invalid_url')
    expect((await send('not a url', { agent: open, headers: {}, body })).error?.kind).toBe('invalid_url')
  })
})
