// The error a leaking test fails with.

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
    // The stack would point into leakwatch; the report already points at the user's code.
    this.stack = `${this.name}: ${message}`
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
