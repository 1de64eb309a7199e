/** One fault for the simulator to play on a request. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'delay'; ms: number }
  | { kind: 'close' }
  | { kind: 'truncated' }
  | { kind: 'malformed' }
  | { kind: 'expired_token' }

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
  constructor(options?: { port?: number; tokenTtl?: number; seed?: number; rateLimit?: number; drift?: boolean })
  readonly url: string
  injectFault(operation: string, fault: Fault): void
  injectFaults(operation: string, faults: Fault[]): void
  requests(operation?: string): RequestRecord[]
  counters(): Record<string, number>
  reset(): void
  clearRequests(): void
  advanceClock(seconds: number): void
  close(): void
}
