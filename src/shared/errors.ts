/**
 * The closed error catalogue. Only `AppError` reaches clients (as problem+json on /v1, Moota's shapes on /api/v2);
 * anything else is logged with context and answered as a bare 500.
 */
export const ERROR_CODES = {
  validation: 422,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  unavailable: 503,
  source_failed: 502,
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class AppError extends Error {
  override readonly name = 'AppError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Field (or `rows[3].amount`) the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message)
  }

  get status(): number {
    return ERROR_CODES[this.code]
  }

  static validation(message: string, field?: string): AppError {
    return new AppError('validation', message, field)
  }

  static notFound(message: string): AppError {
    return new AppError('not_found', message)
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError
}
