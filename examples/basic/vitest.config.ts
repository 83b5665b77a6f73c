import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // The whole set-up: leakwatch checks every test after it ends.
    setupFiles: ['leakwatch/vitest'],
    include: ['test/**/*.test.ts'],
  },
})
