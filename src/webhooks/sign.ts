/**
 * Signatures and headers of a delivery. Every request carries both schemes (reference/webhooks.md §7.6):
 * - Moota's `Signature`: lowercase hex HMAC-SHA256 of the raw body keyed by the endpoint's `secret_token`
 *   (reference/moota-api.md §6.3), which existing Moota plugins check. It signs no timestamp, so it cannot stop
 *   replays.
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` = `v1,` + base64 HMAC-SHA256 of
 *   `id.timestamp.body`, keyed by the same secret's UTF-8 bytes. A merchant verifies it with any Standard Webhooks
 *   library and the secret `whsec_` + base64(secret_token) (see standardWebhooksSecret).
 * Pure: the caller gives the clock and the ids.
 */
import { createHmac } from 'node:crypto'

/** Moota's `Signature` header value. */
export function mootaSignature(secret: string, body: Uint8Array): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')
}

/** The Standard Webhooks `webhook-signature` value (one `v1` signature). */
export function standardSignature(secret: string, id: string, timestamp: number, body: Uint8Array): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
  mac.update(`${id}.${timestamp}.`, 'utf8').update(body)
  return `v1,${mac.digest('base64')}`
}

/** The secret in Standard Webhooks form, to show the merchant next to the raw `secret_token`. */
export function standardWebhooksSecret(secret: string): string {
  return `whsec_${Buffer.from(secret, 'utf8').toString('base64')}`
}

/** `Lunas/<version> (MootaBot/1.5 compatible)`: receivers check that the User-Agent contains `MootaBot`. */
export function userAgent(version: string): string {
  return `Lunas/${version} (MootaBot/1.5 compatible)`
}

export interface HeaderParams {
  /** The endpoint's public id, sent as `X-MOOTA-WEBHOOK` (Moota's webhook_id). */
  endpointId: string
  /** The workspace's public id, sent as `X-MOOTA-USER` (Moota's user_id). */
  workspaceId: string
  secret: string
  /** Stable for every attempt and replay of the same delivery: the receiver's idempotency key. */
  deliveryId: string
  /** When this attempt is signed, in whole unix seconds (new on every attempt). */
  timestamp: number
  /** The delivery's per-endpoint number, so a receiver can spot gaps and reorder. */
  sequence: bigint | number
  body: Uint8Array
  /** Lunas' version, for the User-Agent. */
  version: string
}

/**
 * All request headers of one attempt, names in exactly this casing: some PHP receivers read
 * `getallheaders()['Signature']` case-sensitively (reference/moota-api.md §6.2). The Standard Webhooks names are
 * lowercase as in that spec.
 */
export function webhookHeaders(p: HeaderParams): Record<string, string> {
  // The spec signs `id.timestamp.body`, so neither part may contain a dot (nor anything a header cannot hold).
  if (!/^[\w-]{1,128}$/.test(p.deliveryId)) throw new TypeError('delivery id must be 1–128 letters, digits, _ or -')
  if (!Number.isSafeInteger(p.timestamp) || p.timestamp < 0)
    throw new TypeError('timestamp must be whole unix seconds')
  return {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'User-Agent': userAgent(p.version),
    'X-MOOTA-USER': p.workspaceId,
    'X-MOOTA-WEBHOOK': p.endpointId,
    Signature: mootaSignature(p.secret, p.body),
    'webhook-id': p.deliveryId,
    'webhook-timestamp': String(p.timestamp),
    'webhook-signature': standardSignature(p.secret, p.deliveryId, p.timestamp, p.body),
    'webhook-sequence': String(p.sequence),
  }
}
