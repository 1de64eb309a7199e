'use strict'
// The SDK's log. Records from the Rust core (drift warnings; at 'debug', each attempt, retry
// and login) go to one logger, `console` by default, at ALURA_LOG's level ('warn' when unset).
// Records never hold a key, a token or a signature: the core leaves them out.

const native = require('../native/index.js')

const LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace']
let logger = console

// napi hands the (level, target, message) tuple over as one array.
function emit([level, target, message]) {
  const method = level === 'trace' ? 'debug' : level
  if (logger && typeof logger[method] === 'function') logger[method](`[${target}] ${message}`)
}

/**
 * Sends the SDK's log records to `next` (anything with debug/info/warn/error methods, e.g.
 * console or a pino logger) at `level` or above.
 */
function setLogger(next, level = process.env.ALURA_LOG || 'warn') {
  const { ValidationError } = require('./errors.js')
  if (next !== null && (typeof next !== 'object' || typeof next.warn !== 'function')) {
    throw new ValidationError('invalid input: logger must have debug, info, warn and error methods')
  }
  if (!LEVELS.includes(String(level).toLowerCase())) {
    throw new ValidationError(`invalid input: logLevel must be one of ${LEVELS.join(', ')}, not ${level}`)
  }
  logger = next
  native.setLogSink(emit, String(level).toLowerCase())
}

setLogger(console, LEVELS.includes(String(process.env.ALURA_LOG).toLowerCase()) ? process.env.ALURA_LOG : 'warn')

module.exports = { setLogger, LEVELS }
