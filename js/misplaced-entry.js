// leakwatch's main entry listed where a runner's adapter belongs checks nothing, silently: vitest's
// `setupFiles: ['leakwatch']` and jest's `setupFilesAfterEnv: ['leakwatch']` load it, and it only exports the tracker,
// the shutdown audit and the binding. Loaded so, it says once per process which entry checks every test. Imported by
// a user's code (assertCleanShutdown in a test), it says nothing.
//
// vitest tells a worker its setup files (resolved paths): the main entry is among them or not. jest does not. The
// main entry loaded in a test file's realm (jest-circus's event handlers on its global object) was loaded by a setup
// file if, one microtask later, the test file has not started defining its tests: a test file that imports it has,
// since its body runs right after its imports, in the same evaluation; jest loads the test file only once its setup
// files are done. Whether leakwatch/jest is set up too is known when the file's tests start (`run_start`).
//
// Limits: under jest, a test file whose first statement is a top-level `await`, that imports the main entry and does
// not use leakwatch/jest, is taken for a setup file and gets the warning. Not detected: jest's `setupFiles` (run
// before the test framework), and jest loading the main entry through its own require(esm) (Node 24.9+ without
// --experimental-vm-modules), where a CommonJS test file is loaded in the same synchronous run as its setup files.

import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import JEST_SET_UP from './jest/set-up-marker.cjs'

const MAIN_ENTRY = fileURLToPath(new URL('./index.js', import.meta.url))
const VITEST_ADAPTER = fileURLToPath(new URL('./vitest/index.js', import.meta.url))
/** jest-circus's event handlers of the test file, on its global object. */
const JEST_EVENT_HANDLERS = Symbol.for('EVENT_HANDLERS')
/** On the process's own global object (a jest test file has its own): one warning per process. */
const WARNED = Symbol.for('leakwatch.misplacedEntryWarned')

export const VITEST_WARNING =
  "[leakwatch] setupFiles lists 'leakwatch', leakwatch's main entry, which checks nothing by itself: list " +
  "'leakwatch/vitest' instead (setupFiles: ['leakwatch/vitest']) to check every test for leaks."

export const JEST_WARNING =
  "[leakwatch] 'leakwatch', leakwatch's main entry, was loaded as a jest setup file, where it checks nothing by " +
  "itself: list 'leakwatch/jest' instead (setupFilesAfterEnv: ['leakwatch/jest']) to check every test for leaks."

function warnOnce(text) {
  const processGlobal = vm.runInThisContext('globalThis')
  if (processGlobal[WARNED]) return
  processGlobal[WARNED] = true
  console.warn(text)
}

function realPath(file) {
  try {
    return realpathSync(file)
  } catch {
    return file
  }
}

/** Under vitest: the main entry among the setup files, and leakwatch/vitest not. */
function checkVitest(setupFiles) {
  const listed = new Set(setupFiles.filter((file) => typeof file === 'string').map(realPath))
  if (listed.has(realPath(MAIN_ENTRY)) && !listed.has(realPath(VITEST_ADAPTER))) warnOnce(VITEST_WARNING)
}

/** Under jest: watches the test file's events to learn who loaded the main entry, and whether leakwatch/jest is set up. */
function checkJest(handlers) {
  let testFileStarted = false
  let decided = false
  handlers.push((event) => {
    if (decided) return
    if (event.name === 'add_test' || event.name === 'start_describe_definition') {
      testFileStarted = true
    } else if (event.name === 'run_start') {
      decided = true
      if (globalThis[JEST_SET_UP] !== true) warnOnce(JEST_WARNING)
    }
  })
  // The handler stays in jest-circus's list (removing one while jest-circus goes through the list would skip the
  // next): it only stops listening. A promise, not queueMicrotask, which jest's fake timers may fake.
  Promise.resolve().then(() => {
    if (testFileStarted) decided = true
  })
}

/** Called by the main entry when it is loaded. */
export function warnIfLoadedAsSetupFile() {
  const setupFiles = globalThis.__vitest_worker__?.config?.setupFiles
  if (Array.isArray(setupFiles)) return checkVitest(setupFiles)
  const handlers = globalThis[JEST_EVENT_HANDLERS]
  if (Array.isArray(handlers)) checkJest(handlers)
}
