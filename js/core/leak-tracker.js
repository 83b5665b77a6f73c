// LeakTracker: the runner-agnostic core. A runner adapter opens a scope when a test (or file) starts, and checks
// it when it ends; this decides what is still open, has the native side describe and locate it, filters what the
// user accepted, and renders the report.

import { loadNative } from '../native.js'
import { AsyncResourceTracker } from './async-tracker.js'
import { collectThoroughly } from './gc.js'
import { judgeGrowth } from './heap-growth.js'
import { HeapSampler } from './heap-sampler.js'
import {
  ASYNC_TYPES,
  CONNECTION_TYPES,
  kindOf,
  KINDS,
  LISTENER_TYPE,
  pseudoId,
  RETAINED_TYPE,
  SERVER_TYPES,
} from './kinds.js'
import { LeakScope } from './leak-scope.js'
import { describeEmitter, ListenerTracker } from './listener-tracker.js'
import { livenessOrClosed, ownerOf } from './liveness.js'
import { madeByRunner } from './made-by.js'
import { findOpen } from './open-entries.js'
import { isFinished } from './inert-listeners.js'
import { DEFAULT_OPTIONS, mergeOptions } from './options.js'
import { settleOpenResources } from './settle.js'
import { classifiedFrames, pathOf } from './stack-frames.js'
import { WatchRegistry } from './watch-registry.js'

/**
 * What only a leak needs, loaded when one is found: a test file's worker loads leakwatch anew (vitest's forks and
 * threads pools, per file), and each ES module costs it about half a millisecond to load.
 */
const forLeaks = {
  describeOpen: () => import('./describe-open.js'),
  leakFilter: () => import('./leak-filter.js'),
  retainerPaths: () => import('./retainer-paths.js'),
  ignoredReferences: () => import('./ignored-references.js'),
}

export { KINDS }

function increment(counts, key) {
  counts[key] = (counts[key] ?? 0) + 1
}

/** Whether watched closed owners came from two tests or more. */
function fromTwoTests(owners) {
  return new Set(owners.map((watched) => watched.testName)).size > 1
}

/** What `createdBy` rules match: the creation stack, and the stacks that led to it (a listen() call, the callbacks). */
function creationStackText(resource) {
  const hops = (resource.callbackHops ?? []).map((hop) => hop.stack)
  return [resource.stack, resource.causeStack ?? '', ...hops].join('\n')
}

/**
 * A retained object's path as `OpenResource` takes it: the path (see retainer-paths.js), or why there is none.
 * @param {object | string} path a path, or the reason there is none
 */
function retainerPathOf(path) {
  return typeof path === 'string' ? { noRetainerPath: path } : { retainerPath: path }
}

/** An object watched in a test and still held by the program, as a leak of that test. */
function watchedLeak(entry, path) {
  return {
    type: RETAINED_TYPE,
    asyncId: pseudoId(),
    stack: entry.stack,
    hasRef: true,
    object: `${entry.constructorName} instance${entry.label ? ` (watched as "${entry.label}")` : ''}`,
    ...retainerPathOf(path),
  }
}

/** An object watched at module level, or in a test that left it to the file, still held at the file's end. */
function deferredLeak({ entry, path }) {
  if (entry.testName === undefined) return watchedLeak(entry, path)
  const label = entry.label ? ` as "${entry.label}"` : ''
  const object = `${entry.constructorName} instance (watched${label} in test "${entry.testName}", still held at the end of the file)`
  return { ...watchedLeak(entry, path), object }
}

/**
 * @typedef {object} CheckResult
 * @property {Array<object>} leaks the leaks not accepted by the options, serialisable
 * @property {string} text the report, empty when there are no leaks
 * @property {string[]} warnings MaxListenersExceededWarnings the scope caused, in words
 */

