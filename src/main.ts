/** Entry point (see bin/lunas.js): hands the command line to the CLI and exits with its code. */
import { runCli } from './cli/run.ts'

process.exitCode = await runCli(process.argv.slice(2))
// Everything is closed by now; should a stray handle (a keep-alive socket, a timer) remain, do not hang on it.
setTimeout(() => process.exit(), 2000).unref()
