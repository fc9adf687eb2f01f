/** Lunas' version, from package.json: shown by /health and sent in the webhook User-Agent. */
import { readFileSync } from 'node:fs'

export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version
