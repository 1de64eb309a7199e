'use strict'
// The Alura SDK for Node: the generated operations over one native client.

const util = require('node:util')
const native = require('../native/index.js')
const { Operations } = require('./generated/operations.js')
const { Asset } = require('./generated/assets.js')
const errors = require('./errors.js')
const { setLogger, clientLog } = require('./log.js')
const signers = require('./signer.js')
const { CLIENT_OPTION_TYPES } = require('./generated/options.js')

/** The operations whose unknown outcome `error.settle()` looks up. */
const SETTLES = native.settles()

const { fromNative, ValidationError } = errors

/** Checks that a value can be sent as JSON, naming the argument when it cannot. */
function checkJson(value, path) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`invalid input: ${path}: ${value} is not a finite number`)
    return
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(item, `${path}[${i}]`))
    return
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) checkJson(v, `${path}.${k}`)
    return
  }
  const kind = value instanceof Date ? 'Date' : typeof value
  throw new ValidationError(`invalid input: ${path}: a ${kind} cannot be sent; use string, number, boolean, null, array or object`)
}

/**
 * An argument as the core reads it: a bigint, or a decimal of decimal.js, big.js or bignumber.js
 * (any object of a class with its own `toString`, but a Date), as the text of its digits, which
 * a money field takes exactly. Anything else as it is.
 */
function exact(value) {
  if (typeof value === 'bigint') return value.toString()
  const decimalLike =
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    Object.getPrototypeOf(value) !== Object.prototype &&
    typeof value.toString === 'function' &&
    value.toString !== Object.prototype.toString
  return decimalLike ? String(value) : value
}

/** The arguments without the ones left `undefined`. */
function compact(params) {
  if (params === undefined || params === null) return {}
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new ValidationError('invalid input: the arguments must be an object')
  }
  const out = {}
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue
    const value = exact(v)
    checkJson(value, k)
    out[k] = value
  }
  return out
}

/** Refuses a `signal` that is not an AbortSignal. */
/** The optional `apache-arrow` package, or an error saying how to install it. */
function needArrow(what) {
  try {
    return require('apache-arrow')
  } catch {
    throw new errors.AluraError(`${what} needs apache-arrow, which is not installed: npm install apache-arrow`)
  }
}

/** A symbol, from a symbol or an asset index. */
function assetSymbol(symbol) {
  return typeof symbol === 'number' ? Asset.symbol(symbol) : String(symbol)
}

function checkSignal(signal) {
  if (signal !== undefined && typeof signal.addEventListener !== 'function') {
    throw new ValidationError('invalid input: signal must be an AbortSignal')
  }
}

/** Runs `start(abortId)` (a native call), dropped on the Rust side when `signal` fires. */
async function abortable(signal, start) {
  if (!signal) return start(undefined)
  const id = native.abortHandle()
  const onAbort = () => native.abort(id)
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await start(id)
  } finally {
    signal.removeEventListener('abort', onAbort)
    native.abortRelease(id)
  }
}

const secret = Symbol('native')
const signerState = Symbol('signer')

/** A bearer token and when it lapses, to save or hand on; inspect never shows the value. */
class Token {
  constructor({ value, expiresAt }) {
    Object.defineProperty(this, 'value', { value, enumerable: false })
    this.expiresAt = expiresAt == null ? null : new Date(expiresAt)
  }

  [util.inspect.custom]() {
    return `Token { value: '***', expiresAt: ${util.inspect(this.expiresAt)} }`
  }

  toJSON() {
    return { value: '***', expiresAt: this.expiresAt }
  }
}

/** The type of each client option; a wrong one is a ValidationError naming the option. */
const OPTION_TYPES = {
  ...CLIENT_OPTION_TYPES,
  // Node's own, which are not data: they stay in JS or become callbacks.
  signer: 'object',
  address: 'string',
  money: 'string',
  onToken: 'function',
  logger: 'object',
  logLevel: 'string',
}

/** The type of each per-call option (the second argument of every method). */
const REQUEST_OPTION_TYPES = {
  timeoutMs: 'number',
  maxRetries: 'number',
  headers: 'headers',
  idempotencyKey: 'string',
  signal: 'object',
}

// A plain object of strings: a Map or an array would be read as no headers or as a header
// called "0", and napi's own error for a non-string would print the value (maybe an API key).
function checkHeaders(name, value) {
  const plain = value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype
  if (!plain) throw new ValidationError(`invalid input: ${name} must be a plain object of header names to strings`)
  for (const [header, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new ValidationError(`invalid input: ${name}: the value of header ${header} must be a string, not ${typeof v}`)
    }
  }
}

