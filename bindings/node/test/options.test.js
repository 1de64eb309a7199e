'use strict'
// Client options reach the core, which alone holds their defaults and checks; each client may
// have its own logger.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const alura = require('alura')
const { withMock, clientFor } = require('./helpers.js')

const tick = () => new Promise((resolve) => setTimeout(resolve, 20))

/** A loopback server answering `statuses` in turn (then 200), keeping each request's headers. */
async function recording(statuses, fn) {
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push(req.headers)
    res.writeHead(statuses[seen.length - 1] || 200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    return await fn(`http://127.0.0.1:${server.address().port}`, seen)
  } finally {
    server.close()
  }
}

test('every client option reaches the core, and withOptions keeps what it does not name', () =>
  recording(Array(6).fill(503), async (baseUrl, seen) => {
    const client = new alura.Client({
      baseUrl,
      maxRetries: 2,
      retryBaseDelayMs: 0,
      retryMaxDelayMs: 0,
      defaultHeaders: { 'X-Tenant': 'desk-7' },
    })
    const request = { method: 'GET', path: '/echo', authenticated: false }
    await assert.rejects(client.request(request), alura.InternalServerError)
    assert.equal(seen.length, 3, 'two retries')
    assert.ok(seen.every((h) => h['x-tenant'] === 'desk-7'), JSON.stringify(seen))
    assert.match(seen[0]['user-agent'], /^alura-node\//, "the core's default for Node")
    const patient = client.withOptions({ maxRetries: 3, headers: { 'X-Desk': '7' } })
    assert.deepEqual(await patient.request(request), { ok: true })
    assert.equal(seen.length, 7, 'three retries, the last one answered')
    assert.equal(seen[6]['x-tenant'], 'desk-7', 'default headers are kept')
    assert.equal(seen[6]['x-desk'], '7')
  }))

test('the core checks the new options and names them as Node spells them', () => {
  assert.throws(() => new alura.Client({ timeoutMs: -5 }), /timeoutMs must be a positive number up to 86400000, not -5/)
  assert.throws(() => new alura.Client({ retryDeadlineMs: 0 }), /retryDeadlineMs must be a positive number/)
  assert.throws(() => new alura.Client({ retryBaseDelayMs: -1 }), /retryBaseDelayMs must be a number from 0/)
  assert.throws(() => new alura.Client({ connectTimeoutMs: 'soon' }), /connectTimeoutMs must be a number, not string/)
  assert.throws(() => new alura.Client({ defaultHeaders: { Authorization: 'Bearer x' } }), /header cannot be set/)
  assert.throws(() => new alura.Client({ logger: {} }), /logger must have debug, info, warn and error methods/)
  assert.throws(() => new alura.Client({ logLevel: 'loud' }), alura.ValidationError)
})

/** A logger keeping `[target] message` lines by level. */
function keeper() {
  const lines = []
  const at = (level) => (message) => lines.push(`${level} ${message}`)
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } }
}

test("a client's own logger gets its records, and only its records", () =>
  withMock(async (mock) => {
    const processWide = keeper()
    alura.setLogger(processWide.logger, 'debug')
    try {
      const own = keeper()
      const mine = clientFor(mock, { logger: own.logger, logLevel: 'debug' })
      const other = clientFor(mock)
      await mine.getSymbols()
      await tick()
      assert.ok(own.lines.some((l) => l.startsWith('debug [alura.http] get_symbols: GET')), own.lines.join('\n'))
      assert.deepEqual(processWide.lines, [], "one client's records never reach the process-wide logger")
      await other.getProfile()
      await tick()
      assert.ok(processWide.lines.some((l) => l.includes('[alura.login] logged in as 0x')), processWide.lines.join('\n'))
      assert.ok(!own.lines.some((l) => l.includes('get_profile')), "another client's records never reach it")
      const quiet = keeper()
      await clientFor(mock, { logger: quiet.logger, logLevel: 'warn' }).getSymbols()
      await tick()
      assert.deepEqual(quiet.lines, [], 'its own level holds')
    } finally {
      alura.setLogger(console, 'warn')
    }
  }))

test('logLevel alone sends the client\'s records to the process-wide logger at that level', () =>
  withMock(async (mock) => {
    const processWide = keeper()
    alura.setLogger(processWide.logger, 'warn')
    try {
      await clientFor(mock, { logLevel: 'debug' }).getSymbols()
      await clientFor(mock).getSymbols()
      await tick()
      const attempts = processWide.lines.filter((l) => l.includes('get_symbols: GET'))
      assert.equal(attempts.length, 1, processWide.lines.join('\n'))
    } finally {
      alura.setLogger(console, 'warn')
    }
  }))

