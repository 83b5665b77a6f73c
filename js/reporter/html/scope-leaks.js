// A scope's leaks (a test's or a file's) as a report holds them, read the same way by the page's renderer and by its
// script in the browser: index.js puts these functions' source into the page script at its markers, so each stays
// one self-contained function that uses nothing but the language's built-ins.

/**
 * Every leak of a scope: its count, kept past the records it lists; or its records.
 * @param {{ leakCount?: number, leaks?: object[] }} scope
 * @returns {number}
 */
export function leakCountOf(scope) {
  return Number.isFinite(scope.leakCount) ? scope.leakCount : (scope.leaks ?? []).length
}

/**
 * A scope's creation sites as the report groups them ({ count, description, leak }); a report without groups (built
 * by hand) shows each leak as its own.
 * @param {{ leaks?: object[], leakGroups?: unknown }} scope
 * @returns {{ count: number, description: string, leak: number }[]}
 */
export function leakGroupsOf(scope) {
  const leaks = scope.leaks ?? []
  if (!Array.isArray(scope.leakGroups))
    return leaks.map((leak, index) => ({ count: 1, description: leak.description, leak: index }))
  return scope.leakGroups.filter(
    (group) => group !== null && typeof group === 'object' && leaks[group.leak] !== undefined,
  )
}
