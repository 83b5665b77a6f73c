// A value as an error message names it (`got the string "yes"`, `got an object`): what was given, in words, so
// that a wrong option or a malformed report says what it held.

/** @param {unknown} value */
export function describeValue(value) {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof RegExp) return `the RegExp ${value}`
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  // A function's source, or an object's `[object Object]`, would say nothing useful.
  if (typeof value === 'function') return value.name ? `the function ${value.name}` : 'a function'
  if (typeof value === 'object') return 'an object'
  return `the ${typeof value} ${String(value)}`
}
