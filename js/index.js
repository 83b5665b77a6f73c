// leakwatch's runner-agnostic entry: the tracker that runner adapters (leakwatch/vitest) are built on.
export { KINDS, LeakTracker, workerTracker } from './core/leak-tracker.js'
export { LeakError } from './core/leak-error.js'
export { DEFAULT_OPTIONS } from './core/options.js'
export { loadNative } from './native.js'
