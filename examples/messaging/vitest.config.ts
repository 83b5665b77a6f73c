import { defineConfig } from 'vitest/config'

// Two projects: the suite as the original team wrote it (leaky), and the same tests corrected (fixed). leakwatch's
// reporter prints a summary at the end and writes leakwatch-report.json and leakwatch-report.html here.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['leakwatch/vitest'],
    reporters: ['default', 'leakwatch/reporter'],
    projects: [
      // The team's suite ran on vitest 4, where a mock kept its calls from test to test (vitest 5 clears them before
      // each test by default); that is how its mocks kept every closed server reachable.
      { extends: true, test: { name: 'leaky', include: ['test/leaky/*.test.ts'], clearMocks: false } },
      { extends: true, test: { name: 'fixed', include: ['test/fixed/*.test.ts'] } },
    ],
  },
})
