// Escaping for the HTML report. Everything in a report comes from the suite (test and file names, messages, paths,
// stack frames, emitter and event names) and may hold markup: it enters the page only through these two functions,
// or through textContent in the page's script.

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text safe as element content and as a quoted attribute value. */
export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (char) => HTML_ESCAPES[char])
}

const SCRIPT_ESCAPES = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' }

/**
 * JSON to embed in a `<script type="application/json">`: no `<` can close the element or open a comment, since
 * `<`, `>` and `&` only occur inside JSON strings, where their \u escapes read back the same.
 */
export function jsonForScript(value) {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => SCRIPT_ESCAPES[char])
}
