/**
 * docs/webhooks.md promises merchants exact bytes: a body, its headers and both signatures, and three programs that
 * verify them. This test rebuilds every one of those values with Lunas' own code (payload.ts, sign.ts, schedule.ts),
 * reads the doc's values from the blocks after its `<!-- example:… -->` markers, and runs the programs, so a change
 * in the code that the doc does not follow fails here instead of in a merchant's receiver.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { MootaMutationInput } from '../src/api/moota/presenters.ts'
import { presentMutation } from '../src/api/presenters.ts'
import { lunasEnvelope } from '../src/webhooks/fanout.ts'
import { webhookBody } from '../src/webhooks/payload.ts'
import { DEFAULT_SCHEDULE, parseSchedule } from '../src/webhooks/schedule.ts'
import { standardWebhooksSecret, webhookHeaders } from '../src/webhooks/sign.ts'

const DOC = readFileSync(new URL('../docs/webhooks.md', import.meta.url), 'utf8')

/** The text of the fenced block right after `<!-- example:<name> -->`. */
function example(name: string): string {
  const lines = DOC.split('\n')
  const at = lines.indexOf(`<!-- example:${name} -->`)
  if (at < 0 || !lines[at + 1]?.startsWith('```')) throw new Error(`no fenced block after example:${name}`)
  const end = lines.indexOf('```', at + 2)
  return lines.slice(at + 2, end).join('\n')
}

// The mutation the doc's example shows: a BCA transfer of Rp150.123 (amounts in sen, times in UTC).
const account = {
  id: '1',
  publicId: 'Kd9pXw2mQ7L',
  kind: 'bank' as const,
  bankType: 'bca',
  accountNumber: '1234567890',
  holderName: 'TOKO MAJU',
  label: 'BCA Toko Maju',
  refreshMinutes: 15,
  active: true,
  sandbox: false,
  settings: {},
  nextSyncAt: new Date('2026-11-20T07:20:00Z'),
  createdAt: new Date('2026-11-01T02:00:00Z'),
  balance: 125012300n,
  lastUpdate: new Date('2026-11-20T07:05:12Z'),
}
const mutation: MootaMutationInput = {
  publicId: 'Vb3nR8tZq1A',
  type: 'CR',
  amount: 15012300n,
  balance: 125012300n,
  description: 'TRSF E-BANKING CR 2011/FTSCY/WS95031 150123.00 BUDI SANTOSO',
  note: '',
  occurredAt: new Date('2026-11-20T07:05:00Z'),
  createdAt: new Date('2026-11-20T07:05:12Z'),
  updatedAt: new Date('2026-11-20T07:05:12Z'),
  account,
  taggings: [],
}

const secret = example('secret')
const body = example('body')
// `Name: value` lines after the request line. Host, Connection and Content-Length come from the HTTP client.
const TRANSPORT = new Set(['Host', 'Connection', 'Content-Length'])
const sent = example('headers')
  .split('\n')
  .slice(1)
  .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)] as const)
const header = (name: string) => sent.find(([k]) => k === name)?.[1] ?? ''
const expectedHeaders = webhookHeaders({
  endpointId: header('X-MOOTA-WEBHOOK'),
  workspaceId: header('X-MOOTA-USER'),
  secret,
  deliveryId: header('webhook-id'),
  timestamp: Number(header('webhook-timestamp')),
  sequence: Number(header('webhook-sequence')),
  body: Buffer.from(body, 'utf8'),
  version: /^Lunas\/(\S+) /.exec(header('User-Agent'))?.[1] ?? '',
})

describe('docs/webhooks.md: the worked example', () => {
  it('shows the body Lunas writes for the example mutation, compact and pretty-printed', () => {
    expect(body).toBe(webhookBody([mutation]).toString('utf8'))
    expect(JSON.parse(example('pretty-body'))).toEqual(JSON.parse(body))
    // The pretty form keeps PHP's `\/`, as the bytes on the wire have it.
    expect(example('pretty-body')).toContain('2011\\/FTSCY\\/WS95031')
  })

  it('shows the lunas-format envelope Lunas writes for the same mutation', () => {
    const listed = { ...mutation, accountPublicId: account.publicId, bankType: 'bca', sandbox: false }
    const data = presentMutation({ ...listed, source: 'csv', reference: null }, [])
    const event = { publicId: 'Ev5Jm3Qx8Tn', type: 'mutation.created', createdAt: new Date('2026-11-20T07:05:12.345Z') }
    expect(JSON.parse(example('lunas-body'))).toEqual(JSON.parse(lunasEnvelope(event, data)))
  })

  it('shows exactly the headers and both signatures sign.ts computes for that secret, body and timestamp', () => {
    expect(sent.filter(([k]) => !TRANSPORT.has(k))).toEqual(Object.entries(expectedHeaders))
    expect(header('Content-Length')).toBe(String(Buffer.byteLength(body)))
    expect(expectedHeaders.Signature).toMatch(/^[0-9a-f]{64}$/)
    expect(expectedHeaders['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
    expect(DOC).toContain(`\`${standardWebhooksSecret(secret)}\``)
  })

  it("prints the retry schedule of schedule.ts, with each attempt's delay and time since the first", () => {
    expect(DOC).toContain(`default \`${DEFAULT_SCHEDULE}\``)
    const rows = [...DOC.matchAll(/^\| (\d+) \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => m.slice(1).map((c) => c.trim()))
    const delays = parseSchedule(DEFAULT_SCHEDULE)
    expect(rows.map(([n]) => Number(n))).toEqual(Array.from({ length: delays.length + 1 }, (_, i) => i + 1))
    let since = 0
    rows.slice(1).forEach(([, delay, total], i) => {
      since += delays[i]!
      expect(delay).toBe(duration(delays[i]!))
      expect(total!.startsWith(duration(since))).toBe(true)
    })
  })
})

/** `9_305_000` → `2 h 35 min 5 s`, the doc's way of writing a duration. */
function duration(ms: number): string {
  const s = ms / 1000
  const parts = [[Math.floor(s / 3600), 'h'], [Math.floor((s % 3600) / 60), 'min'], [s % 60, 's']] as const
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`).join(' ')
}

const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0

/** Runs a program given on stdin and returns what it printed. */
const run = (cmd: string, args: string[], code: string) =>
  execFileSync(cmd, args, { input: code, encoding: 'utf8', timeout: 20_000 })

describe('docs/webhooks.md: the verification programs', () => {
  const output = `${example('output')}\n`

  it.each(['php', 'node', 'python'])('the %s program checks the worked example, not a copy that differs', (lang) => {
    const code = example(lang)
    for (const value of [secret, body, expectedHeaders.Signature, expectedHeaders['webhook-signature']])
      expect(code).toContain(value)
    expect(code).toContain(header('webhook-id'))
    expect(code).toContain(header('webhook-timestamp'))
  })

  it('the Node program prints that both signatures are valid and a changed body is rejected', () => {
    expect(run(process.execPath, ['--input-type=module'], example('node'))).toBe(output)
  })

  it.skipIf(!has('python3'))('the Python program prints the same', () => {
    expect(run('python3', ['-'], example('python'))).toBe(output)
  })

  it.skipIf(!has('php'))('the PHP program prints the same', () => {
    expect(run('php', [], example('php'))).toBe(output)
  })
})
