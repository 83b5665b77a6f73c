// Writes a report as JSON and, when the HTML page renderer is part of this leakwatch (html.js), as HTML.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const HTML_MODULE = new URL('./html.js', import.meta.url)

/**
 * The report as one HTML page, or null when this leakwatch has no HTML renderer. An error inside the renderer is
 * thrown, not taken for its absence.
 */
export async function renderHtml(report) {
  if (!existsSync(HTML_MODULE)) return null
  const { renderHtmlReport } = await import(HTML_MODULE.href)
  if (typeof renderHtmlReport !== 'function') return null
  return renderHtmlReport(report)
}

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
 * @param {object} report
 * @param {{ json: string | false, html: string | false }} paths absolute paths, or false for none
 * @returns {Promise<{ written: string[], errors: string[] }>} the files written, and what could not be
 */
export async function writeReportFiles(report, paths) {
  const written = []
  const errors = []
  if (paths.json) {
    try {
      writeText(paths.json, `${JSON.stringify(report, null, 2)}\n`)
      written.push(paths.json)
    } catch (error) {
      errors.push(`could not write the JSON report to ${paths.json}: ${error.message}`)
    }
  }
  if (paths.html) {
    try {
      const html = await renderHtml(report)
      if (html !== null) {
        writeText(paths.html, html)
        written.push(paths.html)
      }
    } catch (error) {
      errors.push(`could not write the HTML report to ${paths.html}: ${error.message}`)
    }
  }
  return { written, errors }
}
