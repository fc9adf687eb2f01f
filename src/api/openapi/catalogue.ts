/**
 * The human half of the OpenAPI document: one entry per API route, keyed `'METHOD /path'` exactly as
 * `server.routeList()` spells it (Fastify's `:param` form). Routes files stay free of prose, so engineers editing them
 * do not collide here. Parameters, bodies and scopes come from the routes themselves (document.ts); an entry adds the
 * summary, the Moota quirks the route accepts, and its answers. A route registered without an entry fails
 * openapi.test.ts: add one here (see the README's "API reference" note).
 */
import type { z } from 'zod'
import type { JsonSchema } from './document.ts'
import {
  ERROR_SCHEMAS,
  LunasAccount,
  LunasAccountList,
  LunasAttemptList,
  LunasCreatedWebhook,
  LunasDelivery,
  LunasDeliveryPage,
  LunasCreatedToken,
  LunasMutation,
  LunasMutationPage,
  LunasTag,
  LunasTagList,
  LunasTokenList,
  LunasWebhook,
  LunasWebhookList,
  MootaAccountsItem,
  MootaBank,
  MootaLogin,
  MootaMutation,
  MootaMutationSummary,
  MootaOk,
  mootaPage,
  MootaTaggingList,
  MootaUser,
  MootaWebhook,
  MootaWebhookCreated,
  MootaWebhookHistory,
} from './responses.ts'

export interface ResponseEntry {
  description: string
  /** The body's shape; checked against real answers for the routes openapi-responses.test.ts replays. */
  schema?: z.ZodType
  /** Default `application/json`. */
  contentType?: string
}

export interface CatalogueEntry {
  summary: string
  description?: string
  /** Moota client behaviours this route tolerates, one line each (reference/moota-api.md §2.3). */
  quirks?: string[]
  /** Answers by status. The surface's 401/403/404/422 error answers are added by document.ts. */
  responses: Record<string, ResponseEntry>
  /** Words (and a type, where the route's field parser shows none) for this route's fields; see FIELD_HINTS. */
  fields?: Record<string, FieldHint>
}

export interface FieldHint {
  description: string
  /** Used only when the route's schema gives nothing (field parsers are `z.unknown().transform(…)`). */
  schema?: JsonSchema
}

const str = { type: 'string' }
const strOrNum = { type: ['string', 'number'] }
const day = { type: 'string', format: 'date' }

/** Field words shared by every route, by field name; an entry's `fields` overrides them. */
export const FIELD_HINTS: Record<string, FieldHint> = {
  amount: {
    description: 'Rupiah with at most two decimals, as text or a JSON number: `150123`, `"150123.00"`.',
    schema: strOrNum,
  },
  type: { description: '`CR` (credit) or `DB` (debit); `credit`/`debit` are accepted too, in any case.', schema: str },
  date: { description: 'A day as `YYYY-MM-DD` (WIB).', schema: day },
  start_date: { description: 'First day, `YYYY-MM-DD` (WIB), inclusive.', schema: day },
  end_date: { description: 'Last day, `YYYY-MM-DD` (WIB), inclusive.', schema: day },
  from: { description: 'First day, `YYYY-MM-DD` (WIB), inclusive.', schema: day },
  to: { description: 'Last day, `YYYY-MM-DD` (WIB), inclusive.', schema: day },
  bank: { description: 'A `bank_id`: only this account’s mutations.', schema: str },
  bank_id: { description: 'The account’s 11-character id.', schema: str },
  mutation_id: { description: 'The mutation’s 11-character id.', schema: str },
  tag_id: { description: 'The tag’s 11-character id.', schema: str },
  description: { description: 'Text the description contains (case-insensitive).', schema: str },
  note: { description: 'Text the note contains (case-insensitive).', schema: str },
  tag: { description: 'Tag names, comma-separated: mutations carrying any of them.', schema: str },
  page: { description: 'Page number, from 1; anything else is page 1.', schema: { type: ['integer', 'string'] } },
  per_page: { description: 'Page size, at most 100.', schema: { type: ['integer', 'string'] } },
  sandbox: { description: 'Accepted for older clients; sandbox accounts are always listed now, flagged `sandbox: true`.', schema: str },
  include_sandbox: { description: 'Include sandbox data: `true`/`false`/`1`/`0`/`yes`/`no`.', schema: str },
  id: { description: 'The object’s 11-character id.', schema: str },
  name: { description: 'A tag name, or a list of tag names.' },
}

