'use strict'
// leakwatch for jest: the `setupFilesAfterEnv` entry, and what a test file imports (configure, expectNoLeaks, watch,
// allowLeaks, resourceDelta, assertCleanShutdown, LeakError). Every test is checked after its afterEach hooks; a test
// that leaked fails.
//
// Jest runs each test file in a vm context of its own, with a module registry of its own: whatever a setup file
// loads through jest is loaded again for every file, in that file's realm, and jest deletes that realm's globals when
// the file ends. The tracker (one async hook and one set of EventEmitter patches per process) must be created once
// and outlive every file, and nothing of a finished file may stay reachable from it. So leakwatch itself runs in the
// worker's own realm, loaded by Node's loader (reached through the worker's `process`: jest hands a test file its own
// copy of `process` and of `node:module`), and this file is the thin part that lives in each test file's realm.
//
// CommonJS, so that jest loads it without --experimental-vm-modules (most jest suites are CommonJS, or compiled to
// it by babel-jest or ts-jest); under that flag, ES module test files import it the same way. Loading leakwatch's ES
// modules into the worker's realm takes an asynchronous import(): jest awaits the function a setup file exports
// before it loads the test file, so the file's module-level code is checked too.

const vm = require('node:vm')
const NOT_SET_UP = require('./not-set-up.cjs')
const SET_UP = require('./set-up-marker.cjs')

const ADAPTER = Symbol.for('leakwatch.jest.adapter')
/** The worker's own global object, shared by every test file of the worker (a test file's `globalThis` is its own). */
const workerGlobal = vm.runInThisContext('globalThis')

/** The adapter, in the worker's realm; stored on the worker's global so that a fresh module registry finds it. */
async function loadAdapter() {
  if (workerGlobal[ADAPTER] !== undefined) return workerGlobal[ADAPTER]
  const nodeModule = workerGlobal.process.getBuiltinModule?.('node:module')
  if (nodeModule === undefined) {
    throw new Error(
      `leakwatch/jest needs Node 20.16 or later (it loads itself through process.getBuiltinModule); this is Node ${workerGlobal.process.version}`,
    )
  }
  workerGlobal[ADAPTER] = await nodeModule.createRequire(__filename)('./load-in-worker.cjs')()
  return workerGlobal[ADAPTER]
}

function adapter() {
  const loaded = workerGlobal[ADAPTER]
  if (loaded === undefined) {
    throw new Error(NOT_SET_UP)
  }
  return loaded
}

/** Run by jest for each test file, before the file is loaded. */
async function setUpLeakwatch() {
  const { expect } = require('@jest/globals')
  const loaded = await loadAdapter()
  loaded.setUpTestFile({
    // jest-circus's event handlers of this test file: the array its own `addEventHandler` adds to.
    eventHandlers: globalThis[Symbol.for('EVENT_HANDLERS')],
    expect,
    warn: (text) => console.warn(text),
  })
  globalThis[SET_UP] = true
}

module.exports = setUpLeakwatch

module.exports.configure = function configure(options) {
  adapter().configure(options)
}

module.exports.expectNoLeaks = function expectNoLeaks(fn) {
  return adapter().expectNoLeaks(fn)
}

module.exports.watch = function watch(target, label) {
  return adapter().watch(target, label, watch)
}

module.exports.allowLeaks = function allowLeaks() {
  adapter().allowLeaks()
}

module.exports.resourceDelta = function resourceDelta() {
  return adapter().resourceDelta()
}

/** The shutdown audit of the worker's tracker: leakwatch's main entry, loaded by jest, would be a second, idle one. */
module.exports.assertCleanShutdown = function assertCleanShutdown(fn, options) {
  return adapter().assertCleanShutdown(fn, options)
}

// A getter: the class lives in the worker's realm, loaded when the first test file is set up. Node finds the names
// of a CommonJS module imported by an ES module by reading its source: it sees the assignment, and would drop the name
// for a getter made with Object.defineProperty (it cannot tell what such a getter returns), hence defineProperties.
// Node reads the getter at import; outside jest it throws, and Node takes undefined.
module.exports.LeakError = undefined
Object.defineProperties(module.exports, {
  LeakError: { enumerable: true, configurable: true, get: () => adapter().LeakError },
})
