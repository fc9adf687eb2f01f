/**
 * Polling connectors by `bank_type`. Accounts whose bank type has no connector here (cash, and sources that push or
 * import — notifications, gateways, statement files) are never scheduled.
 *
 * How to add a connector:
 * 1. Create `src/connectors/<source>/<source>.ts` exporting `const <source>Connector = { … } satisfies Connector`.
 *    Keep its I/O (HTTP, login, paging) thin and put the parsing in a pure `transform.ts` beside it, tested on
 *    recorded, anonymised payloads under `fixtures/`.
 * 2. Throw only `ConnectorError` for source failures (`login_failed`, `timeout`, `malformed`, `unavailable`), and
 *    stop waiting when `ctx.signal` aborts (`untilAborted`, `checkAborted` in connector.ts).
 * 3. A source without its own transaction ids declares `identity: 'whole-days'` and must return every WIB day it
 *    returns whole, from its start (today up to now), in the bank's own order; otherwise rows carry `reference`.
 * 4. Add it to `CONNECTORS` below (one bank type belongs to one connector).
 * 5. In `<source>.test.ts`, run `connectorContract(<source>Connector, makeFixture)` from contract.ts.
 */
import type { Account } from '../accounts/accounts.ts'
import type { Connector } from './connector.ts'
import { sandboxFeed } from './sandbox/feed.ts'

const CONNECTORS: readonly Connector[] = [sandboxFeed]

const byBankType = new Map<string, Connector>()
for (const c of CONNECTORS) {
  for (const type of c.bankTypes) {
    const other = byBankType.get(type)
    if (other) throw new Error(`bank_type ${type} has two connectors: ${other.id} and ${c.id}`)
    byBankType.set(type, c)
  }
}

/** The connector that polls this account, or null when it has none (or its source is not switched on). */
export function connectorFor(account: Account): Connector | null {
  const connector = byBankType.get(account.bankType)
  if (!connector) return null
  return (connector.isEnabled?.(account) ?? true) ? connector : null
}

/** Every bank type some connector polls: the scheduler claims only accounts of these types. */
export function polledBankTypes(): string[] {
  return [...byBankType.keys()]
}

export function listConnectors(): readonly Connector[] {
  return CONNECTORS
}
