/**
 * Every `lunas` command, implemented once. `runCommand(ctx, argv, out)` runs in the CLI process when it holds the
 * database itself, and inside the running server for a command forwarded over the data-directory socket; the
 * context says which App to use, and all output goes to `out`. Each action asks for the App before printing
 * anything, so the CLI can still decide to forward the command instead (see run.ts).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import pkg from '../../package.json' with { type: 'json' }
import { addAccount, listAccounts, requestRefresh } from '../accounts/accounts.ts'
import { presentAccount } from '../api/presenters.ts'
import type { App } from '../app.ts'
import { ConfigError, type Role } from '../config.ts'
import { configureFeed } from '../connectors/sandbox/feed.ts'
import { MAX_RATE_PER_HOUR } from '../connectors/sandbox/generate.ts'
import { simulateTransaction } from '../connectors/sandbox/simulate.ts'
import { migrate } from '../db/migrate.ts'
import { newSecretKey } from '../shared/crypto.ts'
import { AppError, isAppError } from '../shared/errors.ts'
import { formatRupiah, parseRupiah } from '../shared/money.ts'
import { formatWib } from '../shared/time.ts'
import { createToken, listTokens, revokeTokenById } from '../tokens/tokens.ts'
import { createUser, findUserByEmail } from '../users/users.ts'
import { accountTable, table } from './format.ts'
import type { Output } from './output.ts'
import { addWebhookCommands } from './webhook-commands.ts'
import { resolveWorkspace, workspaceForNewUser } from './workspace.ts'

export interface CommandContext {
  /** The application to work on. In the CLI process this may hand the command over to a running server instead. */
  app(opts?: { migrate?: boolean }): Promise<App>
  /** Runs the server in this process until it is stopped; absent inside a server (`start` is never forwarded). */
  serve?(role: Role | undefined, out: Output): Promise<number>
  /** Wakes the scheduler after a command that made an account due; only inside a server running the worker. */
  wake?(): void
}

export const EXIT_OK = 0
export const EXIT_ERROR = 1
export const EXIT_USAGE = 2

/**
 * Runs one command line (without the `node lunas` prefix) and returns its exit code: 0 ok, 1 error (an AppError or
 * ConfigError, whose message is printed), 2 usage. Other errors are thrown for the caller to report.
 */
export async function runCommand(ctx: CommandContext, argv: readonly string[], out: Output): Promise<number> {
  let exitCode = EXIT_OK
  const program = buildProgram(ctx, out, (code) => {
    exitCode = code
  })
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return exitCode
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    if (isAppError(err)) {
      out.error(`error: ${err.message}`)
      return EXIT_ERROR
    }
    if (err instanceof ConfigError) {
      out.error(err.message)
      return EXIT_ERROR
    }
    throw err
  }
}

