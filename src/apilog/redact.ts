/**
 * What of a request may be kept in the API-call log: pure functions, so the rules are tested without a server.
 * Anything that looks like a credential is replaced by `[redacted]` before it is buffered, so no secret ever reaches
 * memory queues, the database or a listing.
 */

export const REDACTED = '[redacted]'
/** Request bodies are cut to this many bytes of JSON (after redaction); the listing says when one was cut. */
export const MAX_BODY_BYTES = 4096

// Query parameters that may carry a credential (Moota's legacy v1 took `?apikey=`).
const SECRET_QUERY = /([?&][^=&]*(?:key|token|secret|password|signature|credential|otp)[^=&]*=)[^&]*/gi

/** The URL with credential-looking query values replaced (`?apikey=[redacted]`). */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, `$1${REDACTED}`)
}

// Key names that are secrets wherever they appear inside the name (`new_password`, `clientSecret`, `bank_username`).
const SECRET_SUBSTRINGS = [
  'password',
  'passwd',
  'passcode',
  'secret',
  'token',
  'apikey',
  'credential',
  'signature',
  'authorization',
  'cookie',
  'username',
  'corporateid',
  'privatekey',
]
// Short words that are secrets only as a whole word of the name (`otp_code`, `pin`, `api-key`), not inside another
// word (`shipping`, `keyword`, `monkey`).
const SECRET_WORDS = new Set(['key', 'otp', 'pin', 'mpin', 'pwd', 'pass', 'auth', 'cvv', 'cvc', 'session'])

/** True when a body key names a credential. */
export function isSecretKey(key: string): boolean {
  const squashed = key.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (SECRET_SUBSTRINGS.some((s) => squashed.includes(s))) return true
  // Words of snake_case, kebab-case, dotted and camelCase names.
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
  return words.some((w) => SECRET_WORDS.has(w))
}

const MAX_DEPTH = 20

/** A copy of a parsed JSON body with every secret-looking key's value replaced, at any depth. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_DEPTH) return REDACTED
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redactValue(v, depth + 1)
  return out
}

export interface KeptBody {
  /** JSON-ready: the redacted body, or (when cut) the first bytes of its JSON text as a string; null for none. */
  body: unknown
  truncated: boolean
}

/**
 * The request body as the log keeps it. Objects and arrays are redacted key by key. A bare string body (text that is
 * not JSON) cannot be searched for secrets by key, so only its length is kept.
 */
export function keepBody(body: unknown, maxBytes = MAX_BODY_BYTES): KeptBody {
  if (body === undefined || body === null) return { body: null, truncated: false }
  if (typeof body === 'string') return { body: `[${Buffer.byteLength(body)} bytes of text]`, truncated: false }
  const redacted = redactValue(body)
  const text = JSON.stringify(redacted)
  if (Buffer.byteLength(text) <= maxBytes) return { body: redacted, truncated: false }
  // Cut by bytes, then drop a split multi-byte character at the end (it would decode as U+FFFD).
  const cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '')
  return { body: cut, truncated: true }
}
