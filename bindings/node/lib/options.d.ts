/** Options for one call, the second argument of any method; each one left out keeps the client's. */
export interface RequestOptions {
  /** Time for one attempt, in milliseconds. */
  timeoutMs?: number
  /** Attempts after the first (the client's backoff and deadline are kept). */
  maxRetries?: number
  /** Extra headers for this call (not Authorization, Host or X-Request-Id, which the SDK sets). */
  headers?: Record<string, string>
  /** The Idempotency-Key of a POST: reuse the key of a call whose outcome was unknown. */
  idempotencyKey?: string
  /** Aborts the call: its request is dropped; a POST aborted this way is an OutcomeUnknownError. */
  signal?: AbortSignal
}
