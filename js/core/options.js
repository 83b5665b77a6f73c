// leakwatch's options: defaults, and validation that names the key and what it accepts.
//
// A misspelt option silently ignored is a leak check silently off, so unknown keys and wrong types throw a
// TypeError at configure() time, saying which key and what is accepted.

import { readFileSync } from 'node:fs'
import { describeValue } from './describe-value.js'

/** @type {Readonly<import('../index.js').LeakwatchOptions>} */
export const DEFAULT_OPTIONS = Object.freeze({
  enabled: true,
  settleMs: 100,
  kinds: null,
  reportUnref: false,
  listeners: true,
  heap: 'file',
  maxHeapGrowthPerTest: null,
  maxHeapGrowthPerFile: null,
  ignore: [],
  ignoreReferences: [],
  baseline: [],
  onLeak: 'fail',
})

export const ON_LEAK = ['fail', 'warn']
export const HEAP_MODES = ['off', 'file', 'test']
const IGNORE_RULE_KEYS = ['kind', 'createdBy', 'description', 'emitter', 'event', 'reason']
/** The keys that match: `reason` only documents a rule. */
const IGNORE_MATCH_KEYS = IGNORE_RULE_KEYS.filter((key) => key !== 'reason')
const BASELINE_KEYS = ['kind', 'site', 'test']
const REFERENCE_PATTERN_KEYS = ['holder', 'edge', 'holderHas']

function fail(key, accepted, value) {
  throw new TypeError(`leakwatch: option "${key}" must be ${accepted}; got ${describeValue(value)}`)
}

function checkKind(key, value, knownKinds) {
  if (typeof value !== 'string' || !knownKinds.includes(value)) {
    fail(key, `one of the kinds ${knownKinds.map((kind) => `"${kind}"`).join(', ')}`, value)
  }
}

function checkPattern(key, value) {
  if (!(typeof value === 'string' || value instanceof RegExp)) fail(key, 'a string or a RegExp', value)
}

function checkIgnoreRule(rule, index, knownKinds) {
  const key = `ignore[${index}]`
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    fail(key, 'an object { kind?, createdBy?, description?, emitter?, event?, reason? }', rule)
  }
  for (const field of Object.keys(rule)) {
    if (!IGNORE_RULE_KEYS.includes(field)) {
      throw new TypeError(
        `leakwatch: unknown key "${key}.${field}"; an ignore rule accepts ${IGNORE_RULE_KEYS.join(', ')}`,
      )
    }
  }
  if (!IGNORE_MATCH_KEYS.some((field) => rule[field] !== undefined))
    fail(key, `a rule with at least one of ${IGNORE_MATCH_KEYS.join(', ')}`, rule)
  if (rule.reason !== undefined && typeof rule.reason !== 'string')
    fail(`${key}.reason`, 'a string (why the rule is there)', rule.reason)
  if (rule.kind !== undefined) {
    const kinds = Array.isArray(rule.kind) ? rule.kind : [rule.kind]
    kinds.forEach((kind) => checkKind(`${key}.kind`, kind, knownKinds))
  }
  for (const field of ['createdBy', 'description', 'emitter', 'event']) {
    if (rule[field] !== undefined) checkPattern(`${key}.${field}`, rule[field])
  }
}

function checkReferencePatterns(patterns) {
  if (!Array.isArray(patterns))
    fail('ignoreReferences', 'an array of reference patterns { holder, edge, holderHas? }', patterns)
  patterns.forEach((pattern, index) => {
    const key = `ignoreReferences[${index}]`
    if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern))
      fail(key, 'an object { holder, edge, holderHas? }', pattern)
    for (const field of Object.keys(pattern)) {
      if (!REFERENCE_PATTERN_KEYS.includes(field)) {
        throw new TypeError(
          `leakwatch: unknown key "${key}.${field}"; a reference pattern accepts ${REFERENCE_PATTERN_KEYS.join(', ')}`,
        )
      }
    }
    for (const field of REFERENCE_PATTERN_KEYS) {
      if (field === 'holderHas' && pattern[field] === undefined) continue
      if (typeof pattern[field] !== 'string' || pattern[field] === '') {
        fail(
          `${key}.${field}`,
          'a non-empty string (a name as retainer paths show it, * for any characters)',
          pattern[field],
        )
      }
    }
  })
}

