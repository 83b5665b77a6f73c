// Writes a report as JSON and as HTML (html/ renders the page).

import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { renderHtmlReport } from './html/index.js'

/** A written file as the summary names it: relative to the working directory when under it, else absolute. */
export function displayPath(file) {
  const relative = path.relative(process.cwd(), file)
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative
}

function writeText(file, text) {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, text)
}

/**
 * Both texts are made before either file is written. A page that cannot be rendered is an error of its own, and the
 * JSON is written still: it holds everything, and is what `leakwatch merge` reads.
 * @param {object} report
 * @param {{ json: string | false, html: string | false }} paths absolute paths, or false for none
 * @returns {{ written: string[], errors: string[] }} the files written, and what could not be
 */
export function writeReportFiles(report, paths) {
  const written = []
  const errors = []
  const outputs = []
  if (paths.json) outputs.push({ kind: 'JSON', file: paths.json, text: `${JSON.stringify(report, null, 2)}\n` })
  if (paths.html) {
    try {
      outputs.push({ kind: 'HTML', file: paths.html, text: renderHtmlReport(report) })
    } catch (error) {
      errors.push(`could not write the HTML report to ${paths.html}: ${error.message}`)
    }
  }
  for (const { kind, file, text } of outputs) {
    try {
      writeText(file, text)
      written.push(file)
    } catch (error) {
      errors.push(`could not write the ${kind} report to ${file}: ${error.message}`)
    }
  }
  return { written, errors }
}
