'use strict'
// Fresh simulators and wallets for each test.

const crypto = require('node:crypto')
const { Client } = require('alura')
const { MockServer } = require('alura/testing')

const key = () => '0x' + crypto.randomBytes(32).toString('hex')

/** Runs `fn(mock)` with a fresh simulator, closing it afterwards. */
async function withMock(fn, options) {
  const mock = new MockServer(options)
  try {
    return await fn(mock)
  } finally {
    mock.close()
  }
}

// Strict: against our own simulator an answer off the spec is a bug in one of them.
const clientFor = (mock, options = {}) => new Client({ baseUrl: mock.url, privateKey: key(), strict: true, ...options })
const sent = (mock, operation) => mock.requests(operation).length

module.exports = { key, withMock, clientFor, sent }