test('a logger that throws loses its records, not the process or the call', () =>
  withMock(async (mock) => {
    const thrower = { debug() { throw new Error('logger boom') }, info() {}, warn() {}, error() {} }
    const warnings = []
    const onWarning = (w) => warnings.push(String(w.message))
    process.on('warning', onWarning)
    try {
      const symbols = await clientFor(mock, { logger: thrower, logLevel: 'debug' }).getSymbols()
      assert.ok(Array.isArray(symbols.symbols))
      await tick()
      assert.equal(warnings.filter((w) => w.includes('the logger threw')).length, 1, warnings.join('\n'))
    } finally {
      process.off('warning', onWarning)
    }
  }))

test('headers must be a plain object of strings, and a bad value is never printed', () => {
  const cases = [
    { defaultHeaders: { 'X-Key': ['topsecret'] } },
    { defaultHeaders: new Map([['X-Key', 'topsecret']]) },
    { defaultHeaders: ['topsecret'] },
  ]
  for (const options of cases) {
    assert.throws(
      () => new alura.Client({ baseUrl: 'http://127.0.0.1:9', ...options }),
      (e) => e instanceof alura.ValidationError && e.message.includes('defaultHeaders') && !e.message.includes('topsecret'),
    )
  }
  const client = new alura.Client({ baseUrl: 'http://127.0.0.1:9' })
  assert.throws(() => client.withOptions({ headers: { 'X-Key': 42 } }), alura.ValidationError)
  assert.throws(() => client.withOptions({ signal: new AbortController().signal }), /signal is per call/)
  assert.throws(
    () => client.withOptions({ headers: { 'Idempotency-Key': 'k' } }),
    (e) => e instanceof alura.ValidationError && e.message.includes('idempotency key option'),
  )
})

test("a client's own logger also gets what building it logs (a bad token cache)", async () => {
  const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'alura-'))
  const cache = require('node:path').join(dir, 'tokens.json')
  require('node:fs').writeFileSync(cache, 'not json')
  const own = keeper()
  const processWide = keeper()
  alura.setLogger(processWide.logger, 'warn')
  try {
    const privateKey = '0x' + '11'.repeat(32)
    new alura.Client({ baseUrl: 'http://127.0.0.1:9', privateKey, tokenCache: cache, logger: own.logger, logLevel: 'warn' })
    await tick()
    assert.ok(own.lines.some((l) => l.includes('token cache')), own.lines.join('\n'))
    assert.deepEqual(processWide.lines, [])
  } finally {
    alura.setLogger(console, 'warn')
  }
})

test("a logger's records come in order, before the call's promise settles, and never inside the method call", () =>
  withMock(async (mock) => {
    const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'alura-'))
    const cache = require('node:path').join(dir, 'tokens.json')
    require('node:fs').writeFileSync(cache, 'not json')
    const own = keeper()
    const client = clientFor(mock, { tokenCache: cache, logger: own.logger, logLevel: 'debug' })
    const call = client.getSymbols()
    // The logger is user code: it never runs inside a method call that may itself be called from it.
    assert.deepEqual(own.lines, [])
    await call
    const cacheAt = own.lines.findIndex((l) => l.includes('token cache'))
    const attemptAt = own.lines.findIndex((l) => l.includes('get_symbols: GET'))
    assert.ok(cacheAt >= 0 && attemptAt > cacheAt, own.lines.join('\n'))
  }))

test('timeout is timeoutMs in Node, and the error says so with the milliseconds', async () => {
  assert.throws(() => new alura.Client({ timeout: 5 }), (e) => e instanceof alura.ValidationError && e.message.includes('timeout is timeoutMs in Node, in milliseconds: { timeoutMs: 5000 }'))
  const client = new alura.Client({ baseUrl: 'http://127.0.0.1:9' })
  await assert.rejects(client.getSymbols({}, { timeout: 2 }), (e) => e instanceof alura.ValidationError && /timeoutMs: 2000/.test(e.message))
  assert.throws(() => new alura.Client({ connectTimeout: 1 }), (e) => /connectTimeout is connectTimeoutMs/.test(e.message))
})
