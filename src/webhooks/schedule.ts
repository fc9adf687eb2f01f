/**
 * What happens after an attempt: success, a retry at a time, give up, or disable the endpoint. Pure, so the policy
 * (Standard Webhooks' schedule with jitter, Retry-After, 410, auto-disable) is tested without a clock or a network.
 */

/** Standard Webhooks' example schedule: the delay before attempts 2…10, about 3.1 days in all. */
export const DEFAULT_SCHEDULE = '5s,5m,30m,2h,5h,10h,14h,20h,24h'

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
// A Retry-After further out than this is treated as this: a receiver cannot park a delivery for weeks.
const MAX_RETRY_AFTER_MS = 24 * 3_600_000
// Rate-limited or timed-out receivers are overloaded: never come back sooner than this.
const OVERLOADED_FLOOR_MS = 60_000
const JITTER = 0.2

/** `"5s,5m,2h"` → delays in ms. Throws on anything else, so a typo in config stops start-up. */
export function parseSchedule(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim())
  return parts.map((p) => {
    const m = /^(\d+)(s|m|h|d)$/.exec(p)
    if (!m) throw new Error(`"${p}" is not a delay like 30s, 5m, 2h or 1d`)
    const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
    if (ms <= 0) throw new Error(`"${p}" must be longer than zero`)
    return ms
  })
}

export interface AttemptOutcome {
  /** HTTP status, absent when no response arrived. */
  status?: number
  /** Why no usable response arrived (connect refused, timeout, blocked address…). */
  error?: string
  timedOut?: boolean
  /** The receiver's Retry-After header, as sent. */
  retryAfter?: string
}

export type Decision =
  | { kind: 'succeeded' }
  | { kind: 'retry'; at: Date }
  | { kind: 'exhausted' }
  /** 410 Gone: the receiver says the endpoint no longer exists. */
  | { kind: 'disable' }

/** Seconds (`120`) or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: Date): number | null {
  if (!header) return null
  const t = header.trim()
  if (/^\d+$/.test(t)) return Number(t) * 1000
  const at = Date.parse(t)
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime())
}

/**
 * `attempts` counts the attempts made so far, this one included. `random` returns [0, 1) and is injectable so tests
 * see exact times.
 */
export function decide(
  outcome: AttemptOutcome,
  attempts: number,
  schedule: readonly number[],
  now: Date,
  random: () => number = Math.random,
): Decision {
  const status = outcome.status
  if (status !== undefined && status >= 200 && status < 300) return { kind: 'succeeded' }
  if (status === 410) return { kind: 'disable' }
  const base = schedule[attempts - 1]
  if (base === undefined) return { kind: 'exhausted' }
  // ±20 %, so receivers that came back at once are not hit by every endpoint's retries in the same second.
  let delay = Math.round(base * (1 - JITTER + 2 * JITTER * random()))
  if (status === 429 || status === 503 || outcome.timedOut) delay = Math.max(delay, OVERLOADED_FLOOR_MS)
  const asked = retryAfterMs(outcome.retryAfter, now)
  if (asked !== null) delay = Math.max(delay, Math.min(asked, MAX_RETRY_AFTER_MS))
  return { kind: 'retry', at: new Date(now.getTime() + delay) }
}

/** An endpoint that has failed without a single success for `windowMs` is disabled (Svix's rule: 5 days). */
export function failingTooLong(failingSince: Date | null, now: Date, windowMs: number): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= windowMs
}