const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`)
  return n
}

function direction(value: string): 'CR' | 'DB' {
  const v = value.toUpperCase()
  if (v !== 'CR' && v !== 'DB')
    throw new InvalidArgumentError('type must be CR (money in) or DB (money out).')
  return v
}

const workspaceOption = () =>
  new Option('--workspace <name>', 'workspace (default: "default", or the only workspace there is)')

function buildProgram(ctx: CommandContext, out: Output, setExitCode: (code: number) => void): Command {
  const program = new Command('lunas')
    .description('Lunas: self-hosted, Moota-compatible bank-mutation ledger')
    .version(pkg.version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out.write(text, 'stdout'),
      writeErr: (text) => out.write(text, 'stderr'),
    })
    .showHelpAfterError('(run with --help for usage)')

  program
    .command('start')
    .description('serve the API and run the scheduler (on PORT, HOST, LUNAS_DATA_DIR or DATABASE_URL)')
    .addOption(
      new Option('--role <role>', 'what this process runs (default: LUNAS_ROLE, else all)').choices([
        'all',
        'api',
        'worker',
      ]),
    )
    .action(async (o: { role?: Role }) => {
      if (!ctx.serve) throw new AppError('conflict', 'Lunas is already running on this data directory')
      setExitCode(await ctx.serve(o.role, out))
    })

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const app = await ctx.app({ migrate: false })
      const applied = await migrate(app.db)
      for (const name of applied) out.print(`applied ${name}`)
      out.print(applied.length ? `${applied.length} migration(s) applied.` : 'Database is up to date.')
    })

  program
    .command('user')
    .description('manage users')
    .command('create')
    .description('create a user in a workspace (the workspace is created if missing)')
    .requiredOption('--email <email>', 'e-mail address (the login)')
    .requiredOption('--password <password>', 'password, at least 8 characters (stored hashed)')
    .option('--password-stdin', 'read the password from standard input instead (keeps it out of `ps`)')
    .option('--name <name>', 'display name')
    .addOption(workspaceOption())
    .action(async (o: { email: string; password: string; name?: string; workspace?: string }) => {
      const app = await ctx.app()
      const workspace = await workspaceForNewUser(app.db, o.workspace)
      const res = await createUser(app.db, { email: o.email, password: o.password, name: o.name, workspace })
      out.print(
        res.created
          ? `Created user ${res.user.email} in workspace "${res.workspace.name}".`
          : `Added existing user ${res.user.email} to workspace "${res.workspace.name}" (password unchanged).`,
      )
    })

  const token = program.command('token').description('manage personal access tokens')
  token
    .command('create')
    .description('create a personal access token for a user; the token is printed once, on the last line')
    .requiredOption('--email <email>', "the token's user")
    .option('--workspace <name>', "the token's workspace (needed when the user belongs to several)")
    .option(
      '--scopes <list>',
      'comma-separated scopes: api, user, user_read, bank, bank_read, mutation, mutation_read',
      'api',
    )
    .option('--name <name>', 'a name to recognise the token by')
    .option('--mode <mode>', 'live, or sandbox: the token then sees only the sandbox accounts and their data', 'live')
    .action(async (o: { email: string; workspace?: string; scopes: string; name?: string; mode: string }) => {
      const app = await ctx.app()
      const res = await createToken(app.db, o)
      out.print(
        `Token for ${o.email.trim().toLowerCase()} in workspace "${res.workspace.name}" (scopes: ${res.scopes.join(', ')}), in ${res.mode} mode.`,
      )
      out.print('It is stored hashed and shown only now; copy it:')
      out.print(res.token)
    })

  token
    .command('list')
    .description("list a workspace's tokens (never the token itself: only its last four characters)")
    .addOption(workspaceOption())
    .option('--email <email>', "only this user's tokens")
    .action(async (o: { workspace?: string; email?: string }) => {
      const app = await ctx.app()
      const ws = await resolveWorkspace(app.db, o.workspace)
      let userId: string | undefined
      if (o.email !== undefined) {
        const user = await findUserByEmail(app.db, o.email)
        if (!user) throw AppError.notFound(`user ${o.email} not found`)
        userId = user.id
      }
      const tokens = await listTokens(app.db, ws, { userId })
      if (!tokens.length) out.print(`No tokens in workspace "${ws.name}"${o.email ? ` for ${o.email}` : ''}.`)
      else {
        const when = (at: Date | null) => (at ? formatWib(at) : '')
        const rows = tokens.map((t) => [
          t.publicId,
          t.name,
          t.userEmail,
          t.scopes.join(','),
          t.mode,
          t.hint,
          when(t.createdAt),
          when(t.lastUsedAt) || 'never',
          when(t.revokedAt),
        ])
        const header = ['ID', 'NAME', 'USER', 'SCOPES', 'MODE', 'HINT', 'CREATED (WIB)', 'LAST USED (WIB)', 'REVOKED (WIB)']
        for (const line of table(header, rows)) out.print(line)
      }
    })

  token
    .command('revoke')
    .description('revoke a token at once; requests with it answer 401 from then on')
    .requiredOption('--id <token_id>', "the token's id (from: lunas token list)")
    .addOption(workspaceOption())
    .action(async (o: { id: string; workspace?: string }) => {
      const app = await ctx.app()
      const ws = await resolveWorkspace(app.db, o.workspace)
      await revokeTokenById(app.db, ws, o.id)
      out.print(`Revoked token ${o.id} in workspace "${ws.name}".`)
    })

  const account = program.command('account').description('manage bank accounts')
  account
    .command('add')
    .description('add an account; prints its bank_id on the last line')
    .requiredOption('--bank-type <type>', 'Moota bank_type, e.g. sandbox, sandboxVA, bca')
    .requiredOption('--number <number>', 'account number')
    .requiredOption('--holder <name>', "account holder's name")
    .option('--label <label>', 'label shown in lists (default: the bank name)')
    .option(
      '--interval <minutes>',
      'refresh interval in minutes (default: LUNAS_DEFAULT_REFRESH_MINUTES)',
      integer('interval', 1, 1440),
    )
    .addOption(workspaceOption())
    .action(
      async (o: {
        bankType: string
        number: string
        holder: string
        label?: string
        interval?: number
        workspace?: string
      }) => {
        const app = await ctx.app()
        const ws = await resolveWorkspace(app.db, o.workspace)
        const a = await addAccount(app.db, ws, {
          bankType: o.bankType,
          accountNumber: o.number,
          holderName: o.holder,
          label: o.label,
          refreshMinutes: o.interval ?? app.config.defaultRefreshMinutes,
        })
        ctx.wake?.()
        const sandbox = a.sandbox ? ' (sandbox: its money never counts as live)' : ''
        out.print(
          `Added ${a.bankType} account ${a.accountNumber} of ${a.holderName} to workspace "${ws.name}"${sandbox}.`,
        )
        out.print(a.publicId)
      },
    )

  account
    .command('list')
    .description('list accounts with their last sync')
    .addOption(workspaceOption())
    .option('--json', 'print JSON instead of a table')
    .action(async (o: { workspace?: string; json?: boolean }) => {
      const app = await ctx.app()
      const ws = await resolveWorkspace(app.db, o.workspace)
      const accounts = await listAccounts(app.db, ws)
      if (o.json) out.print(JSON.stringify(accounts.map(presentAccount), null, 2))
      else if (!accounts.length)
        out.print(`No accounts in workspace "${ws.name}" yet (add one with: lunas account add).`)
      else for (const line of accountTable(accounts)) out.print(line)
    })

  account
    .command('refresh')
    .description('read an account now instead of waiting for its interval')
    .requiredOption('--account <bank_id>', "the account's bank_id")
    .addOption(workspaceOption())
    .action(async (o: { account: string; workspace?: string }) => {
      const app = await ctx.app()
      const ws = await resolveWorkspace(app.db, o.workspace)
      await requestRefresh(app.db, ws, o.account)
      ctx.wake?.()
      out.print(
        ctx.wake
          ? `Refresh of ${o.account} requested; the scheduler is reading it now.`
          : `Refresh of ${o.account} requested; a running worker reads it on its next tick.`,
      )
    })

  program
    .command('simulate')
    .description(
      'store a simulated transaction on a sandbox account; prints the mutation id on the last line',
    )
    .requiredOption('--account <bank_id>', "the sandbox account's bank_id")
    .requiredOption('--amount <rupiah>', 'amount in rupiah, up to two decimals (150123 or 150123.00)')
    .requiredOption('--type <CR|DB>', 'CR (money in) or DB (money out)', direction)
    .option('--description <text>', 'transaction description as a bank would show it')
    .option('--note <text>', 'note kept with the mutation')
    .option(
      '--date <date>',
      'when it happened: YYYY-MM-DD, "YYYY-MM-DD HH:mm:ss" (WIB) or ISO 8601 (default: now)',
    )
    .addOption(workspaceOption())
    .action(
      async (o: {
        account: string
        amount: string
        type: 'CR' | 'DB'
        description?: string
        note?: string
        date?: string
        workspace?: string
      }) => {
        const app = await ctx.app()
        const ws = await resolveWorkspace(app.db, o.workspace)
        const amount = formatRupiah(parseRupiah(o.amount))
        const res = await simulateTransaction(app.db, ws, {
          accountId: o.account,
          amount: o.amount,
          type: o.type,
          description: o.description,
          note: o.note,
          date: o.date,
        })
        out.print(
          `Simulated ${o.type} ${amount} on ${o.account} (${res.new} new, ${res.total} in this batch).`,
        )
        out.print(res.mutationId)
      },
    )

  program
    .command('sandbox')
    .description('sandbox accounts')
    .command('feed')
    .description("set a sandbox account's automatic feed, read by the scheduler like a real bank")
    .requiredOption('--account <bank_id>', "the sandbox account's bank_id")
    .option(
      '--rate <per_hour>',
      `simulated transfers per hour, 0–${MAX_RATE_PER_HOUR} (0 stops the feed)`,
      integer('rate', 0, MAX_RATE_PER_HOUR),
    )
    .addOption(
      new Option('--fail <mode>', 'make each read fail this way, to see the failed states').choices([
        'timeout',
        'login',
        'malformed',
        'none',
      ]),
    )
    .option('--seed <n>', 'random seed, for repeatable feeds', integer('seed', 0, 0xffffffff))
    .addOption(workspaceOption())
    .action(
      async (o: {
        account: string
        rate?: number
        fail?: 'timeout' | 'login' | 'malformed' | 'none'
        seed?: number
        workspace?: string
      }) => {
        const app = await ctx.app()
        const ws = await resolveWorkspace(app.db, o.workspace)
        const settings = await configureFeed(app.db, ws, {
          accountId: o.account,
          ratePerHour: o.rate,
          fail: o.fail,
          seed: o.seed,
        })
        ctx.wake?.()
        out.print(`Sandbox feed of ${o.account}:`)
        for (const [key, value] of Object.entries(settings)) out.print(`  ${key}: ${JSON.stringify(value)}`)
      },
    )

  addWebhookCommands(program, ctx, out)

  program
    .command('secret-key')
    .description('print a new random key for LUNAS_SECRET_KEY')
    .action(() => {
      out.print(newSecretKey())
    })

  return program
}
