// Loads the Rust addon, on first use: a clean test file never needs it (it describes and renders leaks), so it
// costs nothing there. A missing binary is the one failure a user can hit before anything else works, so it gets
// an error that says what was looked for and what to do.

let binding

function missingBinaryError(cause) {
  const platform = `${process.platform}-${process.arch}`
  const error = new Error(
    `leakwatch: no native binary for ${platform} (Node ${process.version}).\n` +
      `  Looked for leakwatch.${platform}*.node in the leakwatch package and for the package leakwatch-${platform}*\n` +
      '  (installed with leakwatch as an optional dependency; check that optional dependencies were not omitted).\n' +
      '  To build it from source: install a Rust toolchain, then run `npm run build` in the leakwatch package folder.\n' +
      `  Underlying error: ${String(cause?.message ?? cause).split('\n')[0]}`,
  )
  error.code = 'LEAKWATCH_NO_BINARY'
  error.cause = cause
  return error
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
