// leakwatch/reporter: a vitest reporter (`reporters: ['default', 'leakwatch/reporter']`) that gathers what the
// setup file recorded on each test and file (`task.meta.leakwatch`) into one report when the run ends: a summary in
// the terminal, a JSON file (schema in report.js and docs/reports.md) and an HTML page; and the suite's heap growth,
// which no single worker can see, judged over all files. A suite over `maxHeapGrowthPerTest` fails the run.
//
// vitest already exits non-zero for the tests and files leakwatch failed. Leaks in warn-only mode (`onLeak: 'warn'`)
// are shown in the summary and the reports, and leave the exit code alone: failing the run for them would make
// warn-only mode `'fail'` with extra steps, and it exists to adopt leakwatch on a suite before its leaks are fixed.

import path from 'node:path'
import { fileRecord, reportSource, uncheckedModules } from './from-vitest.js'
import { reporterOptions } from './options.js'
import { buildReport } from './report.js'
import { formatSummary, wantsColor } from './summary.js'
import { displayPath, writeReportFiles } from './write.js'

export default class LeakwatchReporter {
  /** @param {{ json?: string | false, html?: string | false, summary?: boolean }} [options] */
  constructor(options) {
    // Checked now, so that a mistake stops vitest before it runs anything; onInit, which knows the shard, names the files.
    this.options = reporterOptions(options, undefined)
    this.rawOptions = options
    this.vitest = undefined
  }

  onInit(vitest) {
    this.vitest = vitest
    this.options = reporterOptions(this.rawOptions, vitest.config.shard)
  }

  /** @returns {object} the report of the modules that ran */
  buildReport(testModules) {
    const { config } = this.vitest
    const createdAt = new Date().toISOString()
    return buildReport({
      root: config.root,
      sources: [reportSource(config, createdAt)],
      files: testModules.map((testModule) => fileRecord(testModule, config.root)),
      createdAt,
    })
  }

  async onTestRunEnd(testModules, unhandledErrors, reason) {
    const logger = this.vitest.logger
    try {
      const report = this.buildReport(testModules)
      const root = this.vitest.config.root
      const resolve = (file) => (file === false ? false : path.resolve(root, file))
      const { written, errors } = writeReportFiles(report, {
        json: resolve(this.options.json),
        html: resolve(this.options.html),
      })
      if (this.options.summary) {
        logger.log(
          formatSummary(report, {
            color: wantsColor(process.stdout),
            written: written.map(displayPath),
            runEnd: reason,
          }),
        )
      }
      for (const error of errors) logger.error(`leakwatch/reporter: ${error}`)
      const unchecked = uncheckedModules(testModules)
      if (unchecked.length > 0) {
        const names = unchecked
          .slice(0, 3)
          .map((testModule) => testModule.relativeModuleId)
          .join(', ')
        logger.warn(
          `leakwatch/reporter: ${unchecked.length} test file${unchecked.length === 1 ? '' : 's'} ran without leakwatch's setup file ` +
            `(${names}${unchecked.length > 3 ? ', ...' : ''}): nothing in ${unchecked.length === 1 ? 'it' : 'them'} was checked. ` +
            "Add 'leakwatch/vitest' to setupFiles.",
        )
      }
      // The suite's growth is judged only here, over every file: the run fails through the exit code.
      if (report.suite.error || errors.length > 0) process.exitCode = 1
    } catch (error) {
      // Nothing a user did makes the report fail to build: say so, and keep the stack for whoever debugs it.
      const message = error instanceof Error ? error.message : String(error)
      logger.error(`leakwatch/reporter: the report could not be made (a leakwatch bug: please report it): ${message}`)
      if (process.env.LEAKWATCH_DEBUG === '1' && error instanceof Error) logger.error(error.stack)
      process.exitCode = 1
    }
  }
}

export { LeakwatchReporter }
// For reports merged or built by hand: the same page the reporter and `leakwatch merge` write.
export { renderHtmlReport } from './html/index.js'
