#!/usr/bin/env node
// The `lunas` command. Plain JavaScript so it runs without a build step: it loads .env from the working directory
// (variables already in the environment win), registers tsx so Node can load the TypeScript sources, and hands over
// to src/main.ts.
import { existsSync } from 'node:fs'
import { register } from 'tsx/esm/api'

if (existsSync('.env')) process.loadEnvFile('.env')
register()
await import('../src/main.ts')