const ok = (description = 'Done: `{"message":"OK"}`.') => ({ 200: { description, schema: MootaOk } })
const plain = (description: string) => ({ 200: { description } })
const notAvailable = {
  403: { description: 'MootaPay is not available in a self-hosted Lunas: `{"message": …}`.', schema: ERROR_SCHEMAS.MootaMessage },
}
const bankNotFound = {
  404: { description: 'The `bank`/`bank_id` filter names no account of the workspace: `{"error":true,"message":"Bank tidak ditemukan."}`.', schema: ERROR_SCHEMAS.MootaNotFound },
}
const IGNORED = { description: 'Accepted (Moota clients send it) and ignored: never stored, logged or returned.' }
const BANK_FIELDS = {
  name_holder: { description: 'Account holder name.' },
  label: { description: 'A label shown in lists.' },
  interval_refresh: { description: 'Minutes between reads (1 to 1440).' },
  is_active: { description: 'Whether the account is read.' },
  username: IGNORED,
  password: IGNORED,
  corporate_id: IGNORED,
}
const BANK_LIST: CatalogueEntry = {
  summary: 'List bank accounts',
  description: 'The workspace’s accounts in Moota’s paginator (20 per page by default). Sandbox accounts are listed too, flagged `sandbox: true`; a sandbox-mode token lists them alone.',
  quirks: ['`GET /bank` (2021 clients) and `GET /accounts` (2025 WordPress plugin) are the same list.'],
  responses: { 200: { description: 'A page of bank accounts.', schema: mootaPage(MootaBank) } },
}
const BANK_UPDATE: CatalogueEntry = {
  summary: 'Update a bank account',
  description: 'Changes the given fields; `username`, `password`, `corporate_id` and `bank_type` are accepted and ignored.',
  quirks: ['POST (the SDK) and PUT (the SDK’s mock server) both work.'],
  fields: { ...BANK_FIELDS, bank_type: IGNORED },
  responses: plain('`{"status":true,"bank":{…}}`.'),
}
const TAG_RENAME: CatalogueEntry = {
  summary: 'Rename a tag',
  quirks: ['PUT and POST both work (clients disagree).', 'A numeric name (an order id) is accepted.'],
  responses: plain('`{"error":false,"message":"Tag berhasil diupdate"}`.'),
}

const WEBHOOK_FIELDS: Record<string, FieldHint> = {
  url: { description: 'An http(s) URL.' },
  secret: { description: 'The signing secret (not empty).' },
  account: { description: 'One account’s id, or null for every account of the token’s mode (a live token’s: never sandbox ones; a sandbox-mode token’s: every sandbox account).' },
  kinds: { description: '`credit`, `debit` or `both` (default).' },
  start_unique_code: { description: 'Lowest `amount mod 1000` sent, 0–999 (default 0).' },
  end_unique_code: { description: 'Highest `amount mod 1000` sent, 0–999 (default 999).' },
  event_types: { description: 'Event types, default `["mutation.created"]`; `endpoint.disabled` needs format `lunas`.' },
  format: { description: '`moota` (default: Moota’s body) or `lunas` (an envelope per event).' },
  active: { description: 'Whether it receives deliveries.' },
}
const PAGE_FIELDS: Record<string, FieldHint> = {
  limit: { description: 'Page size, 1 to 200 (default 50).' },
  cursor: { description: 'The previous page’s `next_cursor`.' },
}

