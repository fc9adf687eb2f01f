/**
 * What a merchant does to deliveries by hand (docs/adr/0011-webhook-delivery.md, webhook issue §4):
 * - "push again" (Moota's `POST /mutation/{id}/webhook`) and "Send test" create NEW deliveries (new `webhook-id`,
 *   body rendered now), so a receiver that deduplicates on `webhook-id` does not drop them;
 * - retry and replay make EXISTING deliveries due again: same `webhook-id`, same frozen body, so a receiver that
 *   already took one recognises it.
 * Nothing here sends: the worker of this process is woken (signal.ts), others find the work at their next poll.
 */
import type { Db } from '../db/db.ts'
import { findMootaAccount, findMootaMutation } from '../ledger/moota-list.ts'
import { AppError } from '../shared/errors.ts'
import { newPublicId } from '../shared/ids.ts'
import { namedRows } from '../workspaces/mode.ts'
import type { Workspace } from '../workspaces/workspaces.ts'
import { getEndpoint, mutationEndpoints } from './endpoints.ts'
import { type NewDelivery, insertDeliveries } from './fanout.ts'
import { matchesMutation } from './filter.ts'
import { getDelivery } from './history.ts'
import { testMutation, webhookBody } from './payload.ts'
import { deliveriesCreated } from './signal.ts'

/**
 * Pushes one live mutation again to every active endpoint of the workspace whose filters take it; returns how many
 * deliveries were created (0 when none matches). An unknown mutation, or another workspace's, is not found.
 */
export async function pushMutation(db: Db, ws: Workspace, mutationPublicId: string): Promise<number> {
  const m = await findMootaMutation(db, ws, mutationPublicId)
  if (!m) throw AppError.notFound(`mutation ${mutationPublicId} not found`)
  const [row] = await db.query<{ id: string }>('select id from mutations where workspace_id = $1 and public_id = $2', [
    ws.id,
    mutationPublicId,
  ])
  const facts = { accountId: m.account.id, direction: m.type, amount: m.amount, sandbox: m.account.sandbox }
  // Moota's route, for Moota receivers: lunas-format endpoints follow events (the feed, or their own deliveries).
  const targets = (await mutationEndpoints(db, ws, m.account.id)).filter(
    (e) => e.format === 'moota' && matchesMutation(e, facts),
  )
  const body = webhookBody([m]).toString('utf8')
  const deliveries: NewDelivery[] = targets.map((e) => ({
    endpointId: e.id,
    eventType: 'mutation.created',
    trigger: 'push',
    body,
    mutationIds: [row!.id],
  }))
  const n = await db.tx((tx) => insertDeliveries(tx, ws.id, deliveries))
  if (n) deliveriesCreated()
  return n
}

/**
 * "Send test": one delivery of Moota's dummy credit (Rp10.000, a fresh mutation id) to the endpoint, whatever its
 * filters, on its own account or else on one of the workspace's accounts. Returns the delivery's public id.
 */
export async function sendTest(db: Db, ws: Workspace, endpointPublicId: string, now = new Date()): Promise<string> {
  const e = await getEndpoint(db, ws, endpointPublicId)
  if (e.format !== 'moota')
    throw AppError.validation('Send test is for moota-format endpoints; lunas-format ones receive the events feed', 'format')
  const account = await testAccount(db, ws, e.accountPublicId)
  const body = webhookBody([testMutation({ account, publicId: newPublicId(), now })]).toString('utf8')
  const id = await db.tx(async (tx) => {
    await insertDeliveries(tx, ws.id, [{ endpointId: e.id, eventType: 'mutation.created', trigger: 'test', body, mutationIds: [] }])
    const [d] = await tx.query<{ public_id: string }>(
      'select public_id from webhook_deliveries where endpoint_id = $1 order by seq desc limit 1',
      [e.id],
    )
    return d!.public_id
  })
  deliveriesCreated()
  return id
}

/** The endpoint's account; for an "all accounts" endpoint the oldest live one, else a stand-in that names no bank. */
async function testAccount(db: Db, ws: Workspace, accountPublicId: string | null) {
  const [first] = accountPublicId
    ? [{ public_id: accountPublicId }]
    : await db.query<{ public_id: string }>(
        `select public_id from accounts where workspace_id = $1 and deleted_at is null
           and ${namedRows(ws, 'sandbox')}
         order by sandbox, id limit 1`,
        [ws.id],
      )
  const found = first ? await findMootaAccount(db, ws, first.public_id) : null
  if (found) return found
  const now = new Date()
  return {
    id: '0',
    publicId: newPublicId(),
    kind: 'bank' as const,
    bankType: 'bca',
    accountNumber: '0000000000',
    holderName: ws.name,
    label: 'Test',
    refreshMinutes: 15,
    active: true,
    sandbox: false,
    settings: {},
    nextSyncAt: null,
    createdAt: now,
    balance: null,
    lastUpdate: null,
  }
}

/**
 * Retry now: a pending or failed delivery of the endpoint becomes due at once, with its `webhook-id` and body. One
 * that succeeded is refused (replay sends delivered ones again on purpose). A delivery in flight keeps its lease, so
 * it is never sent twice at the same time.
 */
export async function retryDelivery(
  db: Db,
  ws: Workspace,
  endpointPublicId: string,
  deliveryPublicId: string,
): Promise<void> {
  const d = await getDelivery(db, ws, endpointPublicId, deliveryPublicId)
  const rows = await db.query(
    `update webhook_deliveries set status = 'pending', next_attempt_at = now(), completed_at = null,
           schedule_base = case when status = 'pending' then schedule_base else attempts end
     where id = $1 and workspace_id = $2 and status in ('pending', 'failed') returning id`,
    [d.id, ws.id],
  )
  if (!rows.length)
    throw new AppError('conflict', `delivery ${deliveryPublicId} was delivered; replay it to send it again`)
  deliveriesCreated()
}

/**
 * Replay: every delivery of the endpoint created in [from, to) becomes due again, delivered or not, with the same
 * `webhook-id`s and bodies. Returns how many. A finished delivery starts the retry schedule again (`schedule_base`);
 * `attempts` keeps counting every try, for the history.
 */
export async function replayDeliveries(
  db: Db,
  ws: Workspace,
  endpointPublicId: string,
  range: { from: Date; to: Date },
): Promise<number> {
  if (range.from >= range.to) throw AppError.validation('to must be after from', 'to')
  const e = await getEndpoint(db, ws, endpointPublicId)
  const rows = await db.query(
    `update webhook_deliveries set status = 'pending', next_attempt_at = now(), completed_at = null,
           schedule_base = case when status = 'pending' then schedule_base else attempts end
     where workspace_id = $1 and endpoint_id = $2 and created_at >= $3 and created_at < $4 returning id`,
    [ws.id, e.id, range.from.toISOString(), range.to.toISOString()],
  )
  if (rows.length) deliveriesCreated()
  return rows.length
}
