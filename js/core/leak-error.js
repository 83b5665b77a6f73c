// The error a leaking test fails with.

/** `\n    at f (/abs/file.ts:8:10)` for the first leak with a creation site, or nothing. */
function siteFrame(leaks) {
  const site = Array.isArray(leaks) ? leaks.find((leak) => leak?.site?.absoluteFile)?.site : undefined
  if (site === undefined) return ''
  const position = `${site.absoluteFile}:${site.line}:${site.column}`
  return `\n    at ${site.function ? `${site.function} (${position})` : position}`
}

export class LeakError extends Error {
  /**
   * The leaks, kept off the instance: runners print an error's own properties after its message (Node's
   * uncaught-error output prints the enumerable ones; vitest prints every own property, enumerable or not, as a
   * "Serialized Error"), and the report already says all the leaks say.
   */
  #leaks

  /**
   * @param {string} message the rendered report
   * @param {Array<object>} leaks the leaks, as serialisable objects
   */
  constructor(message, leaks) {
    super(message)
    this.name = 'LeakError'
    this.#leaks = leaks
    // The stack would point into leakwatch. Its one frame is the creation site of the first leak that has one: where
    // a runner shows its code frame, the GitHub Actions reporter its annotation, and an editor jumps to.
    this.stack = `${this.name}: ${message}${siteFrame(leaks)}`
  }

  /** @returns {Array<object>} the leaks, as serialisable objects */
  get leaks() {
    return this.#leaks
  }

  set leaks(leaks) {
    this.#leaks = leaks
  }

  /**
   * What a runner sends from its worker: vitest's serialiser walks the prototype chain too, so it would call the
   * getter above and print the leaks under the report; it takes toJSON() instead when an error has one.
   */
  toJSON() {
    return { name: this.name, message: this.message, stack: this.stack }
  }
}