function loadBaseline(value) {
  if (typeof value !== 'string') return value
  let text
  try {
    text = readFileSync(value, 'utf8')
  } catch (error) {
    throw new TypeError(`leakwatch: option "baseline" names the file ${value}, which cannot be read: ${error.message}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new TypeError(`leakwatch: option "baseline" file ${value} is not valid JSON: ${error.message}`)
  }
}

function checkBaseline(entries, knownKinds) {
  if (!Array.isArray(entries))
    fail('baseline', 'an array of { kind?, site?, test? } or the path of a JSON file holding one', entries)
  entries.forEach((entry, index) => {
    const key = `baseline[${index}]`
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      fail(key, 'an object { kind?, site?, test? }', entry)
    for (const field of Object.keys(entry)) {
      if (!BASELINE_KEYS.includes(field)) {
        throw new TypeError(
          `leakwatch: unknown key "${key}.${field}"; a baseline entry accepts ${BASELINE_KEYS.join(', ')}`,
        )
      }
    }
    if (entry.kind !== undefined) checkKind(`${key}.kind`, entry.kind, knownKinds)
    for (const field of ['site', 'test']) {
      if (entry[field] !== undefined && typeof entry[field] !== 'string')
        fail(`${key}.${field}`, 'a string', entry[field])
    }
  })
  return entries
}

/**
 * Validates `options` and merges them over `base`.
 * @param {object} options what the user passed
 * @param {object} base the options in force
 * @param {string[]} knownKinds the kind names, for `kinds` and ignore rules
 */
export function mergeOptions(options, base, knownKinds) {
  if (options === undefined) return base
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`leakwatch: configure() takes an options object; got ${describeValue(options)}`)
  }
  const accepted = Object.keys(DEFAULT_OPTIONS)
  for (const key of Object.keys(options)) {
    if (!accepted.includes(key)) {
      throw new TypeError(`leakwatch: unknown option "${key}"; accepted options are ${accepted.join(', ')}`)
    }
  }
  const merged = { ...base }
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue
    switch (key) {
      case 'enabled':
      case 'reportUnref':
      case 'listeners':
        if (typeof value !== 'boolean') fail(key, 'true or false', value)
        break
      case 'settleMs':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 60_000) {
          fail(key, 'a number of milliseconds from 0 to 60000', value)
        }
        break
      case 'kinds':
        if (value !== null) {
          if (!Array.isArray(value)) fail(key, 'null (all kinds) or an array of kind names', value)
          value.forEach((kind, index) => checkKind(`kinds[${index}]`, kind, knownKinds))
        }
        break
      case 'ignore':
        if (!Array.isArray(value))
          fail(key, 'an array of rules { kind?, createdBy?, description?, emitter?, event?, reason? }', value)
        value.forEach((rule, index) => checkIgnoreRule(rule, index, knownKinds))
        break
      case 'ignoreReferences':
        checkReferencePatterns(value)
        break
      case 'baseline':
        merged.baseline = checkBaseline(loadBaseline(value), knownKinds)
        continue
      case 'heap':
        if (!HEAP_MODES.includes(value)) fail(key, `one of ${HEAP_MODES.map((mode) => `"${mode}"`).join(', ')}`, value)
        break
      case 'maxHeapGrowthPerTest':
      case 'maxHeapGrowthPerFile':
        if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
          fail(key, 'null (no limit) or a number of bytes, 0 or more', value)
        }
        break
      case 'onLeak':
        if (!ON_LEAK.includes(value)) fail(key, `one of ${ON_LEAK.map((mode) => `"${mode}"`).join(', ')}`, value)
        break
    }
    merged[key] = value
  }
  return Object.freeze(merged)
}
