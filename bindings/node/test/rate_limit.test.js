// The rate budget the client keeps (the core's transport/budget.rs): against a server throttled
// like @nestjs/throttler, calls wait their turn instead of meeting a 429.

const test = require('node:test')
const assert = require('node:assert/strict')

const { Client } = require('alura')
const { MockServer } = require('alura/testing')

test('calls wait their turn instead of meeting the throttler', async () => {
  const mock = new MockServer({ rateLimit: '50/1s' })
  try {
    const client = new Client({ baseUrl: mock.url })
    assert.equal(client.rateLimit(), null, 'nothing known before an answer')
    const started = Date.now()
    const answers = await Promise.all(Array.from({ length: 150 }, () => client.getSymbols()))
    const elapsed = Date.now() - started
    assert.equal(answers.length, 150)
    const sent = mock.requests('get_symbols')
    const refused = sent.filter((r) => r.status === 429).length
    assert.ok(refused <= 3, `at most one 429 a window, ${refused} in all`)
    assert.equal(sent.length, 150 + refused, 'each call sent once, and again only after a 429')
    assert.ok(elapsed >= 2000, `three windows' worth: ${elapsed} ms`)
    const known = client.rateLimit()
    assert.equal(known.limit, 50)
    assert.equal(known.operation, 'get_symbols')
    assert.ok(known.resetsAt instanceof Date)
    // Every client of this process calling as the same user shares it.
    assert.equal(new Client({ baseUrl: mock.url }).rateLimit().limit, 50)
  } finally {
    mock.close()
  }
})
