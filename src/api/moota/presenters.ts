/**
 * Moota's API forms of a mutation and a bank account (reference/moota-api.md §4.2, §4.3, §5): money as decimal
 * strings, `created_at`-style dates as `"Y-m-d H:i:s"` in WIB, `last_update` in Laravel's ISO form, `token` mirroring
 * the id. Fields Lunas has no counterpart for keep Moota's type with a neutral value (0, null, ""); credentials are
 * never shown (Lunas never fills `username`, so it is ""). Pure.
 */
import type { Account } from '../../accounts/accounts.ts'
import type { MootaMutation } from '../../ledger/moota-list.ts'
import { formatDecimal } from '../../shared/money.ts'
import { formatLaravel, formatWib } from '../../shared/time.ts'

export type MootaBankInput = Account & {
  /** Latest reported balance, in sen (text or bigint), or null. */
  balance: string | bigint | null
  /** When the account was last read (e.g. the last sync run's finish), or null. */
  lastUpdate?: Date | null
  /** Moota's crawler fields; Lunas leaves them out (neutral values). See MootaCrawlerFields. */
  crawler?: MootaCrawlerFields
}

/**
 * Fields of Moota's crawler that Lunas has no counterpart for: Lunas never sets them, so the API and webhooks show
 * `""`/null. They exist as input only so that a record of Moota's own (the signed delivery that is webhook test
 * vector 1) can be rebuilt byte for byte through this presenter.
 */
export interface MootaCrawlerFields {
  username?: string
  dateFrom?: Date
  dateTo?: Date
  recurredAt?: Date
}

/** A mutation as the presenters take it: the ledger's row, whose account may carry Moota's crawler fields. */
export type MootaMutationInput = Omit<MootaMutation, 'account'> & { account: MootaBankInput }

export function presentMootaBank(a: MootaBankInput) {
  const c = a.crawler ?? {}
  return {
    corporate_id: null,
    username: c.username ?? '',
    atas_nama: a.holderName,
    balance: formatDecimal(a.balance === null ? 0n : BigInt(a.balance)),
    account_number: a.accountNumber,
    bank_type: a.bankType,
    login_retry: 0,
    date_from: c.dateFrom ? formatWib(c.dateFrom) : null,
    date_to: c.dateTo ? formatWib(c.dateTo) : null,
    meta: null,
    interval_refresh: a.refreshMinutes,
    next_queue: a.nextSyncAt ? formatWib(a.nextSyncAt) : null,
    is_active: a.active,
    in_queue: 0,
    in_progress: 0,
    recurred_at: c.recurredAt ? formatWib(c.recurredAt) : null,
    created_at: formatWib(a.createdAt),
    token: a.publicId,
    bank_id: a.publicId,
    label: a.label,
    last_update: a.lastUpdate ? formatLaravel(a.lastUpdate) : null,
    sandbox: a.sandbox,
  }
}

export function presentMootaMutation(m: MootaMutationInput) {
  return {
    account_number: m.account.accountNumber,
    date: formatWib(m.occurredAt),
    description: m.description,
    amount: formatDecimal(m.amount),
    type: m.type,
    note: m.note,
    balance: formatDecimal(m.balance ?? 0n),
    created_at: formatWib(m.createdAt),
    updated_at: formatWib(m.updatedAt),
    mutation_id: m.publicId,
    token: m.publicId,
    bank_id: m.account.publicId,
    bank_type: m.account.bankType,
    taggings: m.taggings.map((t) => ({ name: t.name, tag_id: t.tagId })),
    bank: presentMootaBank(m.account),
  }
}