function checkOptions(options, types) {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError('invalid input: options must be an object')
  }
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue
    if (!(name in types)) {
      // Times are milliseconds here, and say so: `timeout` is `timeoutMs`.
      const ms = `${name}Ms`
      if (ms in types) {
        throw new ValidationError(`invalid input: ${name} is ${ms} in Node, in milliseconds: { ${ms}: ${typeof value === 'number' ? value * 1000 : 5000} } for ${typeof value === 'number' ? value : 5} s`)
      }
      throw new ValidationError(`invalid input: unknown option ${name}; known: ${Object.keys(types).join(', ')}`)
    }
    if (types[name] === 'headers') {
      checkHeaders(name, value)
      continue
    }
    if (types[name] === 'strings') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw new ValidationError(`invalid input: ${name} must be an array of strings`)
      }
      continue
    }
    const allowed = [].concat(types[name])
    if (!allowed.includes(typeof value) || value === null) {
      throw new ValidationError(
        `invalid input: ${name} must be a ${allowed.join(' or ')}, not ${value === null ? 'null' : typeof value}`,
      )
    }
  }
  return options
}

/** An answer as the server sent it: status, headers, the body's bytes, and the parsed body. */
class RawResponse {
  constructor({ status, headers, body }) {
    this.status = status
    this.headers = headers
    this.body = body
  }

  /** The body as JSON (null when empty). */
  json() {
    const text = this.body.toString('utf8')
    return text.trim() === '' ? null : JSON.parse(text)
  }
}

/**
 * A call's answer as objects. A long one comes as `{early, check}` (src/early.rs): its text is
 * parsed here while the core checks the same bytes, and `check` says whether it stands (`null`)
 * or gives the text to use instead; it rejects when the answer fails its check.
 */
async function parsed(answer) {
  if (typeof answer === 'string') return JSON.parse(answer)
  let value, failure
  try {
    value = JSON.parse(answer.early)
  } catch (e) {
    failure = e
  }
  const instead = await answer.check
  if (instead !== null) return JSON.parse(instead)
  if (failure) throw failure
  return value
}

/** Every operation of a client, resolving to a RawResponse instead of the parsed body. */
class RawOperations extends Operations {
  constructor(client) {
    super()
    this[secret] = client
  }

  async _call(operation, params, options) {
    const args = compact(params)
    const steer = options === undefined ? undefined : checkOptions(options, REQUEST_OPTION_TYPES)
    try {
      return new RawResponse(await this[secret][secret].callRaw(operation, args, steer))
    } catch (e) {
      throw this[secret]._error(e)
    }
  }
}

/** A client of the Alura API; every method returns a Promise. Share one per process. */
class Client extends Operations {
  /** @param {import('./index').ClientOptions} [options] */
  constructor(options = {}) {
    super()
    if (options && options[secret]) {
      this[secret] = options[secret]
      this[signerState] = options[signerState]
      return
    }
    const { signer, address, onToken, logger, logLevel, ...rest } = checkOptions(options, OPTION_TYPES)
    const log = clientLog(logger, logLevel)
    const mine = signer === undefined ? undefined : signers.normalize(signer, address)
    this[signerState] = mine && mine.state
    const tokenSeen = onToken && ((token) => onToken(new Token(token)))
    try {
      this[secret] = new native.NativeClient(
        { ...rest, signerAddress: mine && mine.address, logLevel: log && log.level },
        mine && mine.sign,
        tokenSeen,
        log && log.emit,
      )
    } catch (e) {
      throw fromNative(e)
    }
  }

  /** A client configured from ALURA_BASE_URL, ALURA_PRIVATE_KEY and ALURA_TOKEN. */
  static fromEnv() {
    return new Client()
  }

  get baseUrl() {
    return this[secret].baseUrl
  }

  get address() {
    return this[secret].address
  }

  async _call(operation, params, options) {
    const args = compact(params)
    const { signal, ...steer } = options === undefined ? {} : checkOptions(options, REQUEST_OPTION_TYPES)
    checkSignal(signal)
    if (signal && signal.aborted) throw new errors.AbortError('the call was aborted before it started')
    const sentAt = Date.now()
    try {
      const sent = (id) => this[secret].call(operation, args, Object.keys(steer).length ? steer : undefined, id)
      // The AbortSignal holds until the answer is whole: through a long answer's check too.
      return await abortable(signal, async (id) => parsed(await sent(id)))
    } catch (e) {
      const error = this._error(e)
      if (error instanceof errors.OutcomeUnknownError && SETTLES.includes(operation)) {
        // Not enumerable: the lookup holds the client, which inspect must not walk into.
        Object.defineProperty(error, '_settle', { value: () => this._settle(operation, args, sentAt) })
      }
      throw error
    }
  }

  async _settle(operation, args, sentAt) {
    let found
    try {
      found = JSON.parse(await this[secret].settle(operation, args, sentAt))
    } catch (e) {
      throw this._error(e)
    }
    const status = { landed: 'landed', not_landed: 'notLanded', still_unknown: 'stillUnknown' }[found.status]
    return { status, result: found.result, reason: found.reason }
  }

