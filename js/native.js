// Loads the Rust addon, on first use: a clean test file never needs it (it describes and renders leaks), so it
// costs nothing there. A missing binary is the one failure a user can hit before anything else works, so it gets
// an error that says what was looked for and what to do.
//
// What was looked for is read from the generated loader's own failures ("Cannot find module 'x'"), not from a table
// kept here: the loader alone decides between the gnu and the musl package, and a copy of its rules would drift.

import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

let binding

const NOT_FOUND = /^Cannot find module '([^']+)'/
// The generated loader's summary blames npm whatever the cause; the causes chained below it say what happened.
const LOADER_SUMMARY = /^Cannot find native binding/
// The loader's last resort is a WebAssembly build; leakwatch publishes none, so naming it would only mislead.
const WASI = /wasi/

/** What the loader tried, from its chain of errors: packages, files in this package, and other failures. */
function loaderAttempts(cause) {
  const attempts = { packages: [], files: [], failures: [] }
  for (let current = cause, depth = 0; current != null && depth < 50; current = current.cause, depth++) {
    const message = String(current?.message ?? current)
    const missing = NOT_FOUND.exec(message)?.[1]
    // Left out: WASI candidates, and the override path, which the message names by its variable.
    const skipped = missing !== undefined && (WASI.test(missing) || missing === process.env.NAPI_RS_NATIVE_LIBRARY_PATH)
    if (LOADER_SUMMARY.test(message) || skipped) continue
    if (missing === undefined || path.isAbsolute(missing)) attempts.failures.push(message.split('\n')[0])
    else if (missing.startsWith('./')) attempts.files.push(missing.slice(2))
    else attempts.packages.push(missing)
  }
  // The chain runs from the last attempt back to the first; the first is the one the loader prefers.
  for (const list of Object.values(attempts)) list.reverse()
  return attempts
}

/** The package's own manifest: its name and, once published, the platform packages `napi prepublish` listed. */
function ownManifest() {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  } catch {
    return {}
  }
}

const LIBC_SUFFIX = /-(gnu|musl)$/
/**
 * The error both failures end in. Not `cause`: test runners print a cause chain with a stack per link, some forty
 * lines under a message that already names every attempt; kept, unprinted, for a debugger. Its frames are
 * leakwatch's own, and what to do is in the message: the stack is the message alone.
 */
function binaryError(lines, code, cause) {
  const error = new Error(lines.join('\n'))
  error.code = code
  Object.defineProperty(error, 'loadError', { value: cause, enumerable: false })
  error.stack = `${error.name}: ${error.message}`
  return error
}

/**
 * A binary that is there but that the dynamic loader refused, as each platform's loader words it in the error Node
 * throws: the binary's path, and why. macOS: `dlopen(<path>, <flags>): <why>`; Linux: `<path>: <why>`; Windows:
 * `<path> is not a valid Win32 application.`, its path in Node's `\\?\` namespace (the prefix is left out).
 */
const LOAD_FAILURES = [
  /^dlopen\((.+\.node), [^)]*\): (.+)$/,
  /^(.+\.node): (.+)$/,
  /^(?:\\\\\?\\)?(.+\.node) (is not a valid Win32 application\.?)\s*$/,
]

/** `[file, reason]` when `failure` is a loader's refusal of a binary that exists; undefined otherwise. */
function refusedBinary(failure) {
  for (const pattern of LOAD_FAILURES) {
    const [, file, reason] = pattern.exec(failure) ?? []
    if (file !== undefined && path.isAbsolute(file) && existsSync(file)) return [file, reason]
  }
  return undefined
}

/**
 * The binary exists and would not load: damaged, built for another platform, or needing a newer C library. Saying it
 * is missing would send the user after their optional dependencies for nothing.
 */
