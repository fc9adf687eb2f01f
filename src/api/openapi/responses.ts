/**
 * Response shapes for the document, as zod schemas turned into JSON Schema (document.ts `outputSchema`): Moota's
 * shapes (reference/moota-api.md §3, §4) for the routes Moota clients depend on, and the error bodies of errors.ts.
 * Objects are strict, so a field added to a presenter without being documented here fails openapi-responses.test.ts.
 */
import { z } from 'zod'
import { ERROR_CODES, type ErrorCode } from '../../shared/errors.ts'
import { SCOPES } from '../../tokens/tokens.ts'
import { MODES } from '../../workspaces/mode.ts'

const describe = <T extends z.ZodType>(schema: T, description: string) => schema.meta({ description })

/** Moota's 11-character public id (`VLagzqBj42D`). */
export const MootaId = describe(z.string().regex(/^[0-9A-Za-z]{11}$/), 'An 11-character base62 id.')
/** Rupiah as a decimal string with two decimals (`"150123.00"`); balances may be negative. */
export const Money = describe(z.string().regex(/^-?\d+\.\d{2}$/), 'Rupiah as a decimal string with two decimals.')
/** `Y-m-d H:i:s` in WIB (Asia/Jakarta). */
export const WibDateTime = describe(
  z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  '`Y-m-d H:i:s` in WIB (UTC+7).',
)
/** Laravel's ISO form, UTC with microseconds (`2021-09-24T03:46:57.000000Z`). */
export const LaravelIso = describe(
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  'UTC instant in Laravel’s ISO form, with microseconds.',
)
const Direction = describe(z.enum(['CR', 'DB']), '`CR` credit (incoming) or `DB` debit (outgoing).')
const count = z.number().int().min(0)

/** Laravel's LengthAwarePaginator (moota/paginator.ts) around `item`. */
export function mootaPage<T extends z.ZodType>(item: T) {
  const url = z.string()
  return z.strictObject({
    current_page: z.number().int().min(1),
    data: z.array(item),
    first_page_url: url,
    from: z.number().int().min(1).nullable(),
    last_page: z.number().int().min(1),
    last_page_url: url,
    links: z.array(z.strictObject({ url: url.nullable(), label: z.string(), active: z.boolean() })),
    next_page_url: describe(url.nullable(), 'Null on the last page.'),
    path: url,
    per_page: z.number().int().min(1),
    prev_page_url: url.nullable(),
    to: z.number().int().min(1).nullable(),
    total: describe(count, 'Exact number of items over all pages.'),
  })
}

/** Moota's BankAccount (moota/presenters.ts `presentMootaBank`): credentials are never shown. */
export const MootaBank = z.strictObject({
  corporate_id: z.string().nullable(),
  username: describe(z.string(), 'Always empty: Lunas keeps no internet-banking credentials.'),
  atas_nama: describe(z.string(), 'Account holder name.'),
  balance: Money,
  account_number: z.string(),
  bank_type: describe(z.string(), 'Moota’s bank type, e.g. `bca`, `bniVA`, `qris`, `sandbox`.'),
  login_retry: count,
  date_from: z.string().nullable(),
  date_to: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()).nullable(),
  interval_refresh: describe(z.number().int().min(1), 'Minutes between reads.'),
  next_queue: WibDateTime.nullable(),
  is_active: z.boolean(),
  in_queue: count,
  in_progress: count,
  recurred_at: z.string().nullable(),
  created_at: WibDateTime,
  token: describe(MootaId, 'Same as `bank_id`.'),
  bank_id: MootaId,
  label: z.string(),
  last_update: LaravelIso.nullable(),
  sandbox: describe(z.boolean(), 'Lunas: a sandbox account; its money is never live.'),
})

const Tagging = z.strictObject({ name: z.string(), tag_id: MootaId })

