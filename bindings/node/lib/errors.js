'use strict'
// The SDK's errors. The classes are generated from the Rust core's list (alura::ERROR_KINDS,
// into generated/errors.js); the core decides the kind (alura::Error::kind) and sends it with its
// fields as JSON in the native error's message, which fromNative turns into the matching class.

const classes = require('./generated/errors.js')

/** The error a native call failed with, as one of the generated classes. */
function fromNative(error) {
  let fields
  try {
    fields = JSON.parse(error.message)
  } catch {
    return error
  }
  if (fields === null || typeof fields !== 'object' || typeof fields.kind !== 'string') return error
  const { kind, message, ...rest } = fields
  const Class = Object.hasOwn(classes, kind) ? classes[kind] : classes.AluraError
  return new Class(message, rest)
}

module.exports = { ...classes, fromNative }
