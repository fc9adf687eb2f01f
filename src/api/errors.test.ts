import { describe, expect, it } from 'vitest'
import { AppError } from '../shared/errors.ts'
import { classify, InvalidRequest, surfaceOf, toMootaBody, toProblem } from './errors.ts'

describe('surfaceOf', () => {
  it('puts /api/v2 and below on the Moota surface, everything else on Lunas', () => {
    expect(surfaceOf('/api/v2')).toBe('moota')
    expect(surfaceOf('/api/v2/mutation?bank=x')).toBe('moota')
    expect(surfaceOf('/api/v20/x')).toBe('lunas')
    expect(surfaceOf('/v1/mutations')).toBe('lunas')
    expect(surfaceOf('/health')).toBe('lunas')
  })
})

describe('the mapper', () => {
  it('shapes an AppError as problem+json and as Moota', () => {
    const f = classify(AppError.notFound('account X not found'))!
    expect(toProblem(f)).toEqual({
      type: 'https://lunas.dev/problems/not_found',
      title: 'Not found',
      status: 404,
      detail: 'account X not found',
      code: 'not_found',
    })
    expect(toMootaBody(f)).toEqual({
      error: true,
      message: 'Data tidak ditemukan',
      detail: 'account X not found',
    })
  })

  it("gives schema failures Laravel's bag, with its Indonesian wording for missing fields", () => {
    const f = classify(
      new InvalidRequest([
        { field: 'type', message: 'type is required', missing: true },
        { field: 'amount', message: 'amount must be …', missing: false },
      ]),
    )!
    expect(f.status).toBe(422)
    expect(toMootaBody(f)).toEqual({
      message: 'The given data was invalid.',
      errors: { type: ['Kolom type harus diisi.'], amount: ['amount must be …'] },
    })
    expect(toProblem(f)).toMatchObject({ code: 'validation', field: 'type', detail: 'type is required' })
  })

  it("keeps a domain refusal's own words as Moota's message", () => {
    const f = classify(AppError.validation('only sandbox accounts …', 'bank_id'))!
    expect(toMootaBody(f)).toEqual({
      message: 'only sandbox accounts …',
      errors: { bank_id: ['only sandbox accounts …'] },
    })
  })

  it('answers 401 with the Laravel text every Moota client expects', () => {
    expect(toMootaBody(classify(new AppError('unauthorized', 'no token'))!)).toEqual({
      message: 'Unauthenticated.',
    })
  })

  it('leaves unknown errors (and non-Fastify errors that carry a status) to the 500 path', () => {
    expect(classify(new Error('boom'))).toBeNull()
    expect(classify(Object.assign(new Error('x'), { statusCode: 400 }))).toBeNull()
    expect(
      classify(
        Object.assign(new Error('bad json'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
      ),
    ).toMatchObject({
      status: 400,
      code: 'validation',
    })
  })
})
