import { readFileSync } from 'node:fs'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { encodeJson, type Json } from './json.ts'
import {
  mootaSignature,
  standardSignature,
  standardWebhooksSecret,
  userAgent,
  webhookHeaders,
} from './sign.ts'

const fixture = (path: string) => readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url), 'utf8')
const bytes = (s: string) => Buffer.from(s, 'utf8')

describe('mootaSignature (reference/moota-api.md §6.3)', () => {
  it("vector 1: Moota's own delivery record, key FcZnoVBN", () => {
    const record = JSON.parse(fixture('moota-api/Webhook/MockingWebhookHistoryResponse.json')).data[0]
    const body = bytes(JSON.stringify(record.payload))
    expect(mootaSignature('FcZnoVBN', body)).toBe('48fd0e1eecf65f66196aa1e37a68b0139f8cf29bc5788dd63be6a6b5057cf166')
    expect(mootaSignature('FcZnoVBN', body)).toBe(record.headers.Signature)
  })

  it("vector 2: atfromhome's sample, key secret-token, over the compact body", () => {
    const compact =
      '[{"account_number":4966821,"date":"2024-02-07 20:14:33","description":"Test aja","amount":"10000","type":"CR","balance":520000,"updated_at":"2024-02-07 20:14:33","created_at":"2024-02-07 20:14:33","mutation_id":"6192242","token":"secret-token","bank_id":"2219812"}]'
    const expected = 'e717ca2bf26ccaffa5633f56e6493dad309f2a0190581ced69de6b295155e616'
    expect(mootaSignature('secret-token', bytes(compact))).toBe(expected)
    expect(JSON.parse(fixture('webhooks/moota_webhook-header.json')).Signature).toBe(expected)
    // Our writer turns the pretty-printed fixture into exactly those bytes.
    const parsed = JSON.parse(fixture('webhooks/moota_webhook-body.json')) as Json
    expect(encodeJson(parsed)).toBe(compact)
  })

  it('depends on every byte and on the key', () => {
    const body = bytes('[{"amount":100123}]')
    const sig = mootaSignature('k', body)
    expect(sig).toMatch(/^[0-9a-f]{64}$/)
    expect(mootaSignature('k', bytes('[{"amount":100124}]'))).not.toBe(sig)
    expect(mootaSignature('K', body)).not.toBe(sig)
  })
})

describe('standardSignature', () => {
  const secret = 'FcZnoVBN'
  const body = bytes('[{"amount":100123}]')
  const now = Math.floor(Date.now() / 1000)

  it('verifies with the standardwebhooks package, whsec_ form or raw', () => {
    const headers = {
      'webhook-id': 'dlv_01HZX',
      'webhook-timestamp': String(now),
      'webhook-signature': standardSignature(secret, 'dlv_01HZX', now, body),
    }
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
    expect(new Webhook(standardWebhooksSecret(secret)).verify(body, headers)).toEqual([{ amount: 100123 }])
    expect(new Webhook(secret, { format: 'raw' }).verify(body, headers)).toEqual([{ amount: 100123 }])
    // The library signs the same bytes the same way.
    expect(new Webhook(standardWebhooksSecret(secret)).sign('dlv_01HZX', new Date(now * 1000), body)).toBe(
      headers['webhook-signature'],
    )
  })

  it('keys by the UTF-8 bytes of the secret, which the whsec_ form carries', () => {
    const s = 'rahasia-€'
    const headers = {
      'webhook-id': 'x',
      'webhook-timestamp': String(now),
      'webhook-signature': standardSignature(s, 'x', now, body),
    }
    expect(standardWebhooksSecret(s)).toBe(`whsec_${Buffer.from('rahasia-€').toString('base64')}`)
    expect(() => new Webhook(standardWebhooksSecret(s)).verify(body, headers)).not.toThrow()
  })

  it('fails verification when the body, id or timestamp changes', () => {
    const wh = new Webhook(standardWebhooksSecret(secret))
    const sig = standardSignature(secret, 'a', now, body)
    const ok = { 'webhook-id': 'a', 'webhook-timestamp': String(now), 'webhook-signature': sig }
    expect(() => wh.verify(bytes('[{"amount":100124}]'), ok)).toThrow()
    expect(() => wh.verify(body, { ...ok, 'webhook-id': 'b' })).toThrow()
    expect(() => wh.verify(body, { ...ok, 'webhook-timestamp': String(now + 1) })).toThrow()
  })
})

describe('webhookHeaders', () => {
  const params = {
    endpointId: 'VLagzqBj42D',
    workspaceId: 'M1Z6zK0jJDY',
    secret: 'FcZnoVBN',
    deliveryId: 'dlv_2f0c9a',
    timestamp: 1_795_000_000,
    sequence: 42n,
    body: bytes(encodeJson([{ amount: 1 }])),
    version: '0.1.0',
  }

  it('has every header, in exactly this casing', () => {
    const h = webhookHeaders(params)
    expect(Object.keys(h)).toEqual([
      'Content-Type',
      'Accept',
      'User-Agent',
      'X-MOOTA-USER',
      'X-MOOTA-WEBHOOK',
      'Signature',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'webhook-sequence',
    ])
    expect(h).toMatchObject({
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': 'Lunas/0.1.0 (MootaBot/1.5 compatible)',
      'X-MOOTA-USER': 'M1Z6zK0jJDY',
      'X-MOOTA-WEBHOOK': 'VLagzqBj42D',
      Signature: mootaSignature('FcZnoVBN', params.body),
      'webhook-id': 'dlv_2f0c9a',
      'webhook-timestamp': '1795000000',
      'webhook-signature': standardSignature('FcZnoVBN', 'dlv_2f0c9a', 1_795_000_000, params.body),
      'webhook-sequence': '42',
    })
    expect(userAgent('1.2.3')).toContain('MootaBot')
  })

  it('never carries the secret itself', () => {
    expect(Object.values(webhookHeaders(params)).join('\n')).not.toContain('FcZnoVBN')
  })

  it('keeps webhook-id stable and re-signs a retry with its new timestamp', () => {
    const first = webhookHeaders(params)
    const retry = webhookHeaders({ ...params, timestamp: params.timestamp + 300 })
    expect(retry['webhook-id']).toBe(first['webhook-id'])
    expect(retry.Signature).toBe(first.Signature)
    expect(retry['webhook-signature']).not.toBe(first['webhook-signature'])
  })

  it('refuses ids and timestamps the Standard Webhooks scheme cannot sign unambiguously', () => {
    expect(() => webhookHeaders({ ...params, deliveryId: 'a.b' })).toThrow(/delivery id/)
    expect(() => webhookHeaders({ ...params, deliveryId: '' })).toThrow(/delivery id/)
    expect(() => webhookHeaders({ ...params, timestamp: 1.5 })).toThrow(/unix seconds/)
  })
})
