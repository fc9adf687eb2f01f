/**
 * Where command output goes. Commands never write to the process streams themselves: the same handler runs in the
 * CLI process (output goes straight to the terminal) and inside a running server for a forwarded command (output is
 * collected and sent back over the socket). This is the only file allowed to use the console.
 */
export interface Output {
  /** One line of result on standard output. */
  print(line: string): void
  /** One line of diagnostics on standard error. */
  error(line: string): void
  /** Raw text as commander produces it (help, usage errors), already newline-terminated. */
  write(text: string, stream: 'stdout' | 'stderr'): void
}

/** Writes to this process's stdout and stderr. */
export function consoleOutput(): Output {
  return {
    print: (line) => console.log(line),
    error: (line) => console.error(line),
    write: (text, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(text),
  }
}

export interface BufferedOutput extends Output {
  stdout(): string
  stderr(): string
}

/** Collects output in memory, for a command run on behalf of another process. */
export function bufferedOutput(): BufferedOutput {
  let out = ''
  let err = ''
  return {
    print: (line) => {
      out += `${line}\n`
    },
    error: (line) => {
      err += `${line}\n`
    },
    write: (text, stream) => {
      if (stream === 'stdout') out += text
      else err += text
    },
    stdout: () => out,
    stderr: () => err,
  }
}
