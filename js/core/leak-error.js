// The error a leaking test fails with.

export class LeakError extends Error {
  /**
   * @param {string} message the rendered report
   * @param {Array<object>} leaks the leaks, as serialisable objects
   */
  constructor(message, leaks) {
    super(message)
    this.name = 'LeakError'
    // Not enumerable: Node prints an uncaught error's own enumerable properties after its stack, and the report
    // already says all the leaks say.
    Object.defineProperty(this, 'leaks', { value: leaks, enumerable: false, writable: true, configurable: true })
    // The stack would point into leakwatch; the report already points at the user's code.
    this.stack = `${this.name}: ${message}`
  }
}
