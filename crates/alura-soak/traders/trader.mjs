// The Node trader of the chaos soak: the mix of `src/trader.rs`, on `alura`'s Client, one async
// loop a client. Started by `alura-soak` with the arguments of `src/protocol.rs` and the built
// package's folder in ALURA_SOAK_PACKAGE; prints one JSON line a call as it ends.

import { randomBytes, randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'

const require = createRequire(import.meta.url)
const { Client, AluraError } = require(process.env.ALURA_SOAK_PACKAGE)

const SYMBOLS = ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'AVAX']
const TIMEOUT_MS = 2000
const DEADLINE_MS = 8000

// A seeded generator (mulberry32): each client's choices follow from the seed.
function generator(seed) {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

function report(op, started, error, key) {
  const ms = performance.now() - started
  process.stdout.write(JSON.stringify({ op, ms, error, key }) + '\n')
}

async function trade(client, random, until) {
  let tradeId = null
  while (performance.now() < until) {
    const roll = random(100)
    const symbol = SYMBOLS[random(SYMBOLS.length)]
    let key = null
    let op
    let call
    if (roll < 30) {
      op = 'get_candles'
      call = () => client.getCandles({ symbol, interval: '1h', limit: 24 })
    } else if (roll < 55) {
      key = randomUUID()
      const budget = 10 + random(30)
      op = 'create_trading_session'
      call = () =>
        client.createTradingSession({ budget, profitTarget: 40, assetIndex: symbol }, { idempotencyKey: key })
    } else if (roll < 70 && tradeId !== null) {
      key = randomUUID()
      const closing = tradeId
      tradeId = null
      op = 'close_trade'
      call = () => client.closeTrade({ tradeId: closing }, { idempotencyKey: key })
    } else if (roll < 85 && roll >= 70) {
      op = 'list_active_sessions'
      call = () => client.listActiveSessions()
    } else if (roll >= 85 && tradeId !== null) {
      const page = 1 + random(2)
      const reading = tradeId
      op = 'get_trade_logs'
      call = () => client.getTradeLogs({ tradeId: reading, page, limit: 5 })
    } else {
      op = 'get_current_trade'
      call = () => client.getCurrentTrade()
    }
    const started = performance.now()
    let value
    try {
      value = await call()
    } catch (e) {
      // Anything not the SDK's is what the soak looks for.
      const error = e instanceof AluraError ? e.constructor.name : `Unexpected:${e?.constructor?.name}`
      report(op, started, error, key)
      continue
    }
    if (op === 'get_current_trade') tradeId = typeof value?.id === 'string' ? value.id : null
    report(op, started, null, key)
  }
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    duration: { type: 'string' },
    seed: { type: 'string' },
    clients: { type: 'string' },
  },
})
const until = performance.now() + Number(values.duration) * 1000
const clients = []
for (let who = 0; who < Number(values.clients); who++) {
  const client = new Client({
    baseUrl: values.url,
    privateKey: randomBytes(32).toString('hex'),
    timeoutMs: TIMEOUT_MS,
    retryDeadlineMs: DEADLINE_MS,
  })
  clients.push(client)
}
await Promise.all(clients.map((client, who) => trade(client, generator(Number(values.seed) * 1000 + who), until)))
for (const client of clients) client.close()
