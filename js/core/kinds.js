// The async_hooks types leakwatch reports and the kind each is reported as, and the pseudo-type of listeners. The Rust side has the same table
// (src/resource_kind.rs); a test checks that the two agree. It lives here too so that a clean test file never has
// to load the native addon: the addon is needed only to describe and render leaks.

/** [async_hooks type, kind]; a repeating `Timeout` is an `Interval`. */
const REPORTABLE = [
  ['TCPSERVERWRAP', 'TCP server'],
  ['TCPWRAP', 'TCP socket'],
  ['TLSWRAP', 'TLS socket'],
  ['PIPESERVERWRAP', 'Pipe server'],
  ['PIPEWRAP', 'Pipe'],
  ['UDPWRAP', 'UDP socket'],
  ['PROCESSWRAP', 'Child process'],
  ['FSEVENTWRAP', 'FS watcher'],
  ['STATWATCHER', 'Stat watcher'],
  ['Timeout', 'Timeout'],
  ['Immediate', 'Immediate'],
  ['WORKER', 'Worker'],
  ['MESSAGEPORT', 'MessagePort'],
  ['SIGNALWRAP', 'Signal handler'],
  ['FILEHANDLE', 'File handle'],
]
const INTERVAL = 'Interval'
/** Listeners are not async resources; they are reported under this pseudo-type. */
export const LISTENER_TYPE = 'LISTENER'
const LISTENER = 'Listener'
/** Watched objects still reachable after GC, reported under this pseudo-type. */
export const RETAINED_TYPE = 'RETAINED'
const RETAINED = 'Retained object'

export const KIND_OF_TYPE = new Map([...REPORTABLE, [LISTENER_TYPE, LISTENER], [RETAINED_TYPE, RETAINED]])

/** The async_hooks types the async hook records. */
export const ASYNC_TYPES = REPORTABLE.map(([type]) => type)

/** Every kind name, in report order: what `kinds` and ignore rules accept. */
export const KINDS = [
  ...REPORTABLE.flatMap(([type, kind]) => (type === 'Timeout' ? [kind, INTERVAL] : [kind])),
  LISTENER,
  RETAINED,
]

/** The kind of a recorded resource; a Timeout's `_repeat` tells an interval (a collected one counts as a Timeout). */
export function kindOf(type, resource) {
  if (type === 'Timeout' && resource?._repeat != null) return INTERVAL
  return KIND_OF_TYPE.get(type)
}

let nextPseudoId = -1

/** An id for a record of a pseudo-type (a listener, a watched object): negative, never an async id. */
export function pseudoId() {
  return nextPseudoId--
}
