import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each file opens its own database (PGlite ~1 s to create, a PostgreSQL database per file in CI).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more forks only fight over them.
    maxWorkers: 2,
  },
})
