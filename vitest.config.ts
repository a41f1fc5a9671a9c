import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration files each create their own databases and ports; two cores, two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
})