export const CATALOGUE: Record<string, CatalogueEntry> = {
  // Auth and user (moota-auth.ts).
  'POST /api/v2/auth/login': {
    summary: 'Log in and get a token',
    description: 'Checks the e-mail and password and issues a personal access token with the asked scopes (default `api`).',
    quirks: ['`email` or `username` (Moota’s docs say `username`, every client sends `email`).', '`scopes` as a list or comma-separated text.'],
    responses: {
      200: { description: 'The token, shown once.', schema: MootaLogin },
      422: { description: 'Wrong e-mail or password, or a missing field.', schema: ERROR_SCHEMAS.MootaValidation },
    },
  },
  'POST /api/v2/auth/logout': { summary: 'Revoke the calling token', responses: ok() },
  'POST /api/v2/auth/register': {
    summary: 'Open sign-up (refused)',
    description: 'A self-hosted owner creates users with `lunas user create`.',
    responses: { 403: { description: 'Refused: `{"message": …}`.', schema: ERROR_SCHEMAS.MootaMessage } },
  },
  'GET /api/v2/user': {
    summary: 'The token’s user',
    description: 'Moota’s user is the token’s workspace here: `user_id` is the workspace id.',
    responses: { 200: { description: 'The user (not paginated).', schema: MootaUser } },
  },

  // Bank accounts (moota-banks.ts).
  'GET /api/v2/bank': BANK_LIST,
  'GET /api/v2/accounts': {
    ...BANK_LIST,
    responses: { 200: { description: 'A page of bank accounts, each with `icon`.', schema: mootaPage(MootaAccountsItem) } },
  },
  'GET /api/v2/bank/available': {
    summary: 'List bank types',
    description: 'The bank types Lunas knows, in Moota’s paginator; `price` is 0.',
    responses: plain('A page of `{id, label, price, type, icon, link, interval}`.'),
  },
  'POST /api/v2/bank/store': {
    summary: 'Add a bank account',
    description: 'Creates the account, fed by statements, notifications, SNAP or the sandbox. Lunas does not scrape internet banking: `username` and `password` are accepted, never stored, and the answer says so.',
    quirks: ['`account_number` as text or a number.', '`is_active` as a boolean, 0/1 or text.', 'No point check: points never run out.'],
    fields: { ...BANK_FIELDS, bank_type: { description: 'A bank type from `GET /bank/available`, e.g. `bca`, `sandbox`, `cash`.' } },
    responses: plain('`{"status":true,"balance_before":…,"bank":{…},"balance":…}`.'),
  },
  'POST /api/v2/bank/update/:bank_id': BANK_UPDATE,
  'PUT /api/v2/bank/update/:bank_id': BANK_UPDATE,
  'POST /api/v2/bank/:bank_id/refresh': {
    summary: 'Read an account now',
    description: 'Queues the account for the scheduler’s next tick; costs nothing.',
    quirks: ['An empty body, `null` or `[]` (SDK v3).'],
    responses: ok(),
  },
  'POST /api/v2/bank/:bank_id/destroy': { summary: 'Delete a bank account', responses: ok() },
  'POST /api/v2/bank/request/otp/:bank_id': {
    summary: 'Request an OTP (refused)',
    description: 'Lunas does not log in to internet banking, so there is no OTP.',
    responses: { 422: { description: 'Refused: OTP is not used.', schema: ERROR_SCHEMAS.MootaValidation } },
  },
  'POST /api/v2/bank/verification/otp/:bank_id': {
    summary: 'Verify an OTP (refused)',
    description: 'Lunas does not log in to internet banking, so there is no OTP.',
    responses: { 422: { description: 'Refused: OTP is not used.', schema: ERROR_SCHEMAS.MootaValidation } },
  },

  // Mutations (moota-mutations.ts).
  'GET /api/v2/mutation': {
    summary: 'List mutations',
    description: 'The workspace’s mutations, newest first, in Moota’s paginator (10 per page by default) with an exact `total`. Sandbox mutations show only when `bank` names a sandbox account, or to a sandbox-mode token (which sees nothing else). `date` narrows `start_date`/`end_date`.',
    quirks: ['`bank` or `bank_id`.', '`type` as `CR`/`DB` or `credit`/`debit`.', 'A `page` or `per_page` that is not a positive integer falls back to the default.'],
    responses: { 200: { description: 'A page of mutations.', schema: mootaPage(MootaMutation) }, ...bankNotFound },
  },
  'GET /api/v2/mutation/summary': {
    summary: 'Sum mutations',
    description: 'Counts and sums of credits and debits over the filter.',
    quirks: ['`bank` or `bank_id`.', '`type` as `CR`/`DB` or `credit`/`debit`.'],
    responses: { 200: { description: 'The summary.', schema: MootaMutationSummary }, ...bankNotFound },
  },
  'POST /api/v2/mutation/:mutation_id/note': {
    summary: 'Set a mutation’s note',
    fields: { note: { description: 'The note; null clears it.' } },
    responses: plain('`{"status":true,"mutation":{…}}`.'),
  },
  'POST /api/v2/mutation/destroy': {
    summary: 'Delete mutations',
    description: 'Deleted mutations stay as tombstones, so a re-read of the source does not bring them back.',
    fields: { mutations: { description: 'Mutation ids (1 to 1000).' } },
    responses: {
      200: { description: '`{"status":false,"message":"OK"}` (sic: Moota’s success body).' },
      404: { description: 'None of the ids exist: `{"status":false,"message":"Mutations not found"}` (Moota answers 500).' },
    },
  },
  'POST /api/v2/mutation/store/:bank_id': {
    summary: 'Simulate a transaction or record a cash entry',
    description: 'On a sandbox account, a simulated transaction (each call a new one); on a cash account, a manual entry. Other accounts are fed by their source and refuse (422).',
    fields: { description: { description: 'The bank’s description text.' }, note: { description: 'A note.' }, date: { description: 'When it happened (default now), e.g. `2026-11-20 14:05:00` (WIB) or ISO 8601.', schema: str } },
    responses: plain('`{"error":false,"mutation":{"total":1,"new":1,"mutation_id":…}}`.'),
  },

  // Tagging (moota-tagging.ts).
  'GET /api/v2/tagging': {
    summary: 'List tags',
    quirks: ['`tag=a,b` or repeated `tag=a&tag=b`.'],
    fields: { tag: { description: 'Only these tag names, comma-separated.' } },
    responses: { 200: { description: 'The tags (not paginated).', schema: MootaTaggingList } },
  },
  'POST /api/v2/tagging': {
    summary: 'Create a tag',
    quirks: ['A numeric name (an order id) is accepted.'],
    fields: { name: { description: 'The tag name.' } },
    responses: plain('`{"error":false,"tagging":{"name":…,"tag_id":…}}`.'),
  },
  'PUT /api/v2/tagging/:tag_id': TAG_RENAME,
  'POST /api/v2/tagging/:tag_id': TAG_RENAME,
  'DELETE /api/v2/tagging/:tag_id': { summary: 'Delete a tag', responses: ok() },
  'POST /api/v2/tagging/mutation/:mutation_id': {
    summary: 'Tag a mutation',
    description: 'Adds tags by name; names that do not exist yet are created (the WordPress plugin relies on it).',
    quirks: ['`name` as one name or a list.'],
    responses: ok(),
  },
  'PUT /api/v2/tagging/mutation/:mutation_id': {
    summary: 'Replace a mutation’s tags',
    quirks: ['`name` as one name or a list; an empty list removes every tag.'],
    responses: ok(),
  },
  'DELETE /api/v2/tagging/mutation/:mutation_id': {
    summary: 'Untag a mutation',
    quirks: ['The names come in a JSON body on DELETE, as the SDK sends them.'],
    responses: ok(),
  },

  // Billing, OTP and MootaPay stubs (moota-billing.ts): a self-hosted Lunas has no points to buy.
  'GET /api/v2/payment': { summary: 'Payment methods for top-up', responses: plain('One group, `bank_transfer`, with no methods.') },
  'GET /api/v2/topup/denom': { summary: 'Top-up denominations', responses: plain('Moota’s denominations, `[{value, pointLabel, priceLabel}]`.') },
  'GET /api/v2/topup': { summary: 'Top-up history', responses: plain('An empty page.') },
  'POST /api/v2/topup': {
    summary: 'Top up points (refused)',
    responses: { 422: { description: 'Not needed: points never run out.', schema: ERROR_SCHEMAS.MootaValidation } },
  },
  'POST /api/v2/voucher/redeem': {
    summary: 'Redeem a voucher (refused)',
    responses: { 422: { description: 'Not needed: points never run out.', schema: ERROR_SCHEMAS.MootaValidation } },
  },
  'GET /api/v2/transaction': { summary: 'Point transactions', responses: plain('An empty page.') },
  'POST /api/v2/contract': { summary: 'Create a MootaPay contract (not available)', responses: notAvailable },
  'GET /api/v2/contract': { summary: 'List MootaPay contracts (not available)', responses: notAvailable },
  'POST /api/v2/contract/cancel/:trx_id': { summary: 'Cancel a MootaPay contract (not available)', responses: notAvailable },
  'GET /api/v2/payment-method': { summary: 'MootaPay payment methods (not available)', responses: notAvailable },
  'GET /api/v2/plugin/token': { summary: 'MootaPay plugin token (not available)', responses: notAvailable },

  // Webhooks (moota-webhooks.ts): scope `api`, because the list shows signing secrets and a webhook decides where
  // payment notices go.
  'GET /api/v2/integration/webhook': {
    summary: 'List webhooks',
    description: 'The workspace’s webhook endpoints, newest first, in Moota’s paginator (15 per page by default), each with its `secret_token` (shown to its owner, as Moota does).',
    quirks: ['An empty `url` or `bank_account_id` is no filter (Laravel’s `filled()`).'],
    fields: {
      url: { description: 'Only endpoints with exactly this URL.' },
      bank_account_id: { description: 'Only endpoints for this account.' },
    },
    responses: { 200: { description: 'A page of webhooks.', schema: mootaPage(MootaWebhook) } },
  },
  'POST /api/v2/integration/webhook': {
    summary: 'Create a webhook',
    description:
      'Every matching new mutation is POSTed to `url` as Moota’s webhook body, signed with `secret_token` (`Signature` header) and with Standard Webhooks headers.',
    quirks: ['Unique-code bounds as text or numbers.', '`bank_account_id` `""` or absent: every account of the token’s mode (never sandbox ones for a live token).'],
    fields: {
      url: { description: 'An http(s) URL.' },
      secret_token: { description: 'The signing secret (not empty).' },
      start_unique_code: { description: 'Lowest `amount mod 1000` sent, 0–999 (default 0).', schema: strOrNum },
      end_unique_code: { description: 'Highest `amount mod 1000` sent, 0–999 (default 999).', schema: strOrNum },
      kinds: { description: '`credit`, `debit` or `both` (default).' },
      bank_account_id: { description: 'One account’s id, or `""` for every account.' },
    },
    responses: {
      200: { description: 'Created.', schema: MootaWebhookCreated },
      422: { description: 'Invalid URL or scheme, empty secret, inverted or out-of-range codes, unknown kinds or account.', schema: ERROR_SCHEMAS.MootaValidation },
    },
  },
  'DELETE /api/v2/integration/webhook/:webhook_id': {
    summary: 'Delete a webhook',
    description: 'It stops receiving; its undelivered deliveries are given up; its history stays.',
    fields: { webhook_id: { description: 'The webhook’s 11-character id.', schema: str } },
    responses: ok(),
  },
  'GET /api/v2/integration/webhook/history/:webhook_id': {
    summary: 'A webhook’s delivery history',
    description: 'Every attempt, newest first, in Moota’s paginator (20 per page by default): what was sent (payload, headers), and what came back.',
    fields: { webhook_id: { description: 'The webhook’s 11-character id.', schema: str } },
    responses: { 200: { description: 'A page of attempts.', schema: mootaPage(MootaWebhookHistory) } },
  },
  'POST /api/v2/mutation/:mutation_id/webhook': {
    summary: 'Push a mutation to the webhooks again',
    description:
      'A new delivery (new `webhook-id`, body rendered now) to every active webhook whose filters take the mutation, so a receiver that de-duplicates on `webhook-id` does not drop it.',
    responses: { 200: { description: '`{"status":"OK"}` (Moota’s answer), also when no webhook matches.' } },
  },

  // Lunas' own API (mutations.ts, accounts.ts, tokens.ts).
  'GET /v1/mutations': {
    summary: 'List mutations',
    description: 'Newest first, cursor-paginated: pass `next_cursor` back as `cursor` until it is null.',
    fields: {
      account: { description: 'An account id: only its mutations.' },
      q: { description: 'Text the description contains.' },
      limit: { description: 'Page size, 1 to 200.' },
      cursor: { description: 'The previous page’s `next_cursor`.' },
    },
    responses: { 200: { description: 'A page of mutations.', schema: LunasMutationPage } },
  },
  'GET /v1/accounts': {
    summary: 'List accounts',
    description: 'With each account’s last sync run; never its settings or credentials.',
    responses: { 200: { description: 'The accounts (not paginated).', schema: LunasAccountList } },
  },
  'POST /v1/accounts/:id/refresh': {
    summary: 'Read an account now',
    responses: { 202: { description: 'Queued for the scheduler’s next tick: `{"id":…,"refresh":"queued"}`.' } },
  },
  'GET /v1/tokens': {
    summary: 'List tokens',
    description: 'The workspace’s tokens, revoked ones included; never the secrets. A sandbox-mode token lists sandbox-mode tokens only.',
    responses: { 200: { description: 'The tokens.', schema: LunasTokenList } },
  },
  'POST /v1/tokens': {
    summary: 'Create a token',
    description: 'For the caller’s user and workspace, with at most the caller’s scopes (default: the caller’s), in the caller’s mode unless `mode` says otherwise. A sandbox-mode token creates sandbox-mode tokens only (403).',
    fields: {
      name: { description: 'A label.' },
      scopes: { description: 'Scopes, as a list or comma-separated.' },
      mode: { description: '`live` or `sandbox` (sees only the sandbox accounts and their data, as if they were the workspace’s only ones).' },
    },
    responses: { 201: { description: 'The token, with its secret `token` shown once.', schema: LunasCreatedToken } },
  },
  'DELETE /v1/tokens/:id': {
    summary: 'Revoke a token',
    description: 'The caller’s own user’s tokens; another member’s only with the `api` scope (403 otherwise).',
    responses: { 204: { description: 'Revoked.' } },
  },
  'GET /v1/mutations/:id': {
    summary: 'Get a mutation',
    responses: { 200: { description: 'The mutation, with its tags.', schema: LunasMutation } },
  },
  'POST /v1/mutations': {
    summary: 'Record a mutation by hand',
    description:
      'On a cash account a manual entry (cash sales); on a sandbox account a simulated transfer; refused (422, field `account`) on any other account. Continues the account’s running balance.',
    fields: {
      account: { description: 'The account’s 11-character id.' },
      date: { description: 'When it happened (default now): `YYYY-MM-DD`, `YYYY-MM-DD HH:mm:ss` (WIB) or ISO 8601.' },
      description: { description: 'Narrative shown in the ledger.' },
      note: { description: 'A note of the merchant’s own.' },
    },
    responses: { 201: { description: 'The new mutation.', schema: LunasMutation } },
  },
  'PATCH /v1/mutations/:id': {
    summary: 'Set a mutation’s note',
    fields: { note: { description: 'The new note; empty clears it.' } },
    responses: { 200: { description: 'The mutation.', schema: LunasMutation } },
  },
  'DELETE /v1/mutations/:id': {
    summary: 'Delete a mutation',
    description: 'Leaves a tombstone, so re-reading the same statement does not bring it back.',
    responses: { 204: { description: 'Deleted.' } },
  },
  'PUT /v1/mutations/:id/tags': {
    summary: 'Replace a mutation’s tags',
    description: 'By tag ids and/or names; names that do not exist yet are created (as Moota does). Both empty removes every tag.',
    fields: {
      tag_ids: { description: 'Tag ids (11 characters) of the workspace’s tags.' },
      names: { description: 'Tag names; created when missing.' },
    },
    responses: { 200: { description: 'The mutation with its new tags.', schema: LunasMutation } },
  },
  'DELETE /v1/mutations/:id/tags/:tag_id': {
    summary: 'Remove one tag from a mutation',
    responses: { 204: { description: 'Removed.' } },
  },
  'GET /v1/tags': {
    summary: 'List tags',
    description: 'Every tag of the workspace with how many live mutations carry it.',
    responses: { 200: { description: 'The tags (not paginated).', schema: LunasTagList } },
  },
  'POST /v1/tags': {
    summary: 'Create a tag',
    fields: { name: { description: 'The tag’s name; unique in the workspace, case-insensitively.' } },
    responses: { 201: { description: 'The tag.', schema: LunasTag } },
  },
  'PATCH /v1/tags/:id': {
    summary: 'Rename a tag',
    fields: { name: { description: 'The new name.' } },
    responses: { 200: { description: 'The tag.', schema: LunasTag } },
  },
  'DELETE /v1/tags/:id': {
    summary: 'Delete a tag',
    description: 'Also removes it from every mutation.',
    responses: { 204: { description: 'Deleted.' } },
  },
  'GET /v1/accounts/:id': {
    summary: 'Get an account',
    responses: { 200: { description: 'The account with its last sync run.', schema: LunasAccount } },
  },
  'GET /v1/accounts/:id/sync-runs': {
    summary: 'List an account’s sync runs',
    description: 'Every refresh, newest first: `ok`, `no_new` or `failed` with its reason, so "no new transactions" is told apart from "reading failed".',
    fields: {
      limit: { description: 'Page size, 1 to 200.' },
      cursor: { description: 'The previous page’s `next_cursor`.' },
    },
    responses: { 200: { description: '`{data:[…], next_cursor}`.' } },
  },
  'GET /v1/balance-gaps': {
    summary: 'List balance gaps',
    description:
      'Places where the bank’s reported balance differs from the previous balance ± the amount: a mutation is missing (or extra). Expected and reported balances are decimal strings with `currency`.',
    fields: { account: { description: 'An account id: only its gaps.' } },
    responses: { 200: { description: '`{data:[…]}` (open gaps are few: not paginated).' } },
  },
  'GET /v1/api-calls': {
    summary: 'List API calls',
    description:
      'The workspace’s own calls to /api/v2 and /v1, newest first: time, token id, method, path, status, latency, response size and the request body with secrets redacted. Kept `LUNAS_API_LOG_RETENTION_DAYS` days.',
    fields: {
      status: { description: 'A status (`429`) or a class (`4xx`).' },
      method: { description: 'HTTP method.' },
      path: { description: 'Path prefix, e.g. `/api/v2/mutation`.' },
      token: { description: 'A token id: only its calls.' },
      from: { description: 'First day (`YYYY-MM-DD`, WIB) or instant, inclusive.' },
      to: { description: 'Last day (`YYYY-MM-DD`, WIB) or instant, inclusive.' },
      limit: { description: 'Page size, 1 to 200.' },
      cursor: { description: 'The previous page’s `next_cursor`.' },
    },
    responses: { 200: { description: '`{data:[…], next_cursor}`.' } },
  },
  'GET /v1/events': {
    summary: 'Follow the workspace’s events',
    description:
      'Every event in order (`seq` per workspace, without gaps): new mutations (with the mutation, or null if it was deleted since) and alerts such as `endpoint.disabled`. A merchant that was down resumes with `after` = the last `seq` it saw, and never misses one: events become visible in `seq` order.',
    fields: {
      after: { description: 'The last `seq` already seen; 0 (default) from the beginning.' },
      limit: { description: 'Page size, 1 to 500.' },
    },
    responses: { 200: { description: '`{data:[{id, seq, type, created_at, data}], next_after}`.' } },
  },

  // Webhooks (webhooks.ts): scope `api`, as on Moota's webhook routes.
  'GET /v1/webhooks': {
    summary: 'List webhooks',
    description: 'The workspace’s webhook endpoints, oldest first, never their secrets.',
    responses: { 200: { description: 'The webhooks (not paginated).', schema: LunasWebhookList } },
  },
  'POST /v1/webhooks': {
    summary: 'Create a webhook',
    description: 'Moota’s filters (account, kinds, unique-code range) plus Lunas’ format, event types and active flag.',
    fields: WEBHOOK_FIELDS,
    responses: { 201: { description: 'The webhook, with its secret shown once.', schema: LunasCreatedWebhook } },
  },
  'GET /v1/webhooks/:id': {
    summary: 'Get a webhook',
    responses: { 200: { description: 'The webhook.', schema: LunasWebhook } },
  },
  'PATCH /v1/webhooks/:id': {
    summary: 'Change a webhook',
    description: 'The given fields, checked with the create rules against the stored ones. `active: true` also clears an automatic disable.',
    fields: WEBHOOK_FIELDS,
    responses: { 200: { description: 'The webhook.', schema: LunasWebhook } },
  },
  'DELETE /v1/webhooks/:id': {
    summary: 'Delete a webhook',
    description: 'It stops receiving; its undelivered deliveries are given up; its history stays.',
    responses: { 204: { description: 'Deleted.' } },
  },
  'POST /v1/webhooks/:id/enable': {
    summary: 'Re-enable a webhook',
    description: 'After an automatic disable (410 Gone, or no success for the configured window): healthy again from now.',
    responses: { 200: { description: 'The webhook.', schema: LunasWebhook } },
  },
  'POST /v1/webhooks/:id/test': {
    summary: 'Send a test',
    description: 'Moota’s “Test Webhook”: a dummy credit of Rp10.000 with a fresh mutation id, to this webhook whatever its filters.',
    responses: { 202: { description: 'The queued delivery.', schema: LunasDelivery } },
  },
  'GET /v1/webhooks/:id/deliveries': {
    summary: 'List a webhook’s deliveries',
    description: 'Newest first, cursor-paginated: status, attempts, last answer, and the `webhook-id` a receiver saw.',
    fields: PAGE_FIELDS,
    responses: { 200: { description: 'A page of deliveries.', schema: LunasDeliveryPage } },
  },
  'GET /v1/webhooks/:id/deliveries/:delivery_id/attempts': {
    summary: 'List a delivery’s attempts',
    description: 'Every request made, first to last: time, latency, status, error, request headers, and the answer’s headers and first 4 KB.',
    fields: { delivery_id: { description: 'The delivery’s 11-character id.', schema: str } },
    responses: { 200: { description: 'The attempts.', schema: LunasAttemptList } },
  },
  'POST /v1/webhooks/:id/deliveries/:delivery_id/retry': {
    summary: 'Retry a delivery now',
    description: 'A pending or failed delivery becomes due at once, with the same `webhook-id` and body. A delivered one answers 409 (replay it instead).',
    fields: { delivery_id: { description: 'The delivery’s 11-character id.', schema: str } },
    responses: { 202: { description: 'The delivery, due now.', schema: LunasDelivery } },
  },
  'POST /v1/webhooks/:id/replay': {
    summary: 'Replay a time range',
    description: 'Every delivery of this webhook created in [from, to), delivered or not, is sent again with the same `webhook-id`s and bodies.',
    fields: {
      from: { description: 'Start, inclusive: `YYYY-MM-DD` (WIB, start of day) or an instant.', schema: str },
      to: { description: 'End, exclusive: an instant, or `YYYY-MM-DD` (WIB) to include that whole day.', schema: str },
    },
    responses: { 202: { description: '`{"replayed": n}`: how many deliveries are due again.' } },
  },
  'GET /v1/mutations/:id/deliveries': {
    summary: 'List the deliveries carrying a mutation',
    description: 'Every webhook delivery that carried this mutation (events, pushes), newest first.',
    fields: PAGE_FIELDS,
    responses: { 200: { description: 'A page of deliveries.', schema: LunasDeliveryPage } },
  },
}
