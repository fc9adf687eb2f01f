/**
 * One HTTP attempt of a delivery: POST the exact signed bytes, never follow a redirect (a 3xx is returned as is,
 * and the delivery engine counts it as a failure, as Standard Webhooks asks), keep at most the first 4 KB of the
 * answer, and turn every failure into a small set of kinds instead of throwing. Whatever the receiver does (huge
 * body, garbage, silence) ends in a result. The thin I/O shell: the SSRF policy and hooks are in ssrf.ts, wired
 * into the undici Agent here.
 */
import type { LookupFunction } from 'node:net'
import { performance } from 'node:perf_hooks'
import { Agent, buildConnector, type Dispatcher, request } from 'undici'
import { BLOCKED, type BlockedAddressError, guardConnector, guardedLookup, networkPolicy } from './ssrf.ts'

export interface WebhookAgentParams {
  /** Opened ranges, canonical CIDRs (config `webhookAllowNetworks`). */
  allow?: readonly string[]
  /** Limit for DNS lookup plus TCP (and TLS) connect, ms. */
  connectTimeoutMs?: number
  /** The DNS lookup behind the guard; dns.lookup by default. */
  lookup?: LookupFunction
}

/** The undici dispatcher deliveries go through (one per process; it pools keep-alive connections per origin). */
export function createWebhookAgent({ allow = [], connectTimeoutMs = 5000, lookup }: WebhookAgentParams = {}): Agent {
  const policy = networkPolicy(allow)
  const base = buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup(policy, lookup) })
  return new Agent({ connect: guardConnector(base, policy) })
}

/** Bytes of the receiver's answer kept for the delivery log. */
export const RESPONSE_LIMIT = 4096

export type SendErrorKind =
  | 'invalid_url' // not an http(s) URL
  | 'blocked' // the SSRF guard refused the address
  | 'dns' // the name does not resolve
  | 'connect' // refused, unreachable, reset before an answer
  | 'connect_timeout' // DNS + connect took longer than the agent's connect timeout
  | 'timeout' // the whole request took longer than timeoutMs
  | 'tls' // handshake or certificate failure
  | 'protocol' // the answer is not HTTP
  | 'network' // anything else on the way

export interface SendResult {
  /** HTTP status, or null when no answer arrived. */
  status: number | null
  /** Response headers, lowercase names (repeated ones joined with ", "). */
  headers: Record<string, string>
  /** The first RESPONSE_LIMIT bytes of the answer, as UTF-8 text. */
  body: string
  /** Whether the answer was longer than what `body` holds (the rest was not read). */
  truncated: boolean
  latencyMs: number
  /** Null when the exchange completed; an attempt succeeded only if this is null and the status is 2xx. */
  error: { kind: SendErrorKind; message: string } | null
}

export interface SendParams {
  /** The agent from createWebhookAgent (its connect timeout and SSRF guard apply). */
  agent: Dispatcher
  headers: Record<string, string>
  body: Uint8Array
  /** Limit for the whole attempt, connect to last byte read, ms. */
  timeoutMs?: number
}

type Failure = { kind: SendErrorKind; message: string }

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'])
const CONNECT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EPIPE'])
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/** Which kind of failure an error (or anything in its `cause` chain) is. */
export function classifyError(err: unknown): Failure {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 500)
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = String((e as { code?: unknown }).code ?? '')
    const kind: SendErrorKind | null =
      code === BLOCKED
        ? 'blocked'
        : code === 'UND_ERR_CONNECT_TIMEOUT'
          ? 'connect_timeout'
          : e.name === 'TimeoutError' || TIMEOUT.has(code)
            ? 'timeout'
            : DNS.has(code)
              ? 'dns'
              : CONNECT.has(code) || code === 'UND_ERR_SOCKET'
                ? 'connect'
                : /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code)
                  ? 'tls'
                  : e.name === 'HTTPParserError' || code.startsWith('HPE_')
                    ? 'protocol'
                    : null
    // A refusal's own message starts with "blocked: ", which the kind already says wherever the two are shown.
    const text = kind === 'blocked' ? ((e as Partial<BlockedAddressError>).reason ?? e.message) : e.message
    if (kind) return { kind, message: text.slice(0, 500) }
  }
  return { kind: 'network', message }
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

/** POSTs `body` to `url` once. Never throws. */
export async function send(url: string, { agent, headers, body, timeoutMs = 15_000 }: SendParams): Promise<SendResult> {
  const started = performance.now()
  const result: SendResult = { status: null, headers: {}, body: '', truncated: false, latencyMs: 0, error: null }
  const done = (error: Failure | null): SendResult => {
    result.latencyMs = Math.round(performance.now() - started)
    result.error = error
    return result
  }
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return done({ kind: 'invalid_url', message: 'not a URL' })
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return done({ kind: 'invalid_url', message: `${target.protocol} is not http: or https:` })

  try {
    // undici's request() follows no redirects; the signal bounds connect, headers and the body read together.
    const res = await request(target, {
      method: 'POST',
      dispatcher: agent,
      headers,
      body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    result.status = res.statusCode
    result.headers = flatHeaders(res.headers)
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res.body) {
      chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
      // Leaving the loop destroys the stream: the rest of a huge answer is never downloaded.
      if (size > RESPONSE_LIMIT) break
    }
    result.truncated = size > RESPONSE_LIMIT
    result.body = Buffer.concat(chunks).subarray(0, RESPONSE_LIMIT).toString('utf8')
    return done(null)
  } catch (err) {
    return done(classifyError(err))
  }
}
