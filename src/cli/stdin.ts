/**
 * `--password-stdin`: the password is read from standard input instead of the command line, where `ps` and shell
 * history would show it. It is inlined into the argv here, in the CLI process, because a forwarded command runs in
 * the server, which cannot read this process's stdin; the socket is the directory owner's alone (mode 0600).
 */
import type { Readable } from 'node:stream'
import { AppError } from '../shared/errors.ts'

export const PASSWORD_STDIN = '--password-stdin'

async function readAll(input: Readable): Promise<string> {
  let text = ''
  for await (const chunk of input) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8')
  return text
}

/** Replaces `--password-stdin` with `--password <first line of stdin>`; other command lines pass unchanged. */
export async function inlinePasswordFromStdin(argv: readonly string[], input: Readable): Promise<string[]> {
  const at = argv.indexOf(PASSWORD_STDIN)
  if (at === -1) return [...argv]
  if (argv.includes('--password')) throw AppError.validation('give --password or --password-stdin, not both', 'password')
  const password = (await readAll(input)).split(/\r?\n/, 1)[0] ?? ''
  if (!password) throw AppError.validation('no password on standard input', 'password')
  return [...argv.slice(0, at), '--password', password, ...argv.slice(at + 1)]
}
