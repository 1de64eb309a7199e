import { Decimal, LogEntry, Operations } from './generated/operations'
import type { RequestOptions } from './options'
import type { CoreClientOptions } from './generated/options'
export type { RequestOptions } from './options'
export type { CoreClientOptions } from './generated/options'

export * from './generated/operations'
export * from './generated/assets'
export * from './errors'

/**
 * How a client is set up: the options every language shares (`CoreClientOptions`, generated
 * from the core's list), and Node's own, which are functions or stay in JS.
 */
export interface ClientOptions extends CoreClientOptions {
  /**
   * Logs in without a raw key: a viem Account, an ethers Signer (a Wallet, or any with `address`
   * given too), or any `{ address, signMessage(message: string): Promise<string> }`. The
   * challenge is checked before anything is signed, and the signature after.
   */
  signer?: Signer
  /** The address the signer signs for, when it has no `address` property. */
  address?: string
  /**
   * Money in answers (amounts, balances, PnL, prices, sizes): `'string'`, the default, gives the
   * server's exact digits as a string (`Decimal`), for decimal.js, big.js or bignumber.js;
   * `'number'` gives JavaScript numbers.
   */
  money?: 'string' | 'number'
  /** Called with every new token, for those who keep tokens in their own store. */
  onToken?: (token: Token) => void
  /**
   * This client's own logger: its records (drift warnings; at 'debug', each attempt, retry and
   * login) go here and not to the process-wide one of setLogger.
   */
  logger?: Logger
  /** The lowest level this client logs at (default ALURA_LOG's level, 'warn' when unset). */
  logLevel?: LogLevel
}

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

/** What can sign the login challenge. */
export type Signer =
  | { address: string; signMessage(args: { message: string }): Promise<string>; type: 'local' | 'json-rpc' }
  | { address?: string; signMessage(message: string): Promise<string>; getAddress?(): Promise<string>; type?: undefined }

/**
 * What became of a POST whose outcome was unknown (`error.settle()`): `'landed'` (it was carried
 * out: `result` is what it made, as the server shows it now), `'notLanded'` (it was not: safe to
 * send again, with a new idempotency key) or `'stillUnknown'` (the lookup could not tell).
 */
export interface Settlement {
  status: 'landed' | 'notLanded' | 'stillUnknown'
  result?: any
  /** How that is known. */
  reason?: string
}

/** What every watch takes. */
export interface WatchBaseOptions {
  /** Ends the watch. */
  signal?: AbortSignal
  /** A MockServer (`alura/testing`) whose clock the watch runs on: for tests. */
  clock?: unknown
}

/** Options of `client.watchCandles`. */
export interface WatchOptions extends WatchBaseOptions {
  /** Also yield the open candle each time it changes. */
  includeOpen?: boolean
  /** Yield `{kind: 'stale'}` once no candle has closed for this many intervals (3). */
  staleAfter?: number
  /** Poll up to this long after a candle's end (250), at random. */
  jitterMs?: number
}

/** Options of `client.watchSignals`. */
export interface SignalWatchOptions extends WatchBaseOptions {
  /** Yield `{kind: 'stale'}` once no new signal has come for this many intervals (3). */
  staleAfter?: number
  /** Poll up to this long after an interval's end (250), at random. */
  jitterMs?: number
}

/** Options of `client.watchCurrentTrade`. */
export interface TradeWatchOptions extends WatchBaseOptions {
  /** How often to look, in ms (2000). */
  everyMs?: number
  /** Say a PnL only when it moved by at least this much since the last one said (any move). */
  pnlStep?: string | number
}

/** Options of `client.followTradeLogs`. */
export interface LogWatchOptions extends WatchBaseOptions {
  /** How often to look, in ms (2000). */
  everyMs?: number
}

/** What a candle watch yields. */
export type CandleEvent =
  | { kind: 'closed' | 'open'; candle: any }
  | { kind: 'gap'; from_ms: number; to_ms: number }
  | { kind: 'stale'; intervals: number }

