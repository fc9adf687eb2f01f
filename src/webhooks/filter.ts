/**
 * Which endpoints receive which event: Moota's per-webhook filters (one account or all, credit/debit/both, a
 * unique-code range on the whole-rupiah amount modulo 1000) plus Lunas' own event-type and format rules. Pure, so the
 * fan-out SQL shell and the "push again" route decide exactly alike.
 */
import type { Sen } from '../shared/money.ts'

export type Kinds = 'credit' | 'debit' | 'both'
export type WebhookFormat = 'moota' | 'lunas'

/** The event types an endpoint may subscribe to; `moota` endpoints only ever receive new mutations. */
export const EVENT_TYPES = ['mutation.created', 'endpoint.disabled'] as const
export type EventType = (typeof EVENT_TYPES)[number]

export interface EndpointFilter {
  /** Internal account id, or null for every live account of the workspace. */
  accountId: string | null
  /** Whether the named account (when there is one) is a sandbox account. */
  accountSandbox: boolean
  /** Whether a sandbox-mode token created the endpoint: its "every account" then means every sandbox account. */
  sandbox: boolean
  kinds: Kinds
  startUniqueCode: number
  endUniqueCode: number
  eventTypes: readonly string[]
  format: WebhookFormat
}

export interface MutationFacts {
  accountId: string
  direction: 'CR' | 'DB'
  amount: Sen
  sandbox: boolean
}

/** Moota's "kode unik": the last three digits of the whole-rupiah amount (Rp18.300 → 300, Rp25.000 → 0). */
export function uniqueCodeOf(amount: Sen): number {
  return Number((amount / 100n) % 1000n)
}

/** Whether an endpoint subscribed to `type` at all (format first: Moota receivers never see anything else). */
export function wantsEvent(e: Pick<EndpointFilter, 'eventTypes' | 'format'>, type: string): boolean {
  if (e.format === 'moota' && type !== 'mutation.created') return false
  return e.eventTypes.includes(type)
}

export function matchesMutation(e: EndpointFilter, m: MutationFacts): boolean {
  if (!wantsEvent(e, 'mutation.created')) return false
  // "All accounts" means all accounts of the endpoint's mode: a sandbox mutation reaches a live endpoint only when it
  // names its account, and a live mutation never reaches a sandbox endpoint (which can name sandbox accounts only).
  if (e.accountId === null ? m.sandbox !== e.sandbox : e.accountId !== m.accountId) return false
  if (e.kinds === 'credit' && m.direction !== 'CR') return false
  if (e.kinds === 'debit' && m.direction !== 'DB') return false
  const code = uniqueCodeOf(m.amount)
  return code >= e.startUniqueCode && code <= e.endUniqueCode
}
