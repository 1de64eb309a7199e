'use strict'
// The SDK's errors. The Rust core decides the kind (alura::Error::kind) and sends its fields
// as JSON in the native error's message; this turns that into the matching class.

class AluraError extends Error {
  constructor(message, fields = {}) {
    super(message)
    this.name = new.target.name
    const { body, headers, ...shown } = fields
    Object.assign(this, shown)
    // A body may hold a token and headers a cookie: readable, but never printed by inspect.
    for (const [name, value] of Object.entries({ body, headers })) {
      if (value !== undefined) Object.defineProperty(this, name, { value, enumerable: false, writable: true })
    }
  }
}
AluraError.prototype.code = 'ERR_ALURA'

class ApiError extends AluraError {}
ApiError.prototype.code = 'ERR_ALURA_API'

const kinds = {}
function define(name, Base, code) {
  const cls = { [name]: class extends Base {} }[name]
  cls.prototype.code = code
  kinds[name] = cls
  return cls
}

const BadRequestError = define('BadRequestError', ApiError, 'ERR_ALURA_BAD_REQUEST')
const AuthenticationError = define('AuthenticationError', ApiError, 'ERR_ALURA_AUTHENTICATION')
const PermissionDeniedError = define('PermissionDeniedError', ApiError, 'ERR_ALURA_PERMISSION_DENIED')
const NotFoundError = define('NotFoundError', ApiError, 'ERR_ALURA_NOT_FOUND')
const ConflictError = define('ConflictError', ApiError, 'ERR_ALURA_CONFLICT')
const RateLimitError = define('RateLimitError', ApiError, 'ERR_ALURA_RATE_LIMIT')
const InternalServerError = define('InternalServerError', ApiError, 'ERR_ALURA_INTERNAL_SERVER')
const NetworkError = define('NetworkError', AluraError, 'ERR_ALURA_NETWORK')
const TimeoutError = define('TimeoutError', AluraError, 'ERR_ALURA_TIMEOUT')
const OutcomeUnknownError = define('OutcomeUnknownError', AluraError, 'ERR_ALURA_OUTCOME_UNKNOWN')
const ValidationError = define('ValidationError', AluraError, 'ERR_ALURA_VALIDATION')
const DecodeError = define('DecodeError', AluraError, 'ERR_ALURA_DECODE')
const InternalError = define('InternalError', AluraError, 'ERR_ALURA_INTERNAL')
const AbortError = define('AbortError', AluraError, 'ERR_ALURA_ABORTED')
kinds.APIError = ApiError

/** The error a native call failed with, as one of the classes above. */
function fromNative(error) {
  let fields
  try {
    fields = JSON.parse(error.message)
  } catch {
    return error
  }
  if (fields === null || typeof fields !== 'object' || typeof fields.kind !== 'string') return error
  const { kind, message, ...rest } = fields
  const Class = kinds[kind] || AluraError
  return new Class(message, rest)
}

module.exports = {
  AluraError,
  ApiError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  RateLimitError,
  InternalServerError,
  NetworkError,
  TimeoutError,
  OutcomeUnknownError,
  ValidationError,
  DecodeError,
  InternalError,
  AbortError,
  fromNative,
}
