/** pino, with the fields that may carry secrets redacted wherever they appear. */
import { type Logger, pino } from 'pino'

export type { Logger }

export const REDACT = [
  'password',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.secret_token',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
]

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' } },
    destination as pino.DestinationStream,
  )
}