/** Moota's Mutation, API form (moota/presenters.ts `presentMootaMutation`). */
export const MootaMutation = z.strictObject({
  account_number: z.string(),
  date: WibDateTime,
  description: z.string(),
  amount: Money,
  type: Direction,
  note: z.string(),
  balance: describe(Money, 'Balance after the mutation, `"0.00"` when the source gives none.'),
  created_at: WibDateTime,
  updated_at: WibDateTime,
  mutation_id: MootaId,
  token: describe(MootaId, 'Same as `mutation_id`.'),
  bank_id: MootaId,
  bank_type: z.string(),
  taggings: z.array(Tagging),
  bank: MootaBank,
})

export const MootaMutationSummary = z.strictObject({
  data: z.strictObject({
    start_date: z.string().nullable(),
    end_date: z.string().nullable(),
    type: Direction.nullable(),
    total_bank_active: count,
    total_bank_inactive: count,
    bank: MootaBank.nullable(),
    credit_count: count,
    credit_amount: Money,
    debit_count: count,
    debit_amount: Money,
    total_saving: describe(Money, 'credit_amount − debit_amount.'),
  }),
})

export const MootaTaggingList = z.strictObject({ error: z.literal(false), tagging: z.array(Tagging) })

export const MootaLogin = z.strictObject({
  access_token: describe(z.string().min(1), 'A personal access token (`lns_pat_…`), shown once.'),
})

/** Moota's user, which in Lunas is the token's workspace (`user_id`) and user (`name`, `email`). */
export const MootaUser = z.strictObject({
  name: z.string(),
  email: z.string(),
  no_ktp: z.string().nullable(),
  alamat: z.string().nullable(),
  email_verified_at: LaravelIso.nullable(),
  created_at: LaravelIso,
  updated_at: LaravelIso,
  user_id: describe(MootaId, 'The token’s workspace.'),
  token: MootaId,
  point: describe(z.number().int(), 'Points never run out in a self-hosted Lunas.'),
  meta: z.array(z.unknown()),
})

/** `GET /accounts` (the 2025 WordPress plugin's list) adds each account's `icon`; Lunas has none, so `""`. */
export const MootaAccountsItem = MootaBank.extend({ icon: describe(z.literal(''), 'No logo: always empty.') })

export const MootaOk = z.strictObject({ message: z.literal('OK') })

/** Moota's Webhook (routes/moota-webhooks.ts `presentMootaWebhook`), shown to its owner with the secret. */
export const MootaWebhook = z.strictObject({
  id: describe(z.number().int().min(1), 'The endpoint’s number in its workspace (1, 2, …), as Moota’s integer id.'),
  user_id: describe(MootaId, 'The workspace (as `GET /user` shows it and `X-MOOTA-USER` sends it).'),
  bank_account_id: describe(z.union([MootaId, z.literal('')]), '`""` for every account.'),
  type: describe(z.enum(['all', 'single']), '`all` when `bank_account_id` is `""`.'),
  url: z.string(),
  secret_token: describe(z.string().min(1), 'The signing secret, shown to its owner as Moota does.'),
  start_unique_code: describe(z.string().regex(/^\d{1,3}$/), 'A whole number 0–999, as text.'),
  end_unique_code: describe(z.string().regex(/^\d{1,3}$/), 'A whole number 0–999, as text.'),
  kinds: z.enum(['credit', 'debit', 'both']),
  created_at: LaravelIso,
  updated_at: LaravelIso,
  token: describe(MootaId, 'Same as `webhook_id`.'),
  webhook_id: MootaId,
})

/** Moota's WebhookHistory: one attempt (routes/moota-webhooks.ts `presentMootaHistory`). */
export const MootaWebhookHistory = z.strictObject({
  id: describe(z.number().int().min(1), 'The attempt’s number among its endpoint’s attempts.'),
  user_id: MootaId,
  bank_id: describe(z.union([MootaId, z.literal('')]), 'The account of the first mutation sent.'),
  webhook_id: describe(z.number().int().min(1), 'The endpoint’s integer `id`, as Moota’s history shows it.'),
  status: z.enum(['success', 'failed']),
  trigger: describe(z.enum(['new-mutation', 'push', 'test']), 'What created the delivery.'),
  http_verb: z.literal('post'),
  webhook_url: z.string(),
  payload: describe(z.array(z.record(z.string(), z.unknown())), 'The body sent: the webhook’s array of mutations.'),
  headers: describe(z.record(z.string(), z.string()), 'The request headers sent (signatures, never the secret).'),
  meta: z.array(z.unknown()),
  tags: z.strictObject({ webhook: z.number().int(), trigger: z.string() }),
  attempt: z.number().int().min(1),
  response: describe(z.string(), 'Status and the first bytes of the answer (Guzzle’s wording), or the error.'),
  created_at: LaravelIso,
  updated_at: LaravelIso,
})

