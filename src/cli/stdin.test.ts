import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { AppError } from '../shared/errors.ts'
import { inlinePasswordFromStdin } from './stdin.ts'

const stdin = (text: string) => Readable.from([Buffer.from(text)])

describe('--password-stdin', () => {
  it('takes the first line of standard input as the password', async () => {
    expect(
      await inlinePasswordFromStdin(['user', 'create', '--email', 'a@b.id', '--password-stdin'], stdin('rahasia panjang\n')),
    ).toEqual(['user', 'create', '--email', 'a@b.id', '--password', 'rahasia panjang'])
  })

  it('leaves other command lines alone, without reading stdin', async () => {
    expect(await inlinePasswordFromStdin(['account', 'list'], stdin(''))).toEqual(['account', 'list'])
  })

  it('refuses an empty input and a second password', async () => {
    await expect(inlinePasswordFromStdin(['user', 'create', '--password-stdin'], stdin('\n'))).rejects.toThrow(AppError)
    await expect(
      inlinePasswordFromStdin(['user', 'create', '--password', 'x', '--password-stdin'], stdin('y')),
    ).rejects.toThrow(/not both/)
  })
})

describe('--secret-stdin', () => {
  it('takes the first line of standard input as the webhook secret', async () => {
    expect(await inlinePasswordFromStdin(['webhook', 'add', '--url', 'https://toko.id', '--secret-stdin'], stdin('FcZnoVBN\n'))).toEqual(
      ['webhook', 'add', '--url', 'https://toko.id', '--secret', 'FcZnoVBN'],
    )
    await expect(inlinePasswordFromStdin(['webhook', 'add', '--secret', 'x', '--secret-stdin'], stdin('y'))).rejects.toThrow(/not both/)
    await expect(inlinePasswordFromStdin(['webhook', 'add', '--secret-stdin'], stdin(''))).rejects.toThrow(/no secret/)
  })
})
