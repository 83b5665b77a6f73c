import { defineConfig } from 'vitest/config'

// Two projects: the suite as the original team wrote it (leaky), and the same tests corrected (fixed). leakwatch's
// reporter prints a summary at the end and writes leakwatch-report.json and leakwatch-report.html here.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['leakwatch/vitest'],
    reporters: ['default', 'leakwatch/reporter'],
    projects: [
      { extends: true, test: { name: 'leaky', include: ['test/leaky/*.test.ts'] } },
      { extends: true, test: { name: 'fixed', include: ['test/fixed/*.test.ts'] } },
    ],
  },
})