/**
 * What one check reports on, and how: each entry point (checkTest, checkShutdown, checkFile) says all of it.
 * @typedef {object} CheckContext
 * @property {string} subject who leaked, for the report's heading
 * @property {string | undefined} testName the test whose ignore rules and baseline entries apply, when one is known
 * @property {string | undefined} scopeHint a line for the report's fix (where a file's resources should close)
 * @property {object[]} extraResources more leaks to report with the scope's, as `OpenResource`s (the objects a file
 *   still holds)
 * @property {LeakTracker['options']} options the options of this check
 * @property {boolean} retained whether the scope's watched objects are checked now (an audit mid-scope leaves them)
 * @property {'test' | 'shutdown'} wording whose fix the report words: the test's cleanup, or a service's stop()
 */

export class LeakTracker {
  /** @param {object} [options] see `configure` */
  constructor(options) {
    this.options = mergeOptions(options, DEFAULT_OPTIONS, KINDS)
    this.asyncTracker = new AsyncResourceTracker(ASYNC_TYPES)
    /** Runs `fn` with no scope active: leakwatch's own timers are never recorded. */
    this.untracked = (fn) => this.asyncTracker.untracked(fn)
    this.listenerTracker = new ListenerTracker(this.asyncTracker)
    this.watches = new WatchRegistry()
    this.heapSampler = new HeapSampler()
    /** A test's watch() check took a heap snapshot in this file already (one per file; its end may take one more). */
    this.snapshotTaken = false
    this.root = process.cwd()
    /** Path fragments of the test runner's code, set by its adapter: what the runner makes is not a leak. */
    this.runnerDirs = []
    this.started = false
  }

  configure(options) {
    this.options = mergeOptions(options, this.options, KINDS)
    this.#syncWithOptions()
  }

  /** Back to the defaults: a runner adapter does this when a new test file starts, so files configure themselves. */
  resetOptions() {
    this.options = mergeOptions({}, DEFAULT_OPTIONS, KINDS)
    this.#syncWithOptions()
  }

  start() {
    if (this.started) return
    this.asyncTracker.enable()
    this.started = true
    this.#syncWithOptions()
  }

  /** Removes every hook and patch: what Node defines is as it was. */
  stop() {
    if (!this.started) return
    this.asyncTracker.disable()
    this.listenerTracker.disable()
    this.asyncTracker.activeScope = null
    this.started = false
  }

