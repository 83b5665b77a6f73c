// Library behaviour that looks like a leak and is not: what a dependency does once per process, by design, bounded,
// and letting go of what it holds. Like LeakCanary's library leak matchers and goleak's ignore options, each entry
// names the package, says why, and has a test (__test__/library-behaviour.test.mjs) with the real library.
//
// An entry is an ignore rule (the same fields as configure({ ignore })), matched against the leak's creation stack:
// it must name the package's own files, so that the same kind of leak made by anyone else stays reported. A
// dependency's real leak (a handler added per call, never removed) is not listed here: it is reported, naming the
// package where the fix belongs and the line of the test that called it. Users add entries of their own with
// configure({ ignore: [{ ..., reason }] }).

/** @type {ReadonlyArray<{ package: string, reason: string, rule: import('../index.js').IgnoreRule }>} */
export const LIBRARY_BEHAVIOUR = Object.freeze(
  [
    {
      package: 'on-exit-leak-free',
      reason:
        "pino's destinations flush through it: it adds one 'exit' and one 'beforeExit' handler for the whole process, " +
        'holds each logger by WeakRef, forgets a collected one through a FinalizationRegistry, and removes its handlers ' +
        'when none is left. Reported, it fails the first test that builds a logger.',
      rule: {
        kind: 'Listener',
        emitter: /^process$/,
        event: /^(?:exit|beforeExit)$/,
        createdBy: /[\\/]node_modules[\\/]on-exit-leak-free[\\/]/,
      },
    },
    {
      package: 'signal-exit',
      reason:
        'It installs one handler per signal, and one for exit, for the whole process the first time any library loads ' +
        'it (execa, write-file-atomic, inquirer, ...), shares them between all its callers through a global, and removes ' +
        'them when its last callback is removed. Reported, it fails whichever test first uses such a library.',
      rule: { kind: 'Listener', emitter: /^process$/, createdBy: /[\\/]node_modules[\\/]signal-exit[\\/]/ },
    },
  ].map((entry) => Object.freeze(entry)),
)

/** The entries' rules, as ignore rules. */
export const LIBRARY_IGNORE_RULES = Object.freeze(LIBRARY_BEHAVIOUR.map((entry) => entry.rule))
