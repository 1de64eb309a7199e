/** One fault for the simulator to play on a request. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'delay'; ms: number }
  | { kind: 'close' }
  | { kind: 'truncated' }
  | { kind: 'malformed' }
  | { kind: 'expired_token' }
  /** A redirect to `location` (default status 307), without handling the request. */
  | { kind: 'redirect'; status?: number; location: string }
  /** A CDN's HTML error page (default status 502). */
  | { kind: 'html'; status?: number; headers?: Record<string, string> }
  /** Exactly this status (default 200), headers and body text. */
  | { kind: 'raw'; status?: number; headers?: Record<string, string>; body?: string }
  /** A 200 with a body of `bytes` bytes, streamed; `chunked` leaves out Content-Length. */
  | { kind: 'oversized'; bytes: number; chunked?: boolean }
  /** The status, headers and `after_bytes` bytes of the body, then nothing for `ms`, then a close. */
  | { kind: 'stall'; after_bytes?: number; ms: number }
  /** The next successful answer carries this `expiresIn` (for verify_signature). */
  | { kind: 'expires_in'; value: unknown }

/** One request as the simulator received it. */
export interface RequestRecord {
  seq: number
  operation: string
  method: string
  path: string
  query: string | null
  idempotencyKey: string | null
  bodySha256: string
  atMs: number
  status: number | null
  fault: string | null
}

/** The Rust simulator of the Alura backend on a free loopback port. */
export declare class MockServer {
  /** `drift: true` answers like a backend whose shapes differ from the spec (extra fields, decimals as strings, nulls). */
  constructor(options?: { port?: number; tokenTtl?: number; seed?: number; rateLimit?: number | string; drift?: boolean })
  readonly url: string
  injectFault(operation: string, fault: Fault): void
  injectFaults(operation: string, faults: Fault[]): void
  requests(operation?: string): RequestRecord[]
  counters(): Record<string, number>
  reset(): void
  clearRequests(): void
  /**
   * Turns drift mode on or off while it runs: answers shaped like a backend that strays from the
   * spec (money as strings, optional fields missing or null), as `new MockServer({ drift: true })`.
   */
  setDrift(enabled: boolean): void
  /** How many client connections are open now: a client that left one behind shows here. */
  openConnections(): number
  advanceClock(seconds: number): void
  close(): void
}

/** Watch polls under way in this process: a watch whose signal fired leaves none. */
export declare function watchPollsInFlight(): number
