/** Base of every error the SDK throws; `code` is stable (`ERR_ALURA_...`). */
export declare class AluraError extends Error {
  readonly code: string
  /** The `X-Request-Id` this client sent (the same on every attempt of the call). */
  readonly requestId?: string | null
  /** The server's own request id, when it sent one. */
  readonly serverRequestId?: string | null
  /** The `Idempotency-Key` of a POST: reuse it to reconcile an unknown outcome. */
  readonly idempotencyKey?: string | null
  /** The answer's headers, when there was an answer. */
  readonly headers?: Record<string, string>
}
/** The server answered with an error status. */
export declare class ApiError extends AluraError {
  /** The HTTP status. */
  readonly status: number
  /** The body's `message`, always as a list (NestJS sends one string or one per rule). */
  readonly messages: string[]
  /** The whole error body, when there was one. */
  readonly body: unknown
}
/** 400: the server refused the arguments (see `messages`). */
export declare class BadRequestError extends ApiError {}
/** Not logged in, or the login failed: no credentials, a refused key, an expired token. */
export declare class AuthenticationError extends ApiError {
  readonly status: number
}
/** 403: the resource belongs to someone else. */
export declare class PermissionDeniedError extends ApiError {}
/** 404: no such resource. */
export declare class NotFoundError extends ApiError {}
/** 409: the resource already exists. */
export declare class ConflictError extends ApiError {}
/** 429, after retrying as far as the policy allows. */
export declare class RateLimitError extends ApiError {
  /** Seconds the server asked to wait, if it said. */
  readonly retryAfter: number | null
}
/** 5xx from the server, after retrying where that is safe. */
export declare class InternalServerError extends ApiError {}
/** The request could not be sent, or its response could not be read. */
export declare class NetworkError extends AluraError {}
/** The call ran out of time, across its retries. */
export declare class TimeoutError extends AluraError {
  readonly elapsed: number
}
/** A POST may or may not have run (timeout, dropped connection, 5xx); it was not sent again. */
export declare class OutcomeUnknownError extends AluraError {
  readonly operation: string
  readonly reason: string
  readonly status: number | null
}
/** The arguments were refused before anything was sent. */
export declare class ValidationError extends AluraError {}
/** The response arrived but is not what the API describes. */
/** The response is not what the API describes (strict: true), not JSON, or over the size limit. */
export declare class DecodeError extends AluraError {
  /** Where the answer differs from the spec, e.g. `$.data[2].pnl`. */
  readonly path?: string | null
  /** The body as it came. */
  readonly body?: string | null
}
/** A bug in the SDK (a panic in its Rust core), caught before it could crash the process. */
export declare class InternalError extends AluraError {}
/** The caller aborted the call (its `signal`); a POST aborted this way is an OutcomeUnknownError. */
export declare class AbortError extends AluraError {}
