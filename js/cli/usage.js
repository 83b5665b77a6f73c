// What `leakwatch --help` and `leakwatch <command> --help` print: the overview of the commands, and each command's
// own usage.

const EXIT_CODES = `Exit codes:
  0  done
  1  the analysis failed (a corrupt snapshot), an --id or --find matched nothing, the merged report has tests or
     files failed by leaks or the suite over maxHeapGrowthPerTest, or output could not be written
  2  a usage error: an unknown command or option, a bad value, an unreadable file, a file that is not a report`

const OVERVIEW = `Usage: leakwatch <command> [options]

Commands:
  analyze <file.heapsnapshot>     what a heap snapshot holds: the biggest objects by constructor, why an object is
                                  still alive, one object by its id
  diff <before> <after>           the constructors whose count or size grew between two snapshots of one process
  merge <report.json>...          one report from the leakwatch reports of several runs (shards), with its summary

  leakwatch <command> --help      that command's options
  leakwatch --version             leakwatch's version

${EXIT_CODES}`

export const COMMAND_USAGE = Object.freeze({
  analyze: `Usage: leakwatch analyze <file.heapsnapshot> [--find <name>]... [--top N] [--paths N] [--json]
       leakwatch analyze <file.heapsnapshot> --id <node id>... [--json]

  The snapshot's biggest retained objects by constructor. With --find, the shortest path from a GC root that keeps
  each instance of a constructor (or function) alive, for the instances retaining the most. With --id, that one
  object instead: its constructor or name, its self and retained size, what it refers to, and the path from a GC
  root that keeps it alive.

Options:
  --find <name>   a constructor, class or function name (repeatable)
  --paths N       paths shown for each --find, the instances retaining the most (default 3)
  --top N         constructors listed (default 20)
  --id <id>       a node id, as DevTools and leakwatch's retainer paths show it: @1234 or 1234 (repeatable); not
                  with --find, --paths or --top
  --json          the result as JSON. With --id, the object alone ({ id, type, name, label, selfSize,
                  retainedSize, reachable, retainerPath, references, referenceCount }); with several, an array of
                  them in the order asked, null for an id that matched nothing

Exits 1 when an --id or --find matches nothing (stderr names it) or the snapshot is corrupt; 2 on a usage error.`,
  diff: `Usage: leakwatch diff <before.heapsnapshot> <after.heapsnapshot> [--top N] [--json]

  The constructors whose count or size grew between two snapshots of one process, largest growth first.

Options:
  --top N   constructors listed (default 30)
  --json    the result as JSON

Exits 1 when a snapshot is corrupt; 2 on a usage error.`,
  merge: `Usage: leakwatch merge <report.json>... [-o <out.json>] [--html <out.html>]

  One report from the reports of several runs of parts of a suite (vitest --shard on several machines), with totals
  and heap growth as one run of the whole suite gives; prints its summary.

Options:
  -o, --output <file>   where the merged report goes (default leakwatch-report.json)
  --html <file>         an HTML page of it too

Exits 1 when the merged report has tests or files failed by leaks, or the suite over maxHeapGrowthPerTest, or a
file could not be written; 2 on a usage error or an input that is not a leakwatch report.`,
})

/** The usage of `command`, or the overview for no command (or one leakwatch has not). */
export function usage(command) {
  return Object.hasOwn(COMMAND_USAGE, command ?? '') ? COMMAND_USAGE[command] : OVERVIEW
}