function unloadableBinaryError(file, reason, platform, name, cause) {
  const lines = [
    `leakwatch: found its native binary for ${platform}, Node ${process.version}, but it could not be loaded.`,
    `  File: ${file}`,
    `  Reason: ${reason}`,
  ]
  if (/GLIBC_|GLIBCXX_/.test(reason)) {
    lines.push(
      "  This system's C library is older than the one the binary was built against. Use the musl build",
      `  (${name}-${process.platform}-${process.arch}-musl), or build ${name} from source: npm ci && npm run build in a clone.`,
    )
  } else {
    lines.push(
      '  The file is damaged or was built for another platform. Reinstall: remove node_modules and reinstall',
      `  (npm ci), or build ${name} from source: npm ci && npm run build in a clone (needs Rust: https://rustup.rs).`,
    )
  }
  return binaryError(lines, 'LEAKWATCH_BINARY_LOAD_FAILED', cause)
}

function missingBinaryError(cause) {
  const manifest = ownManifest()
  const name = manifest.name ?? 'leakwatch'
  const { packages, files, failures } = loaderAttempts(cause)
  const abi = packages.map((found) => LIBC_SUFFIX.exec(found)?.[1]).find(Boolean)
  const libc = { gnu: 'glibc', musl: 'musl' }[abi]
  const override = process.env.NAPI_RS_NATIVE_LIBRARY_PATH
  const binaryFile = files[0] ?? `${name}.${process.platform}-${process.arch}*.node`
  const looked = [
    ...packages.map((found) => `the package ${found}`),
    ...files.map((found) => `the file ${found} in the ${name} package`),
    ...(override ? [`the file ${override} (NAPI_RS_NATIVE_LIBRARY_PATH)`] : []),
  ]

  const platform = `${process.platform}-${process.arch}${libc ? ` (${libc})` : ''}`
  for (const failure of failures) {
    const refused = refusedBinary(failure)
    if (refused) return unloadableBinaryError(refused[0], refused[1], platform, name, cause)
  }
  const lines = [`leakwatch: no native binary for ${platform}, Node ${process.version}.`]
  if (looked.length > 0) lines.push(`  Looked for ${looked.join(' and ')}: not found.`)
  else lines.push(`  The ${name} package is incomplete, or has no binary for this platform.`)
  if (failures.length > 0) {
    lines.push('  The loader also reported:', ...failures.map((message) => `    ${message}`))
  }

  if (existsSync(new URL('../Cargo.toml', import.meta.url))) {
    lines.push('  This is a source checkout: build it with `npm run build` (needs Rust: https://rustup.rs).')
  } else {
    const otherLibc = packages
      .filter((found) => LIBC_SUFFIX.test(found))
      .map((found) => found.replace(LIBC_SUFFIX, (suffix) => (suffix === '-gnu' ? '-musl' : '-gnu')))
    const prebuilt = Object.keys(manifest.optionalDependencies ?? {})
      .filter((dependency) => dependency.startsWith(`${name}-`))
      .map((dependency) => dependency.slice(name.length + 1))
    const otherLibcNote =
      otherLibc.length > 0 ? ` (On ${abi === 'musl' ? 'glibc' : 'musl'} Linux it is ${otherLibc.join(' or ')}.)` : ''
    const prebuiltNote = prebuilt.length > 0 ? ` (it has ${prebuilt.join(', ')})` : ''
    lines.push(
      `  The binary comes in a package of its own per platform, an optional dependency of ${name} that npm installs`,
      `  only on its platform.${otherLibcNote}`,
      '  It is missing when:',
      '    - optional dependencies were left out (npm install --omit=optional): install without that flag;',
      '    - the lock file was written on another platform and npm skipped this one',
      '      (https://github.com/npm/cli/issues/4828): remove node_modules and package-lock.json, then npm install;',
      `    - ${name} has no prebuilt binary for this platform${prebuiltNote}.`,
      `  To build it from source (needs a Rust toolchain: https://rustup.rs), in a clone of ${name}'s repository run`,
      '      npm ci && npm run build',
      `    then run your tests with NAPI_RS_NATIVE_LIBRARY_PATH=/path/to/the/clone/${binaryFile}`,
      `    or copy that file into node_modules/${name}/.`,
    )
  }
  return binaryError(lines, 'LEAKWATCH_NO_BINARY', cause)
}

/** The native binding, loaded once per module instance. */
export async function loadNative() {
  if (binding === undefined) {
    try {
      binding = await import('../index.js')
    } catch (cause) {
      throw missingBinaryError(cause)
    }
  }
  return binding
}
