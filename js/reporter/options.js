// The reporter's options, checked when vitest creates it: a misspelt key would silently write no report.

import { describeValue } from '../core/describe-value.js'

const ACCEPTED = {
  json: "a path for the JSON report (relative to vitest's root), or false for none",
  html: "a path for the HTML report (relative to vitest's root), or false for none",
  summary: 'true or false (print the end-of-run summary in the terminal)',
}

/**
 * @param {unknown} options what the vitest config gives the reporter: `['leakwatch/reporter', options]`
 * @param {{ index: number, count: number } | undefined} shard vitest's `--shard`: the default file names get it, so
 *   shards run on one machine do not overwrite each other's reports
 * @returns {{ json: string | false, html: string | false, summary: boolean }}
 */
export function reporterOptions(options, shard) {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `leakwatch/reporter: the reporter's options must be an object { json?, html?, summary? }; got ${describeValue(options)}`,
    )
  }
  for (const [key, value] of Object.entries(options)) {
    if (!(key in ACCEPTED)) {
      throw new TypeError(
        `leakwatch/reporter: unknown option "${key}"; accepted options are ${Object.keys(ACCEPTED).join(', ')}`,
      )
    }
    if (value === undefined) continue
    const valid =
      key === 'summary'
        ? typeof value === 'boolean'
        : value === false || (typeof value === 'string' && value.trim() !== '')
    if (!valid)
      throw new TypeError(`leakwatch/reporter: option "${key}" must be ${ACCEPTED[key]}; got ${describeValue(value)}`)
  }
  const suffix = shard ? `-${shard.index}-${shard.count}` : ''
  return {
    json: options.json ?? `leakwatch-report${suffix}.json`,
    html: options.html ?? `leakwatch-report${suffix}.html`,
    summary: options.summary ?? true,
  }
}
