/**
 * `--password-stdin` and `--secret-stdin`: a credential is read from standard input instead of the command line,
 * where `ps` and shell history would show it. It is inlined into the argv here, in the CLI process, because a
 * forwarded command runs in the server, which cannot read this process's stdin; the socket is the directory owner's
 * alone (mode 0600).
 */
import type { Readable } from 'node:stream'
import { AppError } from '../shared/errors.ts'

export const PASSWORD_STDIN = '--password-stdin'
export const SECRET_STDIN = '--secret-stdin'

/** Each `--x-stdin` flag and the option it stands for. */
const FROM_STDIN: readonly [flag: string, option: string, field: string][] = [
  [PASSWORD_STDIN, '--password', 'password'],
  [SECRET_STDIN, '--secret', 'secret'],
]

async function readAll(input: Readable): Promise<string> {
  let text = ''
  for await (const chunk of input) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8')
  return text
}

/**
 * Replaces `--password-stdin` (or `--secret-stdin`) with `--password <first line of stdin>` (or `--secret …`); other
 * command lines pass unchanged, without reading stdin. Standard input is read once, so only one of them may be given.
 */
export async function inlinePasswordFromStdin(argv: readonly string[], input: Readable): Promise<string[]> {
  const given = FROM_STDIN.filter(([flag]) => argv.includes(flag))
  if (!given.length) return [...argv]
  if (given.length > 1) throw AppError.validation('standard input can carry only one of --password-stdin, --secret-stdin')
  const [flag, option, field] = given[0]!
  if (argv.includes(option)) throw AppError.validation(`give ${option} or ${flag}, not both`, field)
  const value = (await readAll(input)).split(/\r?\n/, 1)[0] ?? ''
  if (!value) throw AppError.validation(`no ${field} on standard input`, field)
  const at = argv.indexOf(flag)
  return [...argv.slice(0, at), option, value, ...argv.slice(at + 1)]
}
