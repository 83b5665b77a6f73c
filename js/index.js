// leakwatch's runner-agnostic entry: the tracker that runner adapters (leakwatch/vitest, leakwatch/node-test) are
// built on, and the shutdown audit, usable with no test runner at all.

import { warnIfLoadedAsSetupFile } from './misplaced-entry.js'

export { KINDS, LeakTracker, workerTracker } from './core/leak-tracker.js'
export { LeakError } from './core/leak-error.js'
export { DEFAULT_OPTIONS } from './core/options.js'
export { assertCleanShutdown, trackResources } from './core/shutdown-audit.js'

// Listed as a runner's setup file instead of leakwatch/vitest or leakwatch/jest, it would check nothing: it says so.
warnIfLoadedAsSetupFile()