export const MootaWebhookCreated = z.strictObject({
  status: describe(z.literal(false), 'Sic: Moota’s documented success body.'),
  message: z.literal('OK'),
  webhook_id: describe(MootaId, 'Lunas: the new endpoint’s id.'),
})

// Lunas' own surface (/v1): ISO UTC instants, money as decimal strings too (presenters.ts, routes/tokens.ts).
const Iso = describe(z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/), 'UTC instant, ISO 8601.')

const Currency = describe(z.literal('IDR'), 'ISO 4217 currency of every amount in this object.')
export const LunasTag = z.strictObject({ id: MootaId, name: z.string() })

export const LunasMutation = z.strictObject({
  id: MootaId,
  account_id: MootaId,
  bank_type: z.string(),
  type: Direction,
  amount: Money,
  balance: Money.nullable(),
  currency: Currency,
  description: z.string(),
  note: z.string(),
  date: Iso,
  date_wib: WibDateTime,
  sandbox: z.boolean(),
  source: describe(z.string(), 'Where the mutation came from, e.g. `csv`, `sandbox`, `manual`.'),
  reference: describe(z.string().nullable(), 'The source’s own reference, when it has one.'),
  tags: z.array(LunasTag),
  created_at: Iso,
})

export const LunasMutationPage = z.strictObject({
  data: z.array(LunasMutation),
  next_cursor: describe(z.string().nullable(), 'Pass as `cursor` for the next page; null on the last page.'),
})

export const LunasAccount = z.strictObject({
  id: MootaId,
  kind: z.enum(['bank', 'va', 'gateway', 'qris', 'ewallet', 'cash']),
  bank_type: z.string(),
  account_number: z.string(),
  holder_name: z.string(),
  label: z.string(),
  refresh_minutes: z.number().int().min(1),
  active: z.boolean(),
  sandbox: z.boolean(),
  balance: Money.nullable(),
  currency: Currency,
  next_sync_at: Iso.nullable(),
  created_at: Iso,
  last_sync: z
    .strictObject({
      status: z.string(),
      started_at: Iso,
      finished_at: Iso.nullable(),
      rows_new: count,
      error: z.string().nullable(),
    })
    .nullable(),
})

export const LunasAccountList = z.strictObject({ data: z.array(LunasAccount) })

export const LunasTagList = z.strictObject({
  data: z.array(z.strictObject({ id: MootaId, name: z.string(), usage: describe(count, 'Mutations carrying it that the lists show: of the caller’s mode, not deleted, of accounts not deleted.') })),
})

const tokenFields = {
  id: MootaId,
  name: z.string(),
  hint: describe(z.string(), '`…` and the token’s last four characters.'),
  scopes: z.array(z.enum(SCOPES)),
  mode: describe(z.enum(MODES), '`live`, or `sandbox`: the token sees only the sandbox accounts and their data.'),
  created_at: Iso,
  last_used_at: Iso.nullable(),
  revoked_at: Iso.nullable(),
  user_email: z.string(),
}
export const LunasTokenList = z.strictObject({ data: z.array(z.strictObject(tokenFields)) })
export const LunasCreatedToken = z.strictObject({
  ...tokenFields,
  token: describe(z.string().regex(/^lns_pat_/), 'The secret, shown only in this answer.'),
})

