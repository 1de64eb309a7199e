'use strict'
// The SDK's log. Records from the Rust core (drift warnings; at 'debug', each attempt, retry
// and login) go to the client's own `logger` when it was given one, and otherwise to the
// process-wide logger: `console` by default, at ALURA_LOG's level ('warn' when unset).
// Records never hold a key, a token or a signature: the core leaves them out.

const native = require('../native/index.js')

const LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace']
let logger = console

// napi hands the (level, target, message) tuple over as one array.
function emitTo(target) {
  return ([level, from, message]) => {
    const method = level === 'trace' ? 'debug' : level
    const to = target()
    if (!to || typeof to[method] !== 'function') return
    try {
      to[method](`[${from}] ${message}`)
    } catch (error) {
      // A logger that throws must not take the process down from inside a native callback:
      // say so once, and keep going without that record.
      if (!warned.has(to)) {
        warned.add(to)
        process.emitWarning(`alura: the logger threw and its records are being dropped: ${error}`)
      }
    }
  }
}

const warned = new WeakSet()

const emit = emitTo(() => logger)

function checked(next, level) {
  const { ValidationError } = require('./errors.js')
  const methods = ['debug', 'info', 'warn', 'error']
  if (next !== null && (typeof next !== 'object' || methods.some((m) => typeof next[m] !== 'function'))) {
    throw new ValidationError('invalid input: logger must have debug, info, warn and error methods')
  }
  if (!LEVELS.includes(String(level).toLowerCase())) {
    throw new ValidationError(`invalid input: logLevel must be one of ${LEVELS.join(', ')}, not ${level}`)
  }
  return String(level).toLowerCase()
}

/** ALURA_LOG's level when it names one, else 'warn'. */
function envLevel() {
  return LEVELS.includes(String(process.env.ALURA_LOG).toLowerCase()) ? process.env.ALURA_LOG : 'warn'
}

/**
 * Sends the SDK's log records to `next` (anything with debug/info/warn/error methods, e.g.
 * console or a pino logger) at `level` or above, for every client without a logger of its own.
 */
function setLogger(next, level = process.env.ALURA_LOG || 'warn') {
  const lower = checked(next, level)
  logger = next
  native.setLogSink(emit, lower)
}

/**
 * A client's own log: `{ emit, level }` for the native client, or undefined when it has neither
 * option and so uses the process-wide logger. With only `logLevel`, the process-wide logger
 * (looked up at each record) gets this client's records at that level.
 */
function clientLog(own, level) {
  if (own === undefined && level === undefined) return undefined
  const lower = checked(own === undefined ? logger : own, level === undefined ? envLevel() : level)
  return { emit: own === undefined ? emit : emitTo(() => own), level: lower }
}

setLogger(console, envLevel())

module.exports = { setLogger, clientLog, LEVELS }