  #syncWithOptions() {
    if (this.started && this.options.listeners) this.listenerTracker.enable()
    else this.listenerTracker.disable()
    this.asyncTracker.recordsUnrefTimers = this.options.reportUnref
  }

  #findOpen(scope, includeReported = false, options = this.options) {
    const { reportUnref: includeUnref, kinds } = options
    const bornInScope = (emitter, inScope) => this.listenerTracker.bornInScope(emitter, inScope)
    return findOpen(scope, { includeUnref, includeReported, kinds, runnerDirs: this.runnerDirs, bornInScope })
  }

  /** The scope what runs now belongs to (its test's, by async context, else the active one), or null. */
  scopeNow() {
    return this.asyncTracker.scopeNow()
  }

  /** The scope of the async context that runs now (a test run through runInScope), or null. */
  scopeInContext() {
    return this.asyncTracker.scopeInContext()
  }

  /** Runs `fn` in `scope`'s async context: what it starts, whenever that lands, is the scope's. */
  runInScope(scope, fn) {
    return this.asyncTracker.runInScope(scope, fn)
  }

  /** The scope resources are recorded in when no test's async context says otherwise, or null. */
  get activeScope() {
    return this.asyncTracker.activeScope
  }

  set activeScope(scope) {
    this.asyncTracker.activeScope = scope
  }

  /** Counts `emitter` as born in `scope`: the listeners added to it there are the scope's own business. */
  adoptEmitter(emitter, scope) {
    this.listenerTracker.bornIn.set(emitter, scope)
  }

  /**
   * Opens a scope, and makes it the active one unless it will be run in an async context of its own (runInScope). A
   * nested scope records into its parent too.
   */
  openScope(subject, parent = null, { activate = true } = {}) {
    const scope = new LeakScope(subject, parent)
    if (activate) this.activeScope = scope
    return scope
  }

  /**
   * Checks what a test left open at its end, or a block of it (`expectNoLeaks()`), with the configured options.
   * @param {LeakScope} scope
   * @param {string | undefined} testName the test's name, for the ignore rules and baseline entries that name a test;
   *   undefined when it cannot be told (tests running concurrently)
   * @returns {Promise<CheckResult>}
   */
  checkTest(scope, testName) {
    return this.#check(scope, {
      subject: scope.subject,
      testName,
      scopeHint: undefined,
      extraResources: [],
      options: this.options,
      retained: true,
      wording: 'test',
    })
  }

  /**
   * Checks a service's shutdown (`assertCleanShutdown`): what `scope` has open after the stop, with the audit's own
   * options. The scope's watched objects are left to its end, and the report puts the fix on the service's stop().
   * @param {LeakScope} scope the scope the stop ran in (a test's, or the process's)
   * @param {{ subject: string, options: LeakTracker['options'] }} audit
   * @returns {Promise<CheckResult>}
   */
  checkShutdown(scope, { subject, options }) {
    return this.#check(scope, {
      subject,
      testName: scope.testName,
      scopeHint: undefined,
      extraResources: [],
      options,
      retained: false,
      wording: 'shutdown',
    })
  }

  /**
   * Waits for pending closes, then reports what `scope` left open that the options do not accept. The resources
   * reported are marked, so that a later check of the same scope does not report them again.
   * @param {LeakScope} scope
   * @param {CheckContext} context
   * @returns {Promise<CheckResult>}
   */
  async #check(scope, context) {
    const { options } = context
    const findOpen = () => this.#findOpen(scope, false, options)
    // Most tests end with nothing open, nothing on its way, nothing watched: their check waits for nothing.
    let open = findOpen()
    // A server whose listen() is still looking its host up is waited for like a pending close: its handle, made in
    // this scope's context, is the scope's.
    const isPending = () => scope.hasPendingListen()
    if (open.length > 0 || isPending())
      open = await settleOpenResources(
        findOpen,
        options.settleMs,
        this.untracked,
        isPending,
        this.#acceptedOnSight(scope, context),
      )
    const warnings = scope.maxListenersRecords.length === 0 ? [] : await this.#maxListenersWarnings(scope)
    const watched = context.retained && this.watches.watches(scope) ? await this.#retainedObjects(scope) : []
    const retained = [...watched, ...context.extraResources]
    if (open.length === 0 && retained.length === 0) return { leaks: [], text: '', warnings }
    const [{ describeOpen }, { unacceptedLeaks }] = await Promise.all([forLeaks.describeOpen(), forLeaks.leakFilter()])
    const resources = [...describeOpen(scope, open, this.asyncTracker.listenStacks), ...retained]
    const analysed = await this.#analyze(resources)
    const stacks = new Map(resources.map((resource) => [resource.asyncId, creationStackText(resource)]))
    const leaks = unacceptedLeaks(analysed, (leak) => stacks.get(leak.asyncId), options, context.testName)
    const reportedIds = new Set(leaks.map((leak) => leak.asyncId))
    for (const { record } of open) if (reportedIds.has(record.asyncId)) scope.markReported(record)
    if (leaks.length === 0) return { leaks: [], text: '', warnings }
    const native = await loadNative()
    const text = native.renderLeakReport(
      JSON.stringify({
        subject: context.subject,
        leaks,
        scopeHint: context.scopeHint,
        attributionUncertain: scope.attributionUncertain,
        wording: context.wording,
      }),
    )
    return { leaks, text, warnings }
  }

  /**
   * Whether the check's options accept every entry of `open` whatever becomes of it (leak-filter.js's
   * acceptedOnSight): the settle window does not wait on for those. Decided once per record.
   * @param {LeakScope} scope
   * @param {CheckContext} context
   * @returns {(open: import('./open-entries.js').OpenEntry[]) => Promise<boolean>}
   */
  #acceptedOnSight(scope, { options, testName }) {
    const decided = new WeakMap()
    return async (open) => {
      const undecided = open.filter(({ record }) => !decided.has(record))
      if (undecided.length > 0) {
        const [{ describeOpen }, { acceptedOnSight }] = await Promise.all([
          forLeaks.describeOpen(),
          forLeaks.leakFilter(),
        ])
        const described = describeOpen(scope, undecided, this.asyncTracker.listenStacks)
        const byId = new Map(described.map((resource) => [resource.asyncId, resource]))
        for (const { record } of undecided) {
          const resource = byId.get(record.asyncId)
          const accepted =
            resource !== undefined && acceptedOnSight(resource, record, creationStackText(resource), options, testName)
          decided.set(record, accepted)
        }
      }
      return open.every(({ record }) => decided.get(record))
    }
  }

  /**
   * The objects watched in `scope` that the program still holds after two turns of the event loop and a GC. Held
   * only through the ignored references (a runner's bookkeeping), an object is not the test's leak. Telling takes a
   * heap snapshot: the first test of a file that needs one takes it; later ones leave their objects to the file's end.
   */
  async #retainedObjects(scope) {
    const watched = this.watches.take(scope)
    if (watched.length === 0) return []
    await collectThoroughly(this.untracked)
    const alive = watched.filter((entry) => entry.isAlive())
    if (alive.length === 0) return []
    if (this.snapshotTaken) {
      for (const entry of alive) this.watches.defer(entry, scope.testName ?? scope.subject)
      return []
    }
    this.snapshotTaken = true
    const paths = await this.#retainerPaths(alive, scope)
    return alive.flatMap((entry, index) => (paths[index] === null ? [] : [watchedLeak(entry, paths[index])]))
  }

  /**
   * The retainer path of each object (by its WatchedObject), from one heap snapshot; null for one the program does
   * not hold, and the reason when the snapshot could not be analysed. A snapshot costs seconds on a large heap:
   * callers take at most one per test file and one at its end.
   * @param {import('./watch-registry.js').WatchedObject[]} alive
   * @returns {Promise<Array<object | string | null>>}
   */
  async #retainerPaths(alive, scope) {
    const paths = alive.map(() => null)
    try {
      const [{ retainerPaths }, { referencePatterns }] = await Promise.all([
        forLeaks.retainerPaths(),
        forLeaks.ignoredReferences(),
      ])
      // Built inline and handed over: no frame of this function keeps the objects while the snapshot is taken.
      const targets = []
      const slots = []
      alive.forEach((entry, index) => {
        const target = entry.ref.deref()
        if (target === undefined) return
        targets.push(target)
        slots.push(index)
      })
      const found = await retainerPaths(
        targets,
        this.untracked,
        referencePatterns(this.options.ignoreReferences),
        this.#openHolders(scope),
      )
      found.forEach((path, index) => {
        paths[slots[index]] = path
      })
      return paths
    } catch (error) {
      // Undecided: reported, with the reason the path is missing.
      return alive.map(() => `the heap snapshot could not be analysed: ${error.message}`)
    }
  }

  /**
   * The resources still open or pending, whose holdings are theirs and not retained by the program: those the tests
   * left open and those of `scope` (and of its parents), with their owners (a socket, a server). Open and ref'd, each
   * is a leak reported as the resource it is; a one-shot timer, ref'd or not, lets go of what it holds when it fires.
   * An unref'd handle or interval is not among them: it holds what it holds for as long as the program runs.
   * @returns {object[]}
   */
  #openHolders(scope) {
    const holders = new Set()
    const add = (type, resource) => {
      const liveness = livenessOrClosed(type, resource)
      const pendingTimer = type === 'Timeout' && liveness !== 'closed' && resource._repeat == null
      if (liveness !== 'ref' && !pendingTimer) return
      holders.add(resource)
      const owner = ownerOf(resource)
      if (owner !== null && typeof owner === 'object') holders.add(owner)
    }
    for (const { type, resource } of this.asyncTracker.leftOpen.values()) add(type, resource.deref())
    // A scope's records include its children's: its own and its parents' are all there is.
    for (let current = scope; current; current = current.parent) {
      for (const record of current.records) add(record.type, record.resource)
    }
    return [...holders]
  }

  /**
   * Checks the end of a file: what its scope left open; the closed servers and sockets the program still holds, and
   * the objects watched at module level or left undecided by their test (one GC, shared with the file's last heap
   * sample, and one heap snapshot when something outlived it); its heap growth.
   * @returns {Promise<CheckResult & { growth: ReturnType<LeakTracker['fileHeapGrowth']> }>}
   */
  async checkFile(scope, fileName, scopeHint) {
    // What the file's hooks closed goes first: an unformatted stack holds its frames' receivers, and a cleanup in
    // afterAll (`await once(socket, 'close')`) would otherwise hold what the tests closed through the GC below. So
    // does the last fs request's stack (no FileHandle of this file is made after its last hook).
    this.compact(scope)
    this.asyncTracker.lastFileRequest = undefined
    const watched = [...this.watches.take(scope), ...this.watches.takeDeferred()]
    const owners = this.watches.takeClosedOwners()
    // Closed owners from more than one test, or watched objects: one thorough GC for the file serves them and its
    // last heap sample.
    const collect = (this.options.heap !== 'off' && fromTwoTests(owners)) || watched.length > 0
    if (collect) await collectThoroughly(this.untracked)
    const growth = this.fileHeapGrowth(fileName, collect)
    const aliveOwners = collect ? owners.filter((entry) => entry.isAlive() && !entry.isStillClosing()) : []
    const candidates = [
      ...(fromTwoTests(aliveOwners) ? aliveOwners : []),
      ...watched.filter((entry) => entry.isAlive()),
    ]
    const paths = candidates.length > 0 ? await this.#retainerPaths(candidates, scope) : []
    const held = candidates.map((entry, index) => ({ entry, path: paths[index] })).filter(({ path }) => path !== null)
    const heldOwners = held.filter(({ entry }) => entry.what !== undefined)
    // A single object is often a module-level `let server` holding the last test's, harmless; distinct objects from
    // two tests or more pile up, one per test.
    const reachable = fromTwoTests(heldOwners.map(({ entry }) => entry)) ? heldOwners : []
    const retained = [
      ...this.#closedOwnerLeaks(reachable),
      ...held.filter(({ entry }) => entry.what === undefined).map(deferredLeak),
    ]
    this.watches.resetClosedOwners()
    const tests = [...new Set(reachable.map(({ entry }) => entry.testName))]
    const hint =
      reachable.length > 0
        ? `${scopeHint}\n    ${reachable.length} servers and sockets the tests closed are still reachable after GC (tests: ${tests.map((name) => `"${name}"`).join(', ')}): something keeps what every test closed alive, and the heap grows with each test. watch(app) in one of them names the path that holds it.`
        : scopeHint
    const result = await this.#check(scope, {
      subject: retained.length > 0 ? `file ${fileName}` : scope.subject,
      testName: undefined,
      scopeHint: hint,
      extraResources: retained,
      options: this.options,
      retained: true,
      wording: 'test',
    })
    this.snapshotTaken = false
    return { ...result, growth }
  }

  /**
   * The closed owners the program holds, as leaks. Per kind (server, socket), one creation site and one retainer
   * path, the first one's: the report groups them, and they pile up the same way.
   * @param {Array<{ entry: import('./watch-registry.js').WatchedObject, path: object | string }>} reachable
   */
  #closedOwnerLeaks(reachable) {
    const firsts = new Map()
    for (const found of reachable) {
      if (!firsts.has(found.entry.what)) {
        const site = this.watches.closedOwnerSite(found.entry)
        firsts.set(found.entry.what, { ...found, site, callbackHops: this.watches.closedOwnerHops(found.entry) })
      }
    }
    return reachable.map(({ entry }) => {
      const { site, callbackHops, path } = firsts.get(entry.what)
      return {
        type: RETAINED_TYPE,
        asyncId: pseudoId(),
        stack: site,
        callbackHops,
        hasRef: true,
        object: `${entry.constructorName} instance (a ${entry.what} its test closed)`,
        ...retainerPathOf(path),
      }
    })
  }

  /**
   * Heap figures at the end of a test: after a forced GC in mode `test` or when a growth limit is set, else as they
   * are (the sampler forces one only when the heap has grown a step: see HeapSampler).
   */
  async heapAfterTest(name) {
    const { heap, maxHeapGrowthPerTest, maxHeapGrowthPerFile } = this.options
    if (heap === 'off') return null
    const forced = heap === 'test' || maxHeapGrowthPerTest !== null || maxHeapGrowthPerFile !== null
    return this.heapSampler.endTest(name, forced, this.untracked)
  }

  /**
   * The file's heap growth, judged against the limits, or against steady growth when none is set. `justCollected`:
   * a thorough GC just ran, so the last sample needs none of its own.
   * @returns {{ error?: string, warning?: string, slopeBytesPerTest: number, samples: number }}
   */
  fileHeapGrowth(fileName, justCollected = false) {
    const { heap, maxHeapGrowthPerTest, maxHeapGrowthPerFile } = this.options
    if (heap !== 'off') this.heapSampler.sampleFileEnd(justCollected)
    const { samples, tests, testIndex } = this.heapSampler
    this.heapSampler.resetFile()
    if (heap === 'off') return { slopeBytesPerTest: 0, samples: 0 }
    return judgeGrowth({ samples, tests, testCount: testIndex, fileName, maxHeapGrowthPerTest, maxHeapGrowthPerFile })
  }

  /** Has the native side describe and locate `resources`, their stacks handed over as classified frames. */
  async #analyze(resources) {
    const native = await loadNative()
    const framesOf = (stack) => classifiedFrames(stack, this.runnerDirs)
    const input = {
      root: pathOf(this.root),
      resources: resources.map(({ stack, causeStack, callbackHops, ...resource }) => ({
        ...resource,
        frames: framesOf(stack ?? ''),
        causeFrames: causeStack === undefined ? undefined : framesOf(causeStack),
        callbackHops: callbackHops?.map((hop) => ({
          type: hop.type,
          repeats: hop.repeats,
          frames: framesOf(hop.stack),
        })),
      })),
    }
    return JSON.parse(native.analyzeOpenResources(JSON.stringify(input)))
  }

  /** MaxListenersExceededWarnings the scope's adds caused, in words, with the line of the add that tipped it. */
  async #maxListenersWarnings(scope) {
    const records = scope.maxListenersRecords.filter((record) => !scope.reported.has(record))
    if (records.length === 0) return []
    for (const record of records) scope.markReported(record)
    const resources = records.map(({ stack, emitter, event }, index) => ({
      type: LISTENER_TYPE,
      asyncId: index,
      stack,
      emitter: describeEmitter(emitter),
      event: String(event),
    }))
    const analysed = await this.#analyze(resources)
    return analysed.map((leak, index) => {
      const site = leak.site ? ` (the last added at ${leak.site.file}:${leak.site.line}:${leak.site.column})` : ''
      const { count, event } = records[index]
      return `MaxListenersExceededWarning in ${scope.subject}: ${count} "${String(event)}" listeners on ${leak.emitter}${site}`
    })
  }

  /**
   * Watches the owners of the servers and client sockets a test closed: each should become garbage. Checked together
   * at the end of the file (one GC for the file), since a closed server kept reachable is the incident's second cause.
   */
  watchClosedOwners(scope, testName) {
    if (this.options.heap === 'off') return
    for (const record of scope.records) {
      const what = SERVER_TYPES.has(record.type) ? 'server' : CONNECTION_TYPES.has(record.type) ? 'socket' : null
      if (what === null || livenessOrClosed(record.type, record.resource) !== 'closed') continue
      const owner = ownerOf(record.resource)
      // A connection a server accepted goes with its server.
      if (!owner || (what === 'socket' && owner.server)) continue
      const stackHolder = this.asyncTracker.listenStacks.get(owner) ?? record.stackHolder
      this.watches.watchClosedOwner(owner, testName, stackHolder, what)
    }
  }

  /**
   * Ends a scope: drops its resources, remembering weakly those still open so later tests are not blamed, and the
   * objects watched in it (a scope ended unchecked, or allowed, has them still).
   */
  release(scope) {
    if (scope.parent === null) {
      this.asyncTracker.rememberLeftOpen(scope.notClosedRecords(), livenessOrClosed)
      this.asyncTracker.forgetServers(scope.records)
    }
    this.watches.take(scope)
    scope.release()
  }

  /** The records of what `scope` left open that a check would report, reported already or not. */
  openLeftBy(scope) {
    return this.#findOpen(scope, true).map(({ record }) => record)
  }

  /**
   * Drops what a long-lived scope (a file's) created that has closed since: between tests the runner creates timers
   * that land there, and a file of thousands of tests must not hold one record per test until it ends.
   */
  compact(scope) {
    const closed = scope.records.filter((record) => livenessOrClosed(record.type, record.resource) === 'closed')
    this.asyncTracker.forgetServers(closed)
    const closedSet = new Set(closed)
    scope.records = scope.records.filter((record) => !closedSet.has(record))
    scope.listenerRecords = scope.listenerRecords.filter((record) => record.isAttached() && !isFinished(record.emitter))
  }

  /**
   * Counts by kind of what `scope` created and of what is still open now (no settling: a snapshot).
   * @returns {{ created: Record<string, number>, handles: Record<string, number>, listeners: Record<string, number> }}
   */
  delta(scope) {
    const created = {}
    for (const record of scope.records) increment(created, kindOf(record.type, record.resource))
    // Listener adds are few: the runner's own (an 'abort' listener on each test's signal) can be told and left out.
    for (const record of scope.listenerRecords) {
      record.runnerMade ??= madeByRunner(record.stack, this.runnerDirs)
      if (!record.runnerMade) increment(created, kindOf(record.type, record.resource))
    }
    return { created, ...this.openCounts(scope) }
  }

  /**
   * Counts by kind of what `scope` has open now, and of its listeners still attached by emitter and event.
   * @returns {{ handles: Record<string, number>, listeners: Record<string, number> }}
   */
  openCounts(scope) {
    const handles = {}
    const listeners = {}
    for (const { record } of this.#findOpen(scope, true)) {
      increment(handles, kindOf(record.type, record.resource))
      if (record.type === LISTENER_TYPE)
        increment(listeners, `${describeEmitter(record.emitter)} "${String(record.event)}"`)
    }
    return { handles, listeners }
  }
}

const TRACKER_KEY = Symbol.for('leakwatch.tracker')

/**
 * The tracker of this worker (one per Node env). Setup files run once per test file, and with `isolate: false` the
 * module itself may be evaluated again: the tracker, and its async hook, must exist once.
 * @returns {LeakTracker}
 */
export function workerTracker() {
  globalThis[TRACKER_KEY] ??= new LeakTracker()
  return globalThis[TRACKER_KEY]
}
