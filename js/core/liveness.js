// Whether a resource a test created is still open at the end of the test, read from the resource itself.
//
// Events are no guide here (a closed server reports `destroy` only when garbage-collected), so each type is asked
// directly, after the settle window. The rules below were measured on Node 20 (one table per type in DESIGN
// section 4 and the notes beside each rule): a handle's `hasRef()` stays true between close() and libuv's close
// callback and becomes `undefined` after it, so the owner's state (`_handle`, `destroyed`) decides whether a close
// is under way. Nothing here may run inside the async_hooks `init` callback: reading `fd` there crashes Node.

import { readlinkSync } from 'node:fs'

/** @typedef {'ref' | 'unref' | 'closed' | 'ignore'} Liveness */

let ownerSymbol
let udpStateSymbol

function symbolNamed(object, description) {
  return Object.getOwnPropertySymbols(object).find((symbol) => symbol.description === description)
}

/** The JS object that owns a handle (net.Server, net.Socket, ChildProcess, FSWatcher, ...), if Node set one. */
export function ownerOf(resource) {
  if (resource == null) return undefined
  ownerSymbol ??= symbolNamed(resource, 'owner_symbol')
  return ownerSymbol === undefined ? undefined : resource[ownerSymbol]
}

function refState(resource) {
  const hasRef = resource.hasRef()
  if (hasRef === undefined) return 'closed'
  return hasRef ? 'ref' : 'unref'
}

/** The handle of an owner that closes by dropping `_handle` (servers, child processes, watchers). */
function ownedHandleLiveness(resource) {
  const owner = ownerOf(resource)
  if (!owner || owner._handle !== resource) return 'closed'
  return refState(resource)
}

function isStdioHandle(resource) {
  const fd = resource.fd
  return fd === 0 || fd === 1 || fd === 2
}

/** @returns {Liveness} */
export function livenessOf(type, resource) {
  switch (type) {
    case 'Timeout':
    case 'Immediate':
      // clearTimeout and a fired timeout leave hasRef() true: `_destroyed` is what says it is over.
      if (resource._destroyed) return 'closed'
      return resource.hasRef() ? 'ref' : 'unref'
    case 'TCPSERVERWRAP':
    case 'PIPESERVERWRAP':
    case 'PROCESSWRAP':
    case 'FSEVENTWRAP':
    case 'STATWATCHER':
      return ownedHandleLiveness(resource)
    case 'TCPWRAP':
    case 'PIPEWRAP': {
      // process.stdout/stderr are created lazily, often during a test: they are the process's, not the test's.
      if (isStdioHandle(resource)) return 'ignore'
      const owner = ownerOf(resource)
      if (!owner || owner.destroyed) return 'closed'
      return refState(resource)
    }
    case 'UDPWRAP': {
      const owner = ownerOf(resource)
      udpStateSymbol ??= owner && symbolNamed(owner, 'state symbol')
      const state = owner && udpStateSymbol ? owner[udpStateSymbol] : undefined
      if (!state || state.handle !== resource) return 'closed'
      const liveness = refState(resource)
      // An unbound UDP socket holds no fd and does not keep the process alive.
      return liveness === 'ref' && resource.fd < 0 ? 'unref' : liveness
    }
    case 'SIGNALWRAP':
      return refState(resource)
    case 'WORKER':
      if (resource.messagePort === undefined) return 'closed'
      return refState(resource)
    case 'MESSAGEPORT':
      // A closed port reads like an unref'd one: only a ref'd port is known to be open.
      return resource.hasRef() ? 'ref' : 'unref'
    case 'FILEHANDLE':
      // An open FileHandle keeps no loop alive but holds a file descriptor: a leak all the same.
      return resource.fd >= 0 ? 'ref' : 'closed'
    default:
      // TLSWRAP is described through the TCP socket under it, which carries the ref state.
      return 'ignore'
  }
}

/** Liveness, where a half-torn-down handle that throws when asked counts as closed: leakwatch never throws into a test. */
export function livenessOrClosed(type, resource) {
  // A record holds its resource weakly: one that was collected was closed (Node holds every open one).
  if (resource == null) return 'closed'
  try {
    return livenessOf(type, resource)
  } catch {
    return 'closed'
  }
}

/** What identifies a resource, read at the end of its scope (never in init). */
export function detailsOf(type, resource) {
  switch (type) {
    case 'Timeout':
      return { delayMs: resource._idleTimeout, repeats: resource._repeat !== null && resource._repeat !== undefined }
    case 'TCPSERVERWRAP':
    case 'PIPESERVERWRAP': {
      const owner = ownerOf(resource)
      return { fd: fdOf(resource), localAddress: addressText(owner?.address?.()) }
    }
    case 'TCPWRAP':
    case 'PIPEWRAP': {
      const owner = ownerOf(resource)
      const details = { fd: fdOf(resource) }
      if (owner?.remoteAddress) details.peerAddress = hostPort(owner.remoteAddress, owner.remotePort)
      else if (owner?._host) details.peerAddress = `${owner._host} (connecting)`
      // A TLS socket's TCP handle is owned by the TLSSocket: report it as the TLS connection it is.
      if (owner?.encrypted) details.type = 'TLSWRAP'
      return details
    }
    case 'UDPWRAP':
      return { fd: fdOf(resource) }
    case 'PROCESSWRAP': {
      const owner = ownerOf(resource)
      return { pid: resource.pid, command: owner?.spawnargs?.join(' ') }
    }
    case 'WORKER':
      return { threadId: resource.threadId }
    case 'FILEHANDLE': {
      const fd = fdOf(resource)
      return { fd, path: fd === undefined ? undefined : fileDescriptorPath(fd) }
    }
    default:
      return {}
  }
}

function fdOf(resource) {
  const fd = resource.fd
  return typeof fd === 'number' && fd >= 0 ? fd : undefined
}

function hostPort(address, port) {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}

function addressText(address) {
  if (typeof address === 'string') return address
  if (address && typeof address === 'object' && 'port' in address) return hostPort(address.address, address.port)
  return undefined
}

function fileDescriptorPath(fd) {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return undefined
  }
}
