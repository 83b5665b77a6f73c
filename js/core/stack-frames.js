// Creation stacks as frames: V8's stack text parsed, each frame's file in one form of path, and whose code it is.
//
// The one home of "is this frame the user's?". The JS side asks it at every test's end, with no addon loaded (did
// the test runner make what is still open?), and hands the frames of each leak to the native side classified, which
// picks the creation site from them.
//
// One form of path, whatever the platform and however V8 wrote it: a `file://` URL (an ES module) is decoded to its
// path, and a Windows path is written with forward slashes and an upper-case drive letter (`C:/app/src/a.ts`), as
// are leakwatch's own directory and the root that reports show paths relative to. POSIX paths are left as they are (a
// backslash is a character of a file's name there). The runners' directories (`/node_modules/vitest/`) and the
// `/node_modules/` of a dependency are matched in that form.

import { fileURLToPath } from 'node:url'

const FRAME_PREFIX = /^\s+at (?:async )?/
const ASYNC_PREFIX = /^\s+at async /
const DRIVE_PATH = /^[A-Za-z]:[\\/]/
const DRIVE_URL_PATH = /^\/[A-Za-z]:\//
const UNC_PATH = /^\\\\[^\\]/

/**
 * A location, a stack's or a directory's, in the one form of path: a `file://` URL decoded to its path, a Windows
 * path with forward slashes and an upper-case drive letter. Anything else (`node:net`, `native`) as written.
 * @param {string} location
 * @returns {string}
 */
export function pathOf(location) {
  if (location.startsWith('file://')) {
    const rest = percentDecoded(location.slice('file://'.length))
    // `file:///C:/app/a.js` is `C:/app/a.js`; `file://server/share/a.js` is the UNC path `//server/share/a.js`.
    if (DRIVE_URL_PATH.test(rest)) return withUpperDrive(rest.slice(1))
    return rest.startsWith('/') ? rest : `//${rest}`
  }
  if (DRIVE_PATH.test(location)) return withUpperDrive(location.replaceAll('\\', '/'))
  if (UNC_PATH.test(location)) return location.replaceAll('\\', '/')
  return location
}

function withUpperDrive(path) {
  return path[0].toUpperCase() + path.slice(1)
}

/** `%XX` escapes decoded; a run of escapes that is not valid UTF-8 is kept as written. */
function percentDecoded(text) {
  if (!text.includes('%')) return text
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run
    }
  })
}

/** leakwatch's own JS, in the one form of path, ending in `/`: never a creation site. */
export const OWN_DIR = pathOf(fileURLToPath(new URL('..', import.meta.url)))

/**
 * The location of a V8 stack frame line: `at f (location)` or `at location`. The location is the last parenthesised
 * group, matched from the end: a path may hold parentheses (`pa(ren).test.js`), and so may a function's name.
 * @param {string} line
 * @returns {string | undefined} undefined for a line that is not a frame
 */
export function frameLocation(line) {
  return splitFrame(line)?.location
}

/** `at f (location)` as { name: 'f', location }, `at location` as { name: null, location }; undefined for no frame. */
function splitFrame(line) {
  const prefix = FRAME_PREFIX.exec(line)
  if (prefix === null) return undefined
  const text = line.slice(prefix[0].length).trimEnd()
  if (!text.endsWith(')')) return { name: null, location: text }
  let depth = 0
  for (let index = text.length - 1; index >= 0; index--) {
    if (text[index] === ')') depth++
    else if (text[index] === '(' && --depth === 0) {
      const name = text.slice(0, index).trimEnd()
      return { name: name === '' ? null : name, location: text.slice(index + 1, -1) }
    }
  }
  return { name: null, location: text }
}

/**
 * @typedef {object} StackFrame
 * @property {string | null} function the function as V8 names it (`WsHub.start`, `new Timeout`); null at top level
 * @property {string} file in the one form of path, or a location such as `node:internal/timers`
 * @property {number} line
 * @property {number} column
 * @property {boolean} isAsync it ran after an `await` (V8's `at async f (...)`)
 */

/**
 * One frame of a stack text; undefined for a line that is no frame with a position (the message, `at native`,
 * `at async Promise.all (index 0)`): a stack is a hint, not input to trust.
 * @param {string} line
 * @returns {StackFrame | undefined}
 */
export function parseFrame(line) {
  const split = splitFrame(line)
  if (split === undefined) return undefined
  let location = split.location
  // `eval at f (file:1:2), <anonymous>:1:1`: the eval'd code has no file of its own; the eval call is the frame.
  if (location.startsWith('eval at ')) {
    const close = location.indexOf(')')
    const open = location.lastIndexOf('(', close)
    if (close < 0 || open < 0) return undefined
    location = location.slice(open + 1, close)
  }
  const columnAt = location.lastIndexOf(':')
  const lineAt = location.lastIndexOf(':', columnAt - 1)
  if (lineAt <= 0) return undefined
  const lineNumber = wholeNumber(location.slice(lineAt + 1, columnAt))
  const column = wholeNumber(location.slice(columnAt + 1))
  if (lineNumber === undefined || column === undefined) return undefined
  return {
    function: split.name,
    file: pathOf(location.slice(0, lineAt)),
    line: lineNumber,
    column,
    isAsync: ASYNC_PREFIX.test(line),
  }
}

function wholeNumber(text) {
  return /^\d+$/.test(text) ? Number(text) : undefined
}

/**
 * The frames of a stack text (`Error\n    at f (file:1:2)\n...`), innermost first.
 * @param {string} stack
 * @returns {StackFrame[]}
 */
export function parseStack(stack) {
  const frames = []
  for (const line of stack.split('\n')) {
    const frame = parseFrame(line)
    if (frame !== undefined) frames.push(frame)
  }
  return frames
}

/**
 * Whose code a frame runs: Node's (`node:`, and the native and anonymous frames that name no file), leakwatch's
 * own, the test runner's (`runnerDirs`, path fragments such as `/node_modules/vitest/`; node:test's frames are
 * Node's), a dependency's (under `/node_modules/`), or the user's: the line a person should open.
 * @param {string} file a frame's file, in the one form of path
 * @param {string[]} runnerDirs
 * @returns {'node' | 'leakwatch' | 'runner' | 'dependency' | 'user'}
 */
export function frameOrigin(file, runnerDirs) {
  if (isNodeLocation(file)) return 'node'
  if (file.startsWith(OWN_DIR)) return 'leakwatch'
  if (runnerDirs.some((dir) => dir !== '' && file.includes(dir))) return 'runner'
  if (file.includes('/node_modules/')) return 'dependency'
  return 'user'
}

/** Node's own code, or a frame that names no file (`native`, `<anonymous>`, `evalmachine.<anonymous>`). */
function isNodeLocation(file) {
  return (
    file.startsWith('node:') ||
    file.startsWith('internal/') ||
    file.startsWith('<') ||
    file === 'native' ||
    !file.includes('/')
  )
}

/**
 * A stack's frames with their origins: what the native side reads of a creation stack (`ClassifiedFrame` in
 * src/stack_frame.rs).
 * @param {string} stack
 * @param {string[]} runnerDirs
 */
export function classifiedFrames(stack, runnerDirs) {
  return parseStack(stack).map((frame) => ({ ...frame, origin: frameOrigin(frame.file, runnerDirs) }))
}

/** A stack line that is a frame of leakwatch's own code. */
export function isOwnFrameLine(line) {
  const frame = parseFrame(line)
  return frame !== undefined && frame.file.startsWith(OWN_DIR)
}
