// The other entry points' public types as users write them: the reporter in a vitest config and reading its JSON,
// the node:test adapter, and the runner-free shutdown audit (checked by tsc in __test__/package.test.mjs).
import { readFileSync } from 'node:fs'
import { defineConfig } from 'vitest/config'
import LeakwatchReporter, { type LeakwatchReport, type LeakwatchReporterOptions } from 'leakwatch/reporter'
import {
  allowLeaks,
  configure,
  expectNoLeaks,
  LeakError,
  resourceDelta,
  watch,
  type ReferencePattern,
} from 'leakwatch/node-test'
import { assertCleanShutdown, trackResources, type ShutdownSummary, type TestApi } from 'leakwatch'
import jestEntry from 'leakwatch/jest'
import * as nodeTestEntry from 'leakwatch/node-test'
import * as vitestEntry from 'leakwatch/vitest'

const reporterOptions: LeakwatchReporterOptions = { json: 'reports/leakwatch.json', html: false, summary: true }
export const config = defineConfig({
  test: { setupFiles: ['leakwatch/vitest'], reporters: ['default', ['leakwatch/reporter', reporterOptions]] },
})
export const reporter = new LeakwatchReporter({ json: false })
// @ts-expect-error: json is a path or false
export const badReporter = new LeakwatchReporter({ json: true })

export function slowestFiles(path: string): string[] {
  const report = JSON.parse(readFileSync(path, 'utf8')) as LeakwatchReport
  const version: 1 = report.version
  void version
  return report.files
    .filter((file) => (file.heap?.slopeBytesPerTest ?? 0) > 0)
    .map((file) => `${file.file}: ${file.tests.filter((test) => test.failedByLeaks).length} tests failed by leaks`)
}

const hookClosures: ReferencePattern = { holder: 'TestHook', edge: 'fn' }
configure({ ignoreReferences: [hookClosures] })
configure({ settleMs: 50, ignore: [{ kind: 'Timeout', createdBy: /node_modules\/pino/ }] })
export async function nodeTestUsage(): Promise<void> {
  await expectNoLeaks(async () => {})
  allowLeaks()
  const app = watch({ close: async () => {} }, 'app')
  await app.close()
  const open: number | undefined = resourceDelta().handles['TCP server']
  void open
  try {
    await expectNoLeaks()
  } catch (error) {
    if (error instanceof LeakError) void error.leaks.map((leak) => leak.site?.line)
  }
}

export async function shutdownUsage(stop: () => Promise<void>): Promise<number> {
  trackResources()
  const summary: ShutdownSummary = await assertCleanShutdown(stop, {
    name: 'messaging service',
    settleMs: 200,
    ignore: [{ kind: 'Interval' }],
  })
  // @ts-expect-error: settleMs is a number
  await assertCleanShutdown(stop, { settleMs: '200' })
  return summary.stopMs
}

// Every runner's entry has the one test API (TestApi, declared once in the main entry's types).
export const entries: TestApi[] = [vitestEntry, nodeTestEntry, jestEntry]
export const routes: string[] = vitestEntry.watch({ routes: [] as string[] }).routes
// @ts-expect-error: watch() takes an object
vitestEntry.watch(42)
