/**
 * The body of a Moota-compatible webhook: a JSON array of mutation objects (reference/moota-api.md §5, §6.1).
 * Each object is the API presenter's output (one field mapping for both surfaces), re-shaped to what Moota's
 * sender writes: money as JSON numbers instead of decimal strings, Moota's key order, and none of Lunas' extras
 * (top-level `bank_type`, `bank.sandbox`), because Moota's own signed delivery (test vector 1) has exactly these
 * keys in this order and a receiver that re-encodes before hashing depends on it. Pure.
 */
import { type MootaBankInput, type MootaMutationInput, presentMootaMutation } from '../api/moota/presenters.ts'
import type { Sen } from '../shared/money.ts'
import { encodeJson, type Json, RupiahNumber } from './json.ts'

/** One mutation as Moota's webhook shows it. */
export function webhookMutation(m: MootaMutationInput) {
  const p = presentMootaMutation(m)
  const { sandbox: _sandbox, ...bank } = p.bank
  return {
    account_number: p.account_number,
    date: p.date,
    description: p.description,
    note: p.note,
    amount: new RupiahNumber(m.amount),
    type: p.type,
    balance: new RupiahNumber(m.balance ?? 0n),
    updated_at: p.updated_at,
    created_at: p.created_at,
    mutation_id: p.mutation_id,
    token: p.token,
    bank_id: p.bank_id,
    taggings: p.taggings,
    bank,
  } satisfies Json
}

/** The exact bytes to send and to sign: the array of `mutations`, PHP-style JSON, UTF-8 (in practice ASCII). */
export function webhookBody(mutations: readonly MootaMutationInput[]): Buffer {
  return Buffer.from(encodeJson(mutations.map(webhookMutation)), 'utf8')
}

/** Moota's "Test Webhook" amount: receivers such as the official WP plugin recognise a test by `amount == 10000`. */
export const TEST_AMOUNT: Sen = 1_000_000n

export interface TestMutationParams {
  /** The account the endpoint is for (or any account of the workspace for an "all accounts" endpoint). */
  account: MootaBankInput
  /** A fresh public id, so a receiver that de-duplicates on `mutation_id` still sees every test. */
  publicId: string
  now: Date
}

/** The dummy credit that "Send test" delivers, following Moota's convention (amount Rp10.000, type CR). */
export function testMutation({ account, publicId, now }: TestMutationParams): MootaMutationInput {
  return {
    publicId,
    type: 'CR',
    amount: TEST_AMOUNT,
    // A test changes nothing, so it reports the account's balance as it stands.
    balance: account.balance === null ? null : BigInt(account.balance),
    description: 'Test webhook Lunas',
    note: '',
    occurredAt: now,
    createdAt: now,
    updatedAt: now,
    account,
    taggings: [],
  }
}
