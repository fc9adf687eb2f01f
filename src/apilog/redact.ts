/**
 * What of a request may be kept in the API-call log: pure functions, so the rules are tested without a server.
 * Anything that looks like a credential is replaced by `[redacted]` before it is buffered, so no secret ever reaches
 * memory queues, the database or a listing.
 */

export const REDACTED = '[redacted]'
/** Request bodies are cut to this many bytes of JSON (after redaction); the listing says when one was cut. */
export const MAX_BODY_BYTES = 4096

/** URLs are cut to this many characters (marked `…`) before their query is looked at, and again after redaction. */
export const MAX_URL_CHARS = 2048

// Query parameter names that carry a credential wherever they appear inside the name (Moota's legacy v1 took
// `?apikey=`; `key` alone also catches `api_key`, `x-api-key`). Compared lowercased, without separators.
const SECRET_QUERY_SUBSTRINGS = [
  'key',
  'token',
  'secret',
  'password',
  'passwd',
  'passcode',
  'pwd',
  'signature',
  'credential',
  'otp',
  'authorization',
  'bearer',
  'jwt',
]
// Short words that are secrets only as a whole word of the name (`pass`, `auth_code`), not inside another word
// (`compass`, `author`, `shipping`).
const SECRET_QUERY_WORDS = new Set(['pass', 'auth', 'pin', 'mpin'])

/** The name as the server reads it (percent-decoded), or as written when its escapes are malformed. */
function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

const isLower = (c: string) => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
const isUpper = (c: string) => c >= 'A' && c <= 'Z'

/** True when a query parameter name looks like a credential's. Plain string operations: linear in the name. */
function isSecretQueryName(raw: string): boolean {
  const name = decodedName(raw)
  // Words of snake_case, kebab-case, dotted and camelCase names; `squashed` is the name without separators.
  const words: string[] = []
  let word = ''
  let squashed = ''
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!
    if (isUpper(c) && i > 0 && isLower(name[i - 1]!) && word) {
      words.push(word)
      word = ''
    }
    const lower = c.toLowerCase()
    if (isLower(lower)) {
      word += lower
      squashed += lower
    } else if (word) {
      words.push(word)
      word = ''
    }
  }
  if (word) words.push(word)
  return SECRET_QUERY_SUBSTRINGS.some((s) => squashed.includes(s)) || words.some((w) => SECRET_QUERY_WORDS.has(w))
}

/**
 * One `&`-separated parameter with a secret-looking value redacted. A `?` inside the name is text of the name; one
 * inside a non-secret value starts another `name=value` (a client that appended `?apikey=` to a URL that already had a
 * query sends exactly that), which is redacted the same way. Each character is looked at a bounded number of times.
 */
function redactParam(param: string): string {
  let start = 0
  for (;;) {
    const eq = param.indexOf('=', start)
    if (eq < 0) return param
    if (isSecretQueryName(param.slice(start, eq))) return `${param.slice(0, eq + 1)}${REDACTED}`
    const q = param.indexOf('?', eq + 1)
    if (q < 0) return param
    start = q + 1
  }
}

/**
 * The URL with credential-looking query values replaced (`?apikey=[redacted]`), cut to `MAX_URL_CHARS` first so that
 * a hostile URL costs no more than a short one. No regex: string splits only, so no input can make it backtrack.
 */
export function redactUrl(url: string): string {
  const cut = url.length > MAX_URL_CHARS
  const kept = cut ? url.slice(0, MAX_URL_CHARS) : url
  const q = kept.indexOf('?')
  const out = q < 0 ? kept : `${kept.slice(0, q + 1)}${kept.slice(q + 1).split('&').map(redactParam).join('&')}`
  // Redaction lengthens short values; cutting its output shows only a prefix of what is already redacted.
  if (out.length > MAX_URL_CHARS) return `${out.slice(0, MAX_URL_CHARS)}…`
  return cut ? `${out}…` : out
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
  'jwt',
  'bearer',
]
// Short words that are secrets only as a whole word of the name (`otp_code`, `pin`, `api-key`), not inside another
// word (`shipping`, `keyword`, `monkey`).
const SECRET_WORDS = new Set([
  'key',
  'otp',
  'totp',
  'hotp',
  'pin',
  'mpin',
  'pincode',
  'pwd',
  'pass',
  'auth',
  'cvv',
  'cvc',
  'session',
])

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
