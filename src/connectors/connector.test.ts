import { describe, expect, it } from 'vitest'
import { abortError, ConnectorError, checkAborted, untilAborted } from './connector.ts'

describe('ConnectorError', () => {
  it('is retryable for timeouts and outages, not for refused logins or malformed data', () => {
    expect(new ConnectorError('timeout', 'x').retryable).toBe(true)
    expect(new ConnectorError('unavailable', 'x').retryable).toBe(true)
    expect(new ConnectorError('login_failed', 'x').retryable).toBe(false)
    expect(new ConnectorError('malformed', 'x').retryable).toBe(false)
    expect(new ConnectorError('unavailable', 'x', { retryable: false }).retryable).toBe(false)
  })
})

describe('abort helpers', () => {
  it('turn an aborted signal into a ConnectorError, keeping one given as the reason', async () => {
    const reason = new ConnectorError('timeout', 'no answer within 30 s')
    const c = new AbortController()
    expect(() => checkAborted(c.signal)).not.toThrow()
    const waiting = untilAborted(c.signal)
    c.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    expect(() => checkAborted(c.signal)).toThrow(reason)

    const plain = new AbortController()
    plain.abort()
    expect(abortError(plain.signal)).toMatchObject({ code: 'timeout', message: 'the read was aborted' })
    await expect(untilAborted(plain.signal)).rejects.toBeInstanceOf(ConnectorError)
  })
})
