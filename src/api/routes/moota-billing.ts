/**
 * Moota's P2 billing, OTP and MootaPay routes under /api/v2 (reference/moota-api.md §4.2 OTP rows, §4.6, §4.7), in
 * Moota's shapes so that clients calling them do not break. A self-hosted Lunas has no points to buy: the reads
 * answer with an empty history and Moota's denominations, and top-up and voucher redemption are refused (422), since
 * the balance (`SELF_HOSTED_POINTS`) never runs out. OTP is refused too (Lunas does not log in to internet banking),
 * after the usual 404 for a bank that is not in the token's workspace. MootaPay contracts are not available (403).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { getAccount } from '../../accounts/accounts.ts'
import type { App } from '../../app.ts'
import { AppError } from '../../shared/errors.ts'
import { principalOf } from '../auth.ts'
import { pageOrigin } from '../moota/page-request.ts'
import { paginate } from '../moota/paginator.ts'
import { optionalParsedBy, type ZodTypeProvider } from '../validation.ts'

/** Moota's top-up denominations (1 poin = Rp1), as its API lists them. */
const DENOMINATIONS = [
  50_000, 100_000, 150_000, 200_000, 500_000, 1_000_000, 1_500_000, 2_500_000, 5_000_000, 10_000_000,
]
// eslint-disable-next-line regexp/no-super-linear-move -- input is a JS number's digits (at most 22 characters)
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.')
const TOPUP_DENOMINATIONS = DENOMINATIONS.map((value) => ({
  value,
  pointLabel: `${thousands(value)} poin`,
  priceLabel: `Rp ${thousands(value)},00`,
}))

export const TOPUP_NOT_NEEDED =
  'Top-up is not needed in self-hosted Lunas: the point balance never runs out, so there is nothing to buy.'
export const VOUCHER_NOT_NEEDED =
  'Vouchers are not needed in self-hosted Lunas: the point balance never runs out, so there is nothing to redeem.'
export const OTP_NOT_USED =
  'OTP is not used by Lunas: it does not log in to internet banking, so there is no OTP to request or verify.'
export const MOOTAPAY_NOT_AVAILABLE =
  'MootaPay (contracts, payment methods, plugin token) is not available in self-hosted Lunas: it records mutations and does not process payments.'

/** Laravel's leniency: a page that is not a positive integer is page 1. */
const page = optionalParsedBy((v): number => {
  const n = typeof v === 'string' && /^\d{1,9}$/.test(v.trim()) ? Number(v) : NaN
  return Number.isInteger(n) && n >= 1 ? n : 1
}).transform((v) => v ?? 1)

const PageQuery = z.object({ page })
const BankParams = z.object({ bank_id: z.string().max(64) })

/** Moota's per-page size for its billing lists (fixtures: `per_page: 10`). */
const PER_PAGE = 10

/** An empty Laravel page at `request`'s list URL, keeping its other query parameters in the page URLs. */
function emptyPage(request: FastifyRequest, current: number) {
  return paginate({
    ...pageOrigin(request),
    page: current,
    perPage: PER_PAGE,
    total: 0,
    data: [],
  })
}

const notAvailable = (_request: FastifyRequest, reply: FastifyReply) =>
  reply.code(403).send({ message: MOOTAPAY_NOT_AVAILABLE })

export const mootaBillingRoutes: FastifyPluginAsync<{ app: App }> = async (instance, { app }) => {
  const server = instance.withTypeProvider<ZodTypeProvider>()

  // Points and top-up (§4.6).
  server.get('/payment', { config: { scope: 'user_read' } }, async () => [
    // Nothing to pay: Moota's one group, without methods.
    { id: 'bank_transfer', label: 'Bank Transfer', methods: [] },
  ])

  server.get('/topup/denom', { config: { scope: 'user_read' } }, async () => TOPUP_DENOMINATIONS)

  server.get('/topup', { schema: { querystring: PageQuery }, config: { scope: 'user_read' } }, async (request) =>
    emptyPage(request, request.query.page),
  )

  server.post('/topup', { config: { scope: 'user' } }, async () => {
    throw AppError.validation(TOPUP_NOT_NEEDED, 'amount')
  })

  server.post('/voucher/redeem', { config: { scope: 'user' } }, async () => {
    throw AppError.validation(VOUCHER_NOT_NEEDED, 'code')
  })

  server.get('/transaction', { schema: { querystring: PageQuery }, config: { scope: 'user_read' } }, async (request) =>
    emptyPage(request, request.query.page),
  )

  // OTP (§4.2): 404 for a bank outside the token's workspace, as every bank route answers; otherwise refused.
  server.post(
    '/bank/request/otp/:bank_id',
    { schema: { params: BankParams }, config: { scope: 'bank' } },
    async (request) => {
      await getAccount(app.db, principalOf(request).workspace, request.params.bank_id)
      throw AppError.validation(OTP_NOT_USED, 'bank_id')
    },
  )

  server.post(
    '/bank/verification/otp/:bank_id',
    { schema: { params: BankParams }, config: { scope: 'bank' } },
    async (request) => {
      await getAccount(app.db, principalOf(request).workspace, request.params.bank_id)
      throw AppError.validation(OTP_NOT_USED, 'otp_code')
    },
  )

  // MootaPay contract (§4.7): a different product, not offered.
  server.post('/contract', { config: { scope: 'user' } }, notAvailable)
  server.get('/contract', { config: { scope: 'user_read' } }, notAvailable)
  server.post('/contract/cancel/:trx_id', { config: { scope: 'user' } }, notAvailable)
  server.get('/payment-method', { config: { scope: 'user_read' } }, notAvailable)
  server.get('/plugin/token', { config: { scope: 'user_read' } }, notAvailable)
}
