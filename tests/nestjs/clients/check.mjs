// The Node package against the NestJS reference backend (tests/nestjs): see check.py. By hand:
//   node tests/nestjs/clients/check.mjs http://127.0.0.1:PORT
import { randomBytes } from 'node:crypto'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const alura = require('../../../bindings/node')

const client = new alura.Client({ baseUrl: process.argv[2], privateKey: '0x' + randomBytes(32).toString('hex') })
const profile = await client.getProfile()
assert.ok(profile.address, JSON.stringify(profile))
const session = await client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: alura.Asset.BTC })
const trade = await client.getCurrentTrade()
assert.equal(trade.sessionId, session.id)
assert.ok(trade.positions.length > 0)
const history = await client.getCandleHistory({ symbol: 'BTC', interval: '1h', limit: 24 })
assert.equal(history.candles.length, 24, 'the envelope comes back as the server sent it')
await assert.rejects(
  client.createTradingSession({ budget: 100, profitTarget: 40, assetIndex: alura.Asset.BTC }),
  (e) => e instanceof alura.BadRequestError && e.status === 400 && e.messages.some((m) => m.includes('Duplicate asset index')),
)
const closed = await client.closeTrade({ tradeId: trade.id })
assert.equal(closed.success, true)
assert.equal(await client.getCurrentTrade(), null, 'no open trade is an empty 200 body')
console.log(`node (${require.resolve('../../../bindings/node')}) against NestJS: session ${session.id}, closed -> ${JSON.stringify(closed)}`)
