'use strict'
// The Alura simulator in-process, for tests that run offline.

const util = require('node:util')
const native = require('../native/index.js')
const { fromNative } = require('./errors.js')

/** `fn()`, with a native error as the SDK's class (a bad fault is a ValidationError). */
function typed(fn) {
  try {
    return fn()
  } catch (e) {
    throw fromNative(e)
  }
}

/** The Rust simulator of the Alura backend on a free loopback port. */
class MockServer {
  /**
   * `rateLimit` throttles like `@nestjs/throttler`, with its headers: requests per second (`10`) or
   * per window (`'100/5s'`, `'1000/10m'`).
   * @param {{port?: number, tokenTtl?: number, seed?: number, rateLimit?: number | string, drift?: boolean}} [options]
   */
  constructor(options = {}) {
    const rate = options?.rateLimit
    this.native = new native.NativeMockServer(
      typeof rate === 'number' ? { ...options, rateLimit: `${rate}/s` } : options,
    )
  }

  /** The base URL, e.g. `http://127.0.0.1:41234`. */
  get url() {
    return this.native.url
  }

  /** Queues one fault for the next request to `operation` (`{kind: 'status', status: 503}`; every
   * kind is listed by the `Fault` type); a ValidationError for one the simulator does not know. */
  injectFault(operation, fault) {
    typed(() => this.native.inject(operation, [fault]))
  }

  /** Queues several faults, met in order. */
  injectFaults(operation, faults) {
    typed(() => this.native.inject(operation, faults))
  }

  /** The request log, oldest first: operation, method, path, idempotencyKey, status, fault... */
  requests(operation) {
    return this.native.requests(operation)
  }

  /** Requests received per operation. */
  counters() {
    return this.native.counters()
  }

  /** Forgets users, sessions, tokens, faults and the log. */
  reset() {
    this.native.reset()
  }

  /** Forgets the request log only. */
  clearRequests() {
    this.native.clearRequests()
  }

  /** Turns drift mode on or off while it runs, as `new MockServer({ drift: true })`. */
  setDrift(enabled) {
    this.native.setDrift(enabled)
  }

  /** How many client connections are open now: a client that left one behind shows here. */
  openConnections() {
    return this.native.openConnections()
  }

  /** Moves the simulator's clock (expires nonces and tokens without waiting). */
  advanceClock(seconds) {
    this.native.advanceClock(seconds)
  }

  /** Stops the simulator. */
  close() {
    this.native.close()
  }

  [util.inspect.custom]() {
    return `MockServer { url: ${util.inspect(this.url)} }`
  }
}

/** Watch polls under way in this process: a watch whose signal fired leaves none. */
function watchPollsInFlight() {
  return native.watchPollsInFlight()
}

module.exports = { MockServer, watchPollsInFlight }