/** A webhook endpoint on /v1 (routes/webhooks.ts `presentWebhook`): never the secret, except when created. */
const webhookFields = {
  id: MootaId,
  url: z.string(),
  account_id: describe(MootaId.nullable(), 'One account, or null for every live account.'),
  kinds: z.enum(['credit', 'debit', 'both']),
  start_unique_code: z.number().int().min(0).max(999),
  end_unique_code: z.number().int().min(0).max(999),
  event_types: z.array(z.string()),
  format: describe(z.enum(['moota', 'lunas']), '`moota`: Moota’s body, new mutations only; `lunas`: an envelope per event.'),
  active: z.boolean(),
  disabled_at: describe(Iso.nullable(), 'When it was disabled automatically (410 Gone, or failing too long).'),
  disabled_reason: z.string().nullable(),
  failing_since: describe(Iso.nullable(), 'The first failure since the last success.'),
  last_success_at: Iso.nullable(),
  created_at: Iso,
  updated_at: Iso,
}
export const LunasWebhook = z.strictObject(webhookFields)
export const LunasWebhookList = z.strictObject({ data: z.array(LunasWebhook) })
export const LunasCreatedWebhook = z.strictObject({
  ...webhookFields,
  secret: describe(z.string(), 'The signing secret (`Signature` header), shown only here and in Moota’s list.'),
  standard_webhooks_secret: describe(z.string().regex(/^whsec_/), 'The same secret for Standard Webhooks libraries.'),
})

export const LunasDelivery = z.strictObject({
  id: MootaId,
  webhook_id: describe(z.string().regex(/^msg_/), 'The `webhook-id` header: the same on every attempt, retry and replay.'),
  endpoint_id: describe(MootaId, 'The webhook (endpoint) it goes to.'),
  sequence: describe(z.number().int().min(1), 'The `webhook-sequence` header: gap-free per endpoint.'),
  event_type: z.string(),
  trigger: describe(z.enum(['event', 'push', 'test']), 'Fan-out of new mutations, a push again, or Send test.'),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: count,
  next_attempt_at: describe(Iso.nullable(), 'When it is tried next; null once settled.'),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  mutation_ids: z.array(MootaId),
  created_at: Iso,
  completed_at: Iso.nullable(),
})
export const LunasDeliveryPage = z.strictObject({
  data: z.array(LunasDelivery),
  next_cursor: describe(z.string().nullable(), 'Pass as `cursor` for the next page; null on the last page.'),
})
export const LunasAttemptList = z.strictObject({
  data: z.array(
    z.strictObject({
      attempt: z.number().int().min(1),
      succeeded: describe(z.boolean(), 'Any 2xx.'),
      started_at: Iso,
      latency_ms: count,
      status_code: z.number().int().nullable(),
      error: describe(z.string().nullable(), 'Why no answer came (timeout, refused, blocked address…).'),
      request_headers: z.record(z.string(), z.string()),
      response_headers: z.record(z.string(), z.string()).nullable(),
      response_body: describe(z.string().nullable(), 'The first 4 KB of the answer.'),
    }),
  ),
})

/** Error bodies (errors.ts), as `#/components/schemas/<name>`. */
export const ERROR_SCHEMAS = {
  MootaMessage: z.looseObject({ message: z.string() }),
  MootaUnauthenticated: z.strictObject({ message: z.literal('Unauthenticated.') }),
  MootaNotFound: z.strictObject({ error: z.literal(true), message: z.string(), detail: z.string().optional() }),
  MootaValidation: z.strictObject({
    message: describe(z.string(), '`The given data was invalid.` for schema failures; the rule’s words otherwise.'),
    errors: z.record(z.string(), z.array(z.string())).optional(),
  }),
  Problem: describe(
    z.looseObject({
      type: z.string(),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      code: z.enum([...(Object.keys(ERROR_CODES) as ErrorCode[]), 'internal']),
      field: z.string().optional(),
      errors: z.record(z.string(), z.array(z.string())).optional(),
    }),
    'RFC 9457 problem details with Lunas’ closed `code`.',
  ),
} satisfies Record<string, z.ZodType>
