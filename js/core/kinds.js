// The kinds leakwatch reports: the async_hooks types it records and the kind each is reported as, from the one table
// of kinds (src/resource_kind.rs). The JS side needs them before the addon is loaded, and a clean test file never
// loads it, so the table comes as a file the Rust tests write from it (resource-kinds.json), read once here.
//
// Also the one home of the types the tracking code treats apart: servers, and the connections they accept.

import { readFileSync } from 'node:fs'

/** @type {Array<{ kind: string, type: string, repeats?: boolean }>} in report order */
const TABLE = JSON.parse(readFileSync(new URL('./resource-kinds.json', import.meta.url), 'utf8')).kinds

/** Listeners are not async resources; they are recorded under this pseudo-type. */
export const LISTENER_TYPE = 'LISTENER'
/** Watched objects still reachable after GC, reported under this pseudo-type. */
export const RETAINED_TYPE = 'RETAINED'

/** Servers: what they accept belongs to them, and their `listen()` call is where a person looks. */
export const SERVER_TYPES = new Set(['TCPSERVERWRAP', 'PIPESERVERWRAP'])
/** Sockets a server accepts a connection as, or a client opens. */
export const CONNECTION_TYPES = new Set(['TCPWRAP', 'PIPEWRAP'])

const KIND_OF_TYPE = new Map()
/** A repeating `Timeout` is an `Interval`: its type's kind when `_repeat` is set. */
const REPEATING_KIND_OF_TYPE = new Map()
for (const { kind, type, repeats } of TABLE) (repeats ? REPEATING_KIND_OF_TYPE : KIND_OF_TYPE).set(type, kind)

/** The async_hooks types the async hook records. */
export const ASYNC_TYPES = [...KIND_OF_TYPE.keys()].filter((type) => type !== LISTENER_TYPE && type !== RETAINED_TYPE)

/** Every kind name, in report order: what `kinds` and ignore rules accept. */
export const KINDS = TABLE.map(({ kind }) => kind)

/** The kind of a recorded resource; a Timeout's `_repeat` tells an interval (a collected one counts as a Timeout). */
export function kindOf(type, resource) {
  if (resource?._repeat != null && REPEATING_KIND_OF_TYPE.has(type)) return REPEATING_KIND_OF_TYPE.get(type)
  return KIND_OF_TYPE.get(type)
}

let nextPseudoId = -1

/** An id for a record of a pseudo-type (a listener, a watched object): negative, never an async id. */
export function pseudoId() {
  return nextPseudoId--
}