  /** The SDK's error for a native failure; a signer's own rejection is its `cause`. */
  _error(e) {
    const error = fromNative(e)
    const state = this[signerState]
    if (error instanceof errors.AuthenticationError && state && state.lastError !== undefined) {
      error.cause = state.lastError
      state.lastError = undefined
    }
    return error
  }

  /**
   * Calls an endpoint the spec does not have (yet), e.g. `request({ method: 'GET', path: '/user/rewards' })`,
   * with this client's login, retries and errors; resolves to the body as JSON.
   */
  async request({ method, path, query, body, authenticated = true } = {}, options) {
    if (typeof method !== 'string' || typeof path !== 'string') {
      throw new ValidationError('invalid input: request needs a method and a path')
    }
    if (body !== undefined) checkJson(body, 'body')
    const steer = options === undefined ? undefined : checkOptions(options, REQUEST_OPTION_TYPES)
    const stringified = query && Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]))
    try {
      return await this[secret].request({ method, path, query: stringified, body, authenticated }, steer)
    } catch (e) {
      throw this._error(e)
    }
  }

  /** Logs in now rather than on the first call that needs it. */
  async login() {
    try {
      await this[secret].login()
    } catch (e) {
      throw this._error(e)
    }
  }

  /** Every operation, resolving to a RawResponse (status, headers, body) instead of the parsed body. */
  get withRawResponse() {
    return new RawOperations(this)
  }

  /** The token held now and when it lapses, or null before the first login. */
  token() {
    const token = this[secret].token()
    return token ? new Token(token) : null
  }

  /**
   * Where this process stands with the server's rate limit at this base URL: of the operations
   * whose answers said, the one with the least left. null until an answer says, and with a server
   * that sends no limit.
   */
  rateLimit() {
    const r = this[secret].rateLimit()
    return r ? { operation: r.operation, limit: r.limit, remaining: r.remaining, resetsAt: new Date(r.resetsAt) } : null
  }

  /** Every log entry of a trade, all pages, oldest first. */
  async tradeLogs(tradeId) {
    try {
      return await this[secret].tradeLogs(tradeId)
    } catch (e) {
      throw fromNative(e)
    }
  }

  /**
   * Candle history as an apache-arrow Table (`open_time` in UTC ms, prices as doubles, null where
   * the server left one out), built in the Rust core and handed over as Arrow IPC bytes. Needs the
   * `apache-arrow` package (`npm install apache-arrow`).
   */
  async candlesArrow(query, options) {
    const arrow = needArrow('candlesArrow')
    if (query === null || typeof query !== 'object' || !['string', 'number'].includes(typeof query.symbol)) {
      throw new ValidationError('invalid input: candlesArrow takes { symbol, interval?, limit?, startTime?, endTime? }')
    }
    const steer = options === undefined ? undefined : checkOptions(options, REQUEST_OPTION_TYPES)
    try {
      return arrow.tableFromIPC(await this[secret].candlesArrow(query, steer))
    } catch (e) {
      throw this._error(e)
    }
  }

  /**
   * What an operation answers, a list of objects, as an apache-arrow Table: one column per
   * field, money as exact Decimal128 (`client.recordsArrow('get_rankings', { period: 'weekly' })`).
   */
  async recordsArrow(operation, args = {}, options) {
    const arrow = needArrow('recordsArrow')
    const steer = options === undefined ? undefined : checkOptions(options, REQUEST_OPTION_TYPES)
    try {
      return arrow.tableFromIPC(await this[secret].recordsArrow(String(operation), args, steer))
    } catch (e) {
      throw this._error(e)
    }
  }

  /**
   * Candle history as columns (one Float64Array per field, open times in ms), read from whatever
   * shape the server sends: ours, Hyperliquid's {t, o, h, l, c, v}, arrays, or an envelope.
   * With `exact: true`, prices are strings of the server's own digits (null where left out).
   */
  async candleColumns(query, options) {
    if (query === null || typeof query !== 'object' || !['string', 'number'].includes(typeof query.symbol)) {
      throw new ValidationError('invalid input: candleColumns takes { symbol, interval?, limit?, startTime?, endTime?, exact? }')
    }
    const steer = options === undefined ? undefined : checkOptions(options, REQUEST_OPTION_TYPES)
    try {
      return await this[secret].candleColumns(query, steer)
    } catch (e) {
      throw this._error(e)
    }
  }

  /**
   * Each candle once, when it closes: `for await (const event of client.watchCandles('BTC', '1m'))`.
   * Events are `{kind: 'closed' | 'open', candle}`, `{kind: 'gap', from_ms, to_ms}` or
   * `{kind: 'stale', intervals}`. Options: `includeOpen`, `staleAfter` (intervals), `jitterMs`,
   * `signal` (an AbortSignal that ends it), and `clock` (a MockServer whose clock it runs on, for
   * tests). A failed poll throws from `next()`; calling `next()` again goes on from where it was.
   */
  watchCandles(symbol, interval, options = {}) {
    return this._watch('candles', assetSymbol(symbol), String(interval), options, ['includeOpen', 'staleAfter', 'jitterMs'])
  }

  /**
   * The signal for a symbol and interval now, then each new one (`{kind: 'signal', signal}`),
   * polled just after each interval's end; `{kind: 'stale', intervals}` when none has come for
   * `staleAfter` intervals. Options: `staleAfter`, `jitterMs`, `signal`, `clock`.
   */
  watchSignals(symbol, interval, options = {}) {
    return this._watch('signals', assetSymbol(symbol), String(interval), options, ['staleAfter', 'jitterMs'])
  }

  /**
   * The open trade, looked at every `everyMs` (2000): `{kind: 'trade_opened' | 'trade_closed', trade}`,
   * `{kind: 'position_opened' | 'position_closed', position}` and `{kind: 'pnl', pnl, trade}` when
   * the PnL moved by at least `pnlStep` (any move by default). Options: `everyMs`, `pnlStep`,
   * `signal`, `clock`.
   */
  watchCurrentTrade(options = {}) {
    const { pnlStep, ...rest } = options
    const step = pnlStep === undefined || pnlStep === null ? undefined : String(pnlStep)
    return this._watch('current_trade', undefined, undefined, { ...rest, pnlStep: step }, ['everyMs', 'pnlStep'])
  }

  /**
   * Each entry added to a trade's log from now on, once, oldest first, however many pages the log
   * has: `for await (const entry of client.followTradeLogs(tradeId))`. Options: `everyMs`, `signal`,
   * `clock`.
   */
  followTradeLogs(tradeId, options = {}) {
    return this._watch('trade_logs', String(tradeId), undefined, options, ['everyMs'])
  }

  /** An async iterator over a watch of the core; `own` names the options it takes. */
  _watch(kind, target, interval, options, own) {
    const { signal, clock, ...rest } = options
    checkSignal(signal)
    const stray = Object.keys(rest).filter((k) => rest[k] !== undefined && !own.includes(k))
    if (stray.length) throw new ValidationError(`invalid input: ${stray.join(', ')} is not an option of this watch`)
    let watch
    try {
      watch = new native.NativeWatch(this[secret], kind, target, interval, rest, clock?.native)
    } catch (e) {
      throw this._error(e)
    }
    const client = this
    // Ends the poll under way too: from `return()` (leaving a for-await) or the caller's signal.
    const stop = new AbortController()
    const onAbort = () => stop.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    const end = () => {
      signal?.removeEventListener('abort', onAbort)
      stop.abort()
      return Promise.resolve({ done: true, value: undefined })
    }
    return {
      [Symbol.asyncIterator]() {
        return this
      },
      async next() {
        if (stop.signal.aborted || signal?.aborted) return end()
        try {
          return { done: false, value: JSON.parse(await abortable(stop.signal, (id) => watch.next(id))) }
        } catch (e) {
          const error = client._error(e)
          // Aborted: the watch is over, as for any async iterator whose signal fired.
          if (error instanceof errors.AbortError) return end()
          throw error
        }
      },
      return: end,
    }
  }

  /** This client with other limits, sharing its connections and its login. */
  withOptions(options = {}) {
    const steer = checkOptions(options, REQUEST_OPTION_TYPES)
    if (steer.signal !== undefined) {
      throw new ValidationError('invalid input: signal is per call: pass it as the second argument of a method')
    }
    try {
      return new Client({ [secret]: this[secret].withOptions(steer), [signerState]: this[signerState] })
    } catch (e) {
      throw fromNative(e)
    }
  }

  /**
   * Closes the client: every later call of it and of the clients made from it (`withOptions`)
   * rejects with a ValidationError, sending nothing. Calls under way finish. `await using client =
   * new Client()` closes it at the end of the block.
   */
  close() {
    this[secret].close()
  }

  /** Whether close() was called, on this client or on the one it was made from. */
  get closed() {
    return this[secret].closed
  }

  async [Symbol.asyncDispose]() {
    this.close()
  }

  [util.inspect.custom]() {
    return `Client { baseUrl: ${util.inspect(this.baseUrl)}, address: ${util.inspect(this.address)} }`
  }

  toJSON() {
    return { baseUrl: this.baseUrl, address: this.address }
  }
}

module.exports = {
  Client,
  RawResponse,
  Asset,
  Token,
  setLogger,
  DEFAULT_BASE_URL: native.defaultBaseUrl(),
  ...errors,
}
delete module.exports.fromNative
