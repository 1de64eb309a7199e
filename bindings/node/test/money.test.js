'use strict'
// Amounts go on the wire with exactly their digits: a numeric string as written, a number by
// its shortest text, never in exponent notation.

const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const alura = require('alura')

test('amounts reach the server with exactly their digits', async () => {
  const bodies = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      bodies.push(body)
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"success":true}')
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const client = new alura.Client({ baseUrl: `http://127.0.0.1:${server.address().port}`, token: 'tok' })
    for (const [amount, wire] of [
      ['100.10', '"amount":100.10'],
      ['0.00008329', '"amount":0.00008329'],
      [8.329e-5, '"amount":0.00008329'],
      [100.1, '"amount":100.1'],
      ['1234567890.123456789012345678', '"amount":1234567890.123456789012345678'],
      [10n, '"amount":10'],
      // What decimal.js, big.js and bignumber.js objects are to us: a class with its own toString.
      [new (class Big { toString() { return '0.00000001' } })(), '"amount":0.00000001'],
    ]) {
      await client.withdraw({ amount })
      const body = bodies.pop()
      assert.ok(body.includes(wire), `${amount}: ${body}`)
    }
    await assert.rejects(client.withdraw({ amount: '1e400' }), alura.ValidationError)
    assert.equal(bodies.length, 0, 'nothing was sent for an amount that is not a decimal')
  } finally {
    server.close()
  }
})

test('money in answers is a string of the server\'s digits, or a number when asked', async () => {
  const { MockServer } = require('alura/testing')
  for (const drift of [false, true]) {
    const mock = new MockServer({ drift })
    alura.setLogger({ debug() {}, info() {}, warn() {}, error() {} }, 'warn')
    try {
      const client = new alura.Client({ baseUrl: mock.url, privateKey: '0x' + '14'.repeat(32) })
      const profile = await client.getProfile()
      assert.equal(typeof profile.balance, 'string', `drift ${drift}`)
      assert.equal(profile.balance, drift ? '10000.00' : '10000.0', 'the digits the server wrote, either form')
      const session = await client.createTradingSession({ budget: '100.10', profitTarget: 40, assetIndex: alura.Asset.BTC })
      assert.equal(typeof session.profitTarget, 'string')
      assert.equal(session.budget, drift ? '100.10' : '100.1', 'the simulator writes the number back as 100.1')
      const trade = await client.getCurrentTrade()
      for (const p of trade.positions) assert.match(p.entryPrice, /^\d+(\.\d+)?$/, 'every digit the server wrote')
      const numbers = new alura.Client({ baseUrl: mock.url, token: client.token().value, money: 'number' })
      assert.equal(typeof (await numbers.getProfile()).balance, 'number')
      assert.equal(typeof (await numbers.withOptions({ timeoutMs: 5000 }).getProfile()).balance, 'number')
    } finally {
      alura.setLogger(console, 'warn')
      mock.close()
    }
  }
  assert.throws(() => new alura.Client({ money: 'double' }), alura.ValidationError)
})
