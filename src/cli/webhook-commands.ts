/**
 * `lunas webhook add|list|remove|test`: the same domain functions as the API's webhook routes, run in the CLI process
 * or, forwarded over the data-directory socket, inside the running server (see commands.ts). The secret is given with
 * `--secret` or, kept out of `ps` and shell history, `--secret-stdin` (stdin.ts); it is never printed.
 */
import { type Command, InvalidArgumentError, Option } from 'commander'
import { presentWebhook } from '../api/webhook-presenters.ts'
import { AppError } from '../shared/errors.ts'
import { formatWib } from '../shared/time.ts'
import { sendTest } from '../webhooks/control.ts'
import { createEndpoint, deleteEndpoint, listEndpoints } from '../webhooks/endpoints.ts'
import type { CommandContext } from './commands.ts'
import { table } from './format.ts'
import type { Output } from './output.ts'
import { resolveWorkspace } from './workspace.ts'

const uniqueCode = (name: string) => (value: string) => {
  const n = Number(value)
  if (!/^\d{1,3}$/.test(value) || n > 999) throw new InvalidArgumentError(`${name} must be a whole number from 0 to 999.`)
  return n
}

const workspaceOption = () =>
  new Option('--workspace <name>', 'workspace (default: "default", or the only workspace there is)')

export function addWebhookCommands(program: Command, ctx: CommandContext, out: Output): void {
  const webhook = program.command('webhook').description('manage webhook endpoints (Moota-compatible deliveries)')

  webhook
    .command('add')
    .description('add a webhook endpoint; prints its webhook_id on the last line')
    .requiredOption('--url <url>', 'http(s) URL that receives the deliveries')
    .option('--secret <secret>', 'signing secret (Moota’s secret_token, the Signature header key)')
    .option('--secret-stdin', 'read the secret from standard input instead (keeps it out of `ps`)')
    .option('--account <bank_id>', 'only this account’s mutations (default: every live account)')
    .addOption(new Option('--kinds <kinds>', 'which mutations').choices(['credit', 'debit', 'both']).default('both'))
    .option('--start <code>', 'lowest unique code (amount mod 1000) sent, 0–999', uniqueCode('start'), 0)
    .option('--end <code>', 'highest unique code sent, 0–999', uniqueCode('end'), 999)
    .addOption(workspaceOption())
    .action(
      async (o: {
        url: string
        secret?: string
        account?: string
        kinds: 'credit' | 'debit' | 'both'
        start: number
        end: number
        workspace?: string
      }) => {
        if (o.secret === undefined) throw AppError.validation('give --secret or --secret-stdin', 'secret')
        const app = await ctx.app()
        const ws = await resolveWorkspace(app.db, o.workspace)
        const e = await createEndpoint(app.db, ws, app.secretKey, {
          url: o.url,
          secret: o.secret,
          account: o.account ?? null,
          kinds: o.kinds,
          startUniqueCode: o.start,
          endUniqueCode: o.end,
        })
        const scope = e.accountPublicId ? `account ${e.accountPublicId}` : 'every account'
        out.print(
          `Added webhook ${e.url} to workspace "${ws.name}" (${scope}, ${e.kinds}, unique codes ${e.startUniqueCode}–${e.endUniqueCode}).`,
        )
        out.print(e.publicId)
      },
    )

  webhook
    .command('list')
    .description('list webhook endpoints (never their secrets)')
    .option('--json', 'print JSON instead of a table')
    .addOption(workspaceOption())
    .action(async (o: { json?: boolean; workspace?: string }) => {
      const app = await ctx.app()
      const ws = await resolveWorkspace(app.db, o.workspace)
      const endpoints = await listEndpoints(app.db, ws)
      if (o.json) out.print(JSON.stringify(endpoints.map(presentWebhook), null, 2))
      else if (!endpoints.length) out.print(`No webhooks in workspace "${ws.name}" yet (add one with: lunas webhook add).`)
      else {
        const rows = endpoints.map((e) => [
          e.publicId,
          e.accountPublicId ?? 'all',
          e.kinds,
          `${e.startUniqueCode}–${e.endUniqueCode}`,
          e.format,
          e.active ? 'yes' : e.disabledReason ? `no (${e.disabledReason})` : 'no',
          formatWib(e.createdAt),
          e.url,
        ])
        const header = ['WEBHOOK_ID', 'ACCOUNT', 'KINDS', 'CODES', 'FORMAT', 'ACTIVE', 'CREATED (WIB)', 'URL']
        for (const line of table(header, rows)) out.print(line)
      }
    })

  webhook
    .command('remove')
    .description('delete a webhook endpoint: it stops receiving, its undelivered deliveries are given up')
    .requiredOption('--id <webhook_id>', 'the webhook’s id (from: lunas webhook list)')
    .addOption(workspaceOption())
    .action(async (o: { id: string; workspace?: string }) => {
      const app = await ctx.app()
      const ws = await resolveWorkspace(app.db, o.workspace)
      await deleteEndpoint(app.db, ws, o.id)
      out.print(`Removed webhook ${o.id} from workspace "${ws.name}".`)
    })

  webhook
    .command('test')
    .description('queue Moota’s test delivery (a Rp10.000 credit) to a webhook; prints the delivery id on the last line')
    .requiredOption('--id <webhook_id>', 'the webhook’s id (from: lunas webhook list)')
    .addOption(workspaceOption())
    .action(async (o: { id: string; workspace?: string }) => {
      const app = await ctx.app()
      const ws = await resolveWorkspace(app.db, o.workspace)
      const delivery = await sendTest(app.db, ws, o.id)
      out.print(`Test delivery queued for webhook ${o.id}; the running server's worker sends it.`)
      out.print(delivery)
    })
}
