// How the summary and the HTML page say why leakwatch failed a test or file: a phrase per reason of the report's
// `failureReasons` (js/core/report-meta.js), to follow "failed".

export const FAILURE_WORDS = Object.freeze({
  leaks: 'at its end',
  expectNoLeaks: 'by expectNoLeaks()',
  assertCleanShutdown: 'by assertCleanShutdown()',
  heapGrowth: 'by its heap growth',
  testLeaks: 'by the leaks of tests vitest could not fail (test.fails, ctx.skip())',
})

/** `failed`, `failed by expectNoLeaks()`, `failed at its end and by expectNoLeaks()`: leaks alone need no words. */
export function failedHow(reasons) {
  const others = reasons.filter((reason) => reason !== 'leaks').map((reason) => FAILURE_WORDS[reason] ?? reason)
  if (others.length === 0) return 'failed'
  return `failed ${reasons.includes('leaks') ? `${FAILURE_WORDS.leaks} and ` : ''}${others.join(' and ')}`
}
