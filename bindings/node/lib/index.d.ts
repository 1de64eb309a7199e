import { LogEntry, Operations } from './generated'

export * from './generated'
export * from './errors'

/** How a client is set up; anything left out comes from ALURA_BASE_URL, ALURA_PRIVATE_KEY, ALURA_TOKEN. */
export interface ClientOptions {
  /** The API's base URL (default: the testnet). */
  baseUrl?: string
  /** A wallet key, 64 hex digits with or without 0x: the client logs in with it when needed. */
  privateKey?: string
  /** A bearer token to use as it is. */
  token?: string
  /** Time for one attempt, in milliseconds (default 30,000). */
  timeoutMs?: number
  /** Attempts after the first (default 2). */
  maxRetries?: number
  /** The referral code sent with a first login. */
  referralCode?: string
  userAgent?: string
  /** Allow plain http:// to hosts other than loopback. */
  allowInsecureHttp?: boolean
  /**
   * Answers are returned as the server sent them; one that does not fit the spec is logged once
   * as a warning (see setLogger). With strict: true it is a DecodeError instead.
   */
  strict?: boolean
  /** The largest response body read, in bytes (default 64 MiB). */
  maxResponseBytes?: number
}

/** Anything with the console's four methods, e.g. console or a pino logger. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/**
 * Sends the SDK's log records (drift warnings; at 'debug', each attempt, retry and login) to
 * `logger` at `level` or above. Default: console at ALURA_LOG's level, 'warn' when unset.
 */
export declare function setLogger(logger: Logger | null, level?: 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'): void

/** A client of the Alura API; every method returns a Promise. Share one per process. */
export declare class Client extends Operations {
  constructor(options?: ClientOptions)
  /** A client configured from ALURA_BASE_URL, ALURA_PRIVATE_KEY and ALURA_TOKEN. */
  static fromEnv(): Client
  /** The API's base URL. */
  readonly baseUrl: string
  /** The wallet address (EIP-55), or null without a key. */
  readonly address: string | null
  /** Logs in now rather than on the first call that needs it. */
  login(): Promise<void>
  /** Every log entry of a trade, all pages, oldest first. */
  tradeLogs(tradeId: string): Promise<LogEntry[]>
  /** This client with other limits, sharing its connections and its login. */
  withOptions(options: { timeoutMs?: number; maxRetries?: number }): Client
}

/** The perps Alura trades, by Hyperliquid asset index. */
export declare const Asset: {
  readonly BTC: 0
  readonly ETH: 1
  readonly SOL: 2
  readonly XRP: 3
  readonly DOGE: 4
  readonly AVAX: 5
}
export type Asset = (typeof Asset)[keyof typeof Asset]

/** The Alura testnet. */
export declare const DEFAULT_BASE_URL: string
