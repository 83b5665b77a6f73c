// Bytes in words: the one formatter behind every figure leakwatch prints (test reports, the reporter's summary and
// HTML page, `leakwatch analyze` and `diff`), so that the CLI and the reporter say the same thing of the same number.
//
// Powers of 1000 with SI prefixes (B, kB, MB, GB, TB): what the Rust side prints (the analyser's RSS figures), what
// the benches print, and what V8's DevTools shows for a heap snapshot, the view a person compares an analysis with.
// Powers of 1024 under the labels "KB"/"MB" would be 2.4 % (kB) to 7.4 % (GB) off what the same labels mean there.
//
// The HTML report's page script inlines this function's source (js/reporter/html/index.js reads this file's text),
// so it stays one self-contained function that uses nothing but the language's built-ins.

/**
 * Bytes in words: `812 B`, `3.10 MB`, `14.2 kB`, `-1.20 GB` (two decimals below 10, one from 10 up); `?` for a missing
 * figure. Fractions of a byte (a slope per test) are rounded.
 * @param {number | null | undefined} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '?'
  let value = Math.abs(bytes)
  const sign = bytes < 0 && Math.round(value) > 0 ? '-' : ''
  if (Math.round(value) < 1000) return `${sign}${Math.round(value)} B`
  for (const unit of ['kB', 'MB', 'GB', 'TB']) {
    value /= 1000
    // Decided on the rounded text, so that 9.996 kB reads 10.0 kB and 999.96 kB reads 1.00 MB.
    const text = Number(value.toFixed(2)) < 10 ? value.toFixed(2) : value.toFixed(1)
    if (Number(text) < 1000 || unit === 'TB') return `${sign}${text} ${unit}`
  }
}
