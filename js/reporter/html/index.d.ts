import type { LeakwatchReport } from '../index.js'

/**
 * The HTML report: one self-contained document (inline CSS, SVG and script; a Content-Security-Policy that forbids
 * every load) for a leakwatch report: the heap per test across the run (files as bands, leaky tests marked, each
 * file's slope), the leak table with creation sites and retainer paths, the files, and the details of the test a
 * click selects. Everything from the suite is escaped. Pure: returns the document, writes nothing.
 * @throws {TypeError} when `report` is not a leakwatch report of schema version 1
 */
export declare function renderHtmlReport(report: LeakwatchReport): string
