// Creation stacks, captured when a resource or listener is made and formatted only if it is ever reported.
//
// `Error.captureStackTrace` stores V8's structured frames; the `stack` text is built on first read, through the
// runner's `prepareStackTrace` (vitest maps positions through source maps there). Capturing costs 2-7 µs,
// formatting ~64 µs inside vitest: capture always, format only what is reported.

/** Creation stacks are deeper than V8's default 10 frames once a framework sits between the user and Node. */
const STACK_DEPTH = 40

/**
 * Creation stacks kept by what they describe (a resource, a listener) and by the record that reports it: a stack lives
 * while both do. An unformatted stack holds its frames' receivers and functions (a server's own `listen()` frame
 * holds the server, a test's frame its closure, a library's frame its request). Held by the record alone, it would
 * keep alive what the test let go of until the test ends; by the object alone, it would outlive the test with a
 * long-lived object (a keep-alive timer, a library's module-level listener function).
 */
export class CreationStacks {
  /** @type {WeakMap<object, WeakMap<object, object>>} */
  #stacks = new WeakMap()

  set(object, record, holder) {
    if (!holder) return
    let byRecord = this.#stacks.get(object)
    if (byRecord === undefined) this.#stacks.set(object, (byRecord = new WeakMap()))
    byRecord.set(record, holder)
  }

  get(object, record) {
    return object === undefined ? undefined : this.#stacks.get(object)?.get(record)
  }
}

/** Captures the stack below `skipAbove` (that function and what it called are left out), unformatted. */
export function captureStack(skipAbove) {
  const holder = {}
  const depth = Error.stackTraceLimit
  Error.stackTraceLimit = STACK_DEPTH
  Error.captureStackTrace(holder, skipAbove)
  Error.stackTraceLimit = depth
  return holder
}

/** The text of a captured stack; empty when there is none or a custom prepareStackTrace returned something else. */
export function stackText(holder) {
  return typeof holder?.stack === 'string' ? holder.stack : ''
}

/**
 * What a scope recorded: a resource, a listener, a warning. The common part: an id to match it with its report
 * (an async id, or a negative pseudo id), its type, and its creation stack (`stackHolder`, which each kind of record
 * keeps its own way: see ResourceRecord).
 */
export class CreationRecord {
  constructor(asyncId, type) {
    this.asyncId = asyncId
    this.type = type
    /** @type {boolean | undefined} the test runner made it (known once the record was found still open) */
    this.runnerMade = undefined
  }

  /** The creation stack, formatted now (through the runner's source maps when it installed them). */
  get stack() {
    return stackText(this.stackHolder)
  }
}
