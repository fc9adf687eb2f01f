/**
 * Moota's bank-account routes under /api/v2 (reference/moota-api.md §4.2). Lunas does not scrape internet banking,
 * so `bank/store` creates the account (to be fed by statements, notifications, SNAP or the sandbox) and keeps no
 * username or password; the answer says so. Points do not exist in a self-hosted Lunas: balances never run out.
 */
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import {
  type AccountWithSync,
  addAccount,
  deleteAccount,
  listAccounts,
  requestRefresh,
  updateAccount,
} from '../../accounts/accounts.ts'
import { BANK_TYPES } from '../../accounts/bank-types.ts'
import type { App } from '../../app.ts'
import { isSandbox } from '../../workspaces/mode.ts'
import { principalOf } from '../auth.ts'
import { pageOrigin } from '../moota/page-request.ts'
import { paginate } from '../moota/paginator.ts'
import { presentMootaBank } from '../moota/presenters.ts'
import { body, flag, optionalText, positiveInt, type ZodTypeProvider } from '../validation.ts'
import { SELF_HOSTED_POINTS } from './moota-auth.ts'

const NO_CREDENTIALS =
  'Lunas tidak membaca internet banking (tanpa scraping): username dan password tidak disimpan. Rekening ini diisi dari mutasi file, notifikasi, SNAP atau sandbox.'

const intIn = (min: number, max: number) =>
  z.union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(min).max(max))
const PageQuery = z.object({
  page: positiveInt(1, 1_000_000),
  per_page: positiveInt(20, 100),
  sandbox: flag,
  include_sandbox: flag,
})
const BankParams = z.object({ bank_id: z.string() })
const bool = z.union([z.boolean(), z.number(), z.string()]).transform((v) => ['1', 'true', 'yes'].includes(String(v).toLowerCase()))

const StoreBody = body({
  bank_type: z.string().trim().min(1),
  account_number: z.union([z.string(), z.number()]).transform(String),
  name_holder: z.string().trim().min(1),
  label: optionalText(100),
  interval_refresh: intIn(1, 1440).optional(),
  is_active: bool.optional(),
  // Accepted (Moota clients send them) and then dropped: never stored, logged or returned.
  username: z.unknown().optional(),
  password: z.unknown().optional(),
  corporate_id: z.unknown().optional(),
})

const UpdateBody = body({
  account_number: z
    .union([z.string(), z.number()])
    .transform(String)
    .optional(),
  name_holder: z.string().trim().min(1).optional(),
  label: optionalText(100),
  interval_refresh: intIn(1, 1440).optional(),
  is_active: bool.optional(),
  username: z.unknown().optional(),
  password: z.unknown().optional(),
  corporate_id: z.unknown().optional(),
  bank_type: z.unknown().optional(),
})

const presentWithSync = (a: AccountWithSync) =>
  presentMootaBank({ ...a, lastUpdate: a.lastSync?.finishedAt ?? null })

export const mootaBankRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  // `/bank` (2021 clients) and `/accounts` (2025 WordPress plugin) are the same list. The plugin also reads each
  // account's `icon` (a logo URL on Moota, which PHP reports as an undefined property when absent); Lunas has no
  // logos, so it is "", as in `bank/available`.
  for (const path of ['/bank', '/accounts']) {
    const present = path === '/accounts' ? (a: AccountWithSync) => ({ ...presentWithSync(a), icon: '' }) : presentWithSync
    server.get(path, { schema: { querystring: PageQuery }, config: { scope: 'bank_read' } }, async (request) => {
      // Sandbox accounts are listed too, flagged `sandbox: true`, so that a plugin's bank picker can offer them;
      // a sandbox-mode token gets them alone. (`sandbox`/`include_sandbox` are still accepted, and now change nothing.)
      const { page, per_page: perPage } = request.query
      const all = await listAccounts(app.db, principalOf(request).workspace)
      const data = all.slice((page - 1) * perPage, page * perPage).map(present)
      return paginate({ ...pageOrigin(request), page, perPage, total: all.length, data })
    })
  }

  server.get('/bank/available', { schema: { querystring: PageQuery }, config: { scope: 'bank_read' } }, async (request) => {
    const { page, per_page: perPage } = request.query
    // A sandbox-mode token can add sandbox accounts only, so it is offered those alone.
    const types = isSandbox(principalOf(request).workspace) ? BANK_TYPES.filter((b) => b.sandbox) : BANK_TYPES
    const data = types.slice((page - 1) * perPage, page * perPage).map((b) => ({
      id: b.id,
      label: b.label,
      price: 0,
      type: 'defaultForm',
      icon: '',
      link: '',
      interval: app.config.defaultRefreshMinutes,
    }))
    return paginate({ ...pageOrigin(request), page, perPage, total: types.length, data })
  })

  server.post('/bank/store', { schema: { body: StoreBody }, config: { scope: 'bank' } }, async (request) => {
    const b = request.body
    const account = await addAccount(app.db, principalOf(request).workspace, {
      bankType: b.bank_type,
      accountNumber: b.account_number,
      holderName: b.name_holder,
      label: b.label,
      refreshMinutes: b.interval_refresh ?? app.config.defaultRefreshMinutes,
      active: b.is_active ?? true,
    })
    const bank = presentMootaBank({ ...account, balance: null, lastUpdate: null })
    return {
      status: true,
      balance_before: SELF_HOSTED_POINTS,
      bank,
      balance: SELF_HOSTED_POINTS,
      ...(b.username !== undefined || b.password !== undefined ? { message: NO_CREDENTIALS } : {}),
    }
  })

  // The SDK posts, its own mock server routes PUT: accept both.
  for (const method of ['POST', 'PUT'] as const) {
    server.route({
      method,
      url: '/bank/update/:bank_id',
      schema: { params: BankParams, body: UpdateBody },
      config: { scope: 'bank' },
      handler: async (request) => {
        const b = request.body
        const account = await updateAccount(app.db, principalOf(request).workspace, request.params.bank_id, {
          accountNumber: b.account_number,
          holderName: b.name_holder,
          label: b.label,
          refreshMinutes: b.interval_refresh,
          active: b.is_active,
        })
        return { status: true, bank: presentMootaBank({ ...account, balance: null, lastUpdate: null }) }
      },
    })
  }

  server.post('/bank/:bank_id/refresh', { schema: { params: BankParams }, config: { scope: 'bank' } }, async (request) => {
    await requestRefresh(app.db, principalOf(request).workspace, request.params.bank_id)
    return { message: 'OK' }
  })

  server.post('/bank/:bank_id/destroy', { schema: { params: BankParams }, config: { scope: 'bank' } }, async (request) => {
    await deleteAccount(app.db, principalOf(request).workspace, request.params.bank_id)
    return { message: 'OK' }
  })
}