/** What a signal watch yields. */
export type SignalEvent = { kind: 'signal'; signal: any } | { kind: 'stale'; intervals: number }

/** What a watch of the current trade yields; money as the client's `money` option says. */
export type TradeEvent =
  | { kind: 'trade_opened' | 'trade_closed'; trade: any }
  | { kind: 'position_opened' | 'position_closed'; position: any }
  | { kind: 'pnl'; pnl: string | number; trade: any }

/** Where a client's user stands with the server's rate limit (`client.rateLimit()`). */
export interface RateLimit {
  /** The operation it is for: the throttler counts each route on its own. */
  operation: string
  /** Requests a window allows. */
  limit: number
  /** Requests left in this window, counting those this process sent since the last answer. */
  remaining: number
  /** When the window ends. */
  resetsAt: Date
}

/** An answer as the server sent it. */
export declare class RawResponse {
  readonly status: number | null
  readonly headers: Record<string, string>
  readonly body: Buffer
  /** The body as JSON (null when empty). */
  json(): any
}

/** A bearer token and when it lapses; inspect and JSON never show the value. */
export declare class Token {
  readonly value: string
  readonly expiresAt: Date | null
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
 * `logger` at `level` or above, for every client made without a `logger` of its own. Default:
 * console at ALURA_LOG's level, 'warn' when unset.
 */
export declare function setLogger(logger: Logger | null, level?: LogLevel): void

/** A client of the Alura API; every method returns a Promise. Share one per process. */
export declare class Client extends Operations {
  // With a signer, a signer of its own overload: its `signMessage: (m) => ...` gets its type from
  // the Signer union only where `signer` is not optional.
  constructor(options: Omit<ClientOptions, 'signer'> & { signer: Signer })
  constructor(options?: ClientOptions)
  /** A client configured from ALURA_BASE_URL, ALURA_PRIVATE_KEY and ALURA_TOKEN. */
  static fromEnv(): Client
  /** The API's base URL. */
  readonly baseUrl: string
  /** The wallet address (EIP-55), or null without a key. */
  readonly address: string | null
  /** Logs in now rather than on the first call that needs it. */
  login(): Promise<void>
  /** Calls an endpoint the spec does not have (yet), with this client's login, retries and errors. */
  request(
    request: { method: string; path: string; query?: Record<string, string | number | boolean>; body?: unknown; authenticated?: boolean },
    options?: RequestOptions,
  ): Promise<any>
  /** The token held now and when it lapses, or null before the first login. */
  token(): Token | null
  /**
   * Where this process stands with the server's rate limit at this base URL: of the operations
   * whose answers said, the one with the least left (the throttler counts each route on its own).
   * null until an answer says, and with a server that sends no limit. Calls wait their turn rather
   * than meet a 429.
   */
  rateLimit(): RateLimit | null
  /**
   * Each candle once, when it closes: `for await (const event of client.watchCandles('BTC', '1m'))`.
   * Polls just after each candle's end, fills a missed stretch from the history, says what it
   * could not fill (`gap`) and when no candle has closed for `staleAfter` intervals (`stale`). A
   * failed poll throws from `next()`; calling `next()` again goes on from where it was. `signal`
   * or `return()` (leaving a `for await`) ends it.
   */
  watchCandles(symbol: string | number, interval: string, options?: WatchOptions): AsyncIterableIterator<CandleEvent>
  /**
   * The signal for a symbol and interval now, then each new one, polled just after each
   * interval's end; `stale` when none has come for `staleAfter` intervals.
   */
  watchSignals(symbol: string | number, interval: string, options?: SignalWatchOptions): AsyncIterableIterator<SignalEvent>
  /**
   * The open trade, looked at every `everyMs`: it opens (also the one open now), its positions
   * open and close, its PnL moves (by at least `pnlStep`), it closes.
   */
  watchCurrentTrade(options?: TradeWatchOptions): AsyncIterableIterator<TradeEvent>
  /** Each entry added to a trade's log from now on, once, oldest first, across pages. */
  followTradeLogs(tradeId: string, options?: LogWatchOptions): AsyncIterableIterator<any>
  /** Every operation, resolving to a RawResponse (status, headers, body) instead of the parsed body. */
  readonly withRawResponse: { [K in keyof Operations]: (...args: Parameters<Operations[K]>) => Promise<RawResponse> }
  /** Every log entry of a trade, all pages, oldest first. */
  tradeLogs(tradeId: string): Promise<LogEntry[]>
  /**
   * Candle history as columns, read from whatever shape the server sends it in (ours,
   * Hyperliquid's `{t, o, h, l, c, v}`, arrays `[t, o, h, l, c, v]`, or an envelope under
   * `candles`, `data`, `items` or `result`). A value the server left out is NaN.
   * With `exact: true`, prices are strings of the server's own digits (null where left out).
   */
  /**
   * Candle history as an apache-arrow Table (`open_time` UTC ms, prices as doubles), handed over
   * as Arrow IPC bytes. Needs the `apache-arrow` package.
   */
  candlesArrow(query: Omit<HistoryQuery, 'exact'>, options?: RequestOptions): Promise<ArrowTable>
  /**
   * What an operation answers, a list of objects, as an apache-arrow Table, money as exact
   * Decimal128: a value is its unscaled integer (`arrow.util.bigNumToBigInt(column.get(i))`) over
   * 10 to the column's `type.scale`.
   */
  recordsArrow(operation: string, args?: Record<string, unknown>, options?: RequestOptions): Promise<ArrowTable>
  candleColumns(query: HistoryQuery & { exact: true }, options?: RequestOptions): Promise<ExactCandleColumns>
  candleColumns(query: HistoryQuery, options?: RequestOptions): Promise<CandleColumns>
  /** This client with other settings, sharing its connections and its login; the rest is kept. */
  withOptions(options: RequestOptions): Client
  /**
   * Closes the client: every later call of it and of the clients made from it (`withOptions`)
   * rejects with a `ValidationError`, sending nothing. Calls under way finish.
   */
  close(): void
  /** Whether `close()` was called, on this client or on the one it was made from. */
  readonly closed: boolean
  /** `await using client = new Client()` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * An apache-arrow Table, as `candlesArrow` and `recordsArrow` give it (the `apache-arrow`
 * package's own types describe all of it; this is the part the SDK promises).
 */
export interface ArrowTable {
  readonly numRows: number
  readonly numCols: number
  readonly schema: { readonly fields: ReadonlyArray<{ readonly name: string; readonly type: unknown }> }
  getChild(name: string): { get(index: number): unknown; toArray(): ArrayLike<unknown> } | null
}

/** Which candles `candleColumns` fetches. */
export interface HistoryQuery {
  /** A symbol, or an asset index (`Asset.ETH`). */
  symbol: string | number
  /** e.g. '1h'; the server's default when left out. */
  interval?: string
  limit?: number
  /** ms since the epoch. */
  startTime?: number
  /** ms since the epoch. */
  endTime?: number
  /** Prices as exact decimal strings (`ExactCandleColumns`) rather than doubles. */
  exact?: boolean
}

/** Candles with exact prices, oldest first: each a string of the server's own digits. */
export interface ExactCandleColumns {
  /** Open times, ms since the epoch (NaN where left out). */
  openTime: Float64Array
  open: Array<Decimal | null>
  high: Array<Decimal | null>
  low: Array<Decimal | null>
  close: Array<Decimal | null>
  volume: Array<Decimal | null>
}

/** Candles one typed array per field, oldest first. */
export interface CandleColumns {
  /** Open times, ms since the epoch. */
  openTime: Float64Array
  open: Float64Array
  high: Float64Array
  low: Float64Array
  close: Float64Array
  volume: Float64Array
}

/** The Alura testnet. */
export declare const DEFAULT_BASE_URL: string
