// Which leaks a user has accepted: the kinds they check, their ignore rules, and their baseline of known leaks; and
// the library behaviour that is by design (library-behaviour.js).

import { kindOf } from './kinds.js'
import { LIBRARY_IGNORE_RULES } from './library-behaviour.js'

function matches(pattern, text) {
  if (typeof text !== 'string') return false
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)
}

function matchesIgnoreRule(rule, leak, stack) {
  if (rule.kind !== undefined && !(Array.isArray(rule.kind) ? rule.kind : [rule.kind]).includes(leak.kind)) return false
  if (rule.createdBy !== undefined && !matches(rule.createdBy, stack)) return false
  if (rule.description !== undefined && !matches(rule.description, leak.description)) return false
  if (rule.emitter !== undefined && !matches(rule.emitter, leak.emitter)) return false
  if (rule.event !== undefined && !matches(rule.event, leak.event)) return false
  return true
}

function sitePosition(leak) {
  return leak.site ? `${leak.site.file}:${leak.site.line}:${leak.site.column}` : undefined
}

function matchesBaseline(entry, leak, testName) {
  if (entry.kind !== undefined && entry.kind !== leak.kind) return false
  if (entry.test !== undefined && entry.test !== testName) return false
  if (entry.site !== undefined) {
    const position = sitePosition(leak)
    if (position === undefined || !(position === entry.site || position.startsWith(`${entry.site}:`))) return false
  }
  return true
}

/**
 * The leaks the options do not accept.
 * @param {Array<object>} leaks as analysed by the native side
 * @param {(leak: object) => string} stackOf the creation stack text of a leak, for `createdBy` rules
 * @param {object} options the options in force
 * @param {string | undefined} testName the test's full name, for baseline entries naming a test
 */
export function unacceptedLeaks(leaks, stackOf, options, testName) {
  return leaks.filter((leak) => {
    if (options.kinds !== null && !options.kinds.includes(leak.kind)) return false
    if (options.ignore.some((rule) => matchesIgnoreRule(rule, leak, stackOf(leak)))) return false
    if (LIBRARY_IGNORE_RULES.some((rule) => matchesIgnoreRule(rule, leak, stackOf(leak)))) return false
    if (options.baseline.some((entry) => matchesBaseline(entry, leak, testName))) return false
    return true
  })
}

/**
 * Whether the options accept an open resource or listener already, from what stays the same while it is open: its
 * kind, its creation stacks, a listener's event, and its emitter when that is `process` or `globalThis` (whose
 * description cannot change; a socket's names its addresses, which can). Rules and baseline entries that need more
 * (a description, a site: the native side works them out, from the resource's state now) do not count here, so an
 * entry accepted on sight is accepted by unacceptedLeaks once described, whenever that is.
 * @param {object} resource as describeOpen gives it
 * @param {import('./leak-scope.js').ResourceRecord | import('./listener-tracker.js').ListenerRecord} record
 * @param {string} stack the creation stack text, for `createdBy` rules
 * @param {object} options the options in force
 * @param {string | undefined} testName the test's full name, for baseline entries naming a test
 */
export function acceptedOnSight(resource, record, stack, options, testName) {
  const fixedEmitter = record.emitter === process || record.emitter === globalThis
  const leak = {
    kind: kindOf(record.type, record.resource),
    event: resource.event,
    emitter: fixedEmitter ? resource.emitter : undefined,
  }
  return unacceptedLeaks([leak], () => stack, options, testName).length === 0
}
