// Which vitest leakwatch/vitest runs on, and what it says on an older one: the version it found and the minimum.
// The minimum is leakwatch's peer dependency range in package.json, the one home of that number (npm refuses the
// install below it unless told --legacy-peer-deps or --force, which leads here).

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

/** `4.1.0`, from the peer range `^4.1.0 || ^5.0.0`: its lowest version, which comes first. */
function minimumVitest() {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  return /\d+\.\d+\.\d+/.exec(manifest.peerDependencies.vitest)?.[0] ?? manifest.peerDependencies.vitest
}

/** The version of the vitest this package resolves, or undefined when it cannot tell. */
function foundVitest() {
  try {
    return createRequire(import.meta.url)('vitest/package.json').version
  } catch {
    return undefined
  }
}

/**
 * Throws, naming the vitest found and the minimum, unless `vitest` (the module) has what leakwatch/vitest needs: it
 * runs each test in an aroundEach hook and wraps each file in an aroundAll one.
 * @param {Record<string, unknown>} vitest
 */
export function assertSupportedVitest(vitest) {
  if (typeof vitest.aroundAll === 'function' && typeof vitest.aroundEach === 'function') return
  const minimum = minimumVitest()
  const found = foundVitest()
  throw new Error(
    `leakwatch/vitest needs vitest ${minimum} or later (it runs each test in an aroundEach hook); this is ` +
      `${found === undefined ? 'an older vitest' : `vitest ${found}`}: update vitest to ${minimum} or later`,
  )
}
