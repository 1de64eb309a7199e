'use strict'
// Bring your own signer (viem, ethers, any { address, signMessage }), sign only the challenge
// we expect, keep and reuse tokens.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const { execFileSync } = require('node:child_process')
const { privateKeyToAccount, generatePrivateKey } = require('viem/accounts')
const { Wallet } = require('ethers')
const alura = require('alura')
const { key, withMock, sent } = require('./helpers.js')

test('a viem account logs in, and the event loop stays free while it signs', () =>
  withMock(async (mock) => {
    const account = privateKeyToAccount(generatePrivateKey())
    let ticks = 0
    const slow = {
      ...account,
      // A signer that needs the event loop (as a wallet or a remote signer does) to answer.
      signMessage: (args) => new Promise((resolve) => setTimeout(() => resolve(account.signMessage(args)), 100)),
    }
    const timer = setInterval(() => ticks++, 10)
    try {
      const client = new alura.Client({ baseUrl: mock.url, signer: slow, strict: true })
      assert.equal(client.address, account.address)
      const profile = await client.getProfile()
      assert.equal(profile.address, account.address)
    } finally {
      clearInterval(timer)
    }
    assert.ok(ticks >= 5, `the loop ran while signing (${ticks} ticks)`)
  }))

test('an ethers wallet logs in', () =>
  withMock(async (mock) => {
    const wallet = Wallet.createRandom()
    const client = new alura.Client({ baseUrl: mock.url, signer: wallet })
    assert.equal((await client.getProfile()).address, wallet.address)
  }))

test('a rejection is an AuthenticationError with the cause; a wrong key never reaches verify', () =>
  withMock(async (mock) => {
    const locked = new Error('the hardware wallet is locked')
    const broken = { address: Wallet.createRandom().address, signMessage: async () => Promise.reject(locked) }
    const client = new alura.Client({ baseUrl: mock.url, signer: broken })
    await assert.rejects(client.getProfile(), (e) => {
      assert.ok(e instanceof alura.AuthenticationError, String(e))
      assert.equal(e.cause, locked)
      return true
    })
    const other = Wallet.createRandom()
    const wrong = { address: Wallet.createRandom().address, signMessage: (m) => other.signMessage(m) }
    await assert.rejects(new alura.Client({ baseUrl: mock.url, signer: wrong }).login(), /not by the signer's address/)
    assert.equal(sent(mock, 'verify_signature'), 0)
    assert.throws(() => new alura.Client({ signer: { signMessage: async () => '0x' } }), /pass address/)
  }))

for (const [message, why] of [
  ['evil.example wants you to sign in with your Ethereum account:\n{a}\n\nURI: https://evil.example\nNonce: nonce-001', 'evil.example'],
  ['Sign in\nAddress: {a}\nNonce: another-nonce', 'nonce'],
  ['Sign in\nAddress: 0x000000000000000000000000000000000000dEaD\nNonce: nonce-001', 'our address'],
]) {
  test(`a hostile challenge is refused and nothing is signed (${why})`, () =>
    withMock(async (mock) => {
      const wallet = Wallet.createRandom()
      let asked = 0
      const signer = { address: wallet.address, signMessage: (m) => (asked++, wallet.signMessage(m)) }
      const body = JSON.stringify({ address: wallet.address, nonce: 'nonce-001', message: message.replace('{a}', wallet.address) })
      mock.injectFaults('request_challenge', [{ kind: 'raw', status: 201, headers: { 'content-type': 'application/json' }, body }])
      const client = new alura.Client({ baseUrl: mock.url, signer })
      await assert.rejects(client.login(), (e) => e instanceof alura.AuthenticationError && e.message.includes(why))
      assert.equal(asked, 0)
      assert.equal(sent(mock, 'verify_signature'), 0)
    }))
}

test('a sign-in for another site names the ways out, and a trusted one is signed', () =>
  withMock(async (mock) => {
    const wallet = Wallet.createRandom()
    const signed = []
    const signer = { address: wallet.address, signMessage: (m) => (signed.push(m), wallet.signMessage(m)) }
    const message = `app.partner.example wants you to sign in with your Ethereum account:\n${wallet.address}\n\nURI: https://app.partner.example\nNonce: nonce-001`
    const body = JSON.stringify({ address: wallet.address, nonce: 'nonce-001', message })
    const fault = { kind: 'raw', status: 201, headers: { 'content-type': 'application/json' }, body }
    mock.injectFaults('request_challenge', [fault])
    await assert.rejects(new alura.Client({ baseUrl: mock.url, signer }).login(), (e) =>
      ['app.partner.example', 'trustedDomains', 'verifyChallenge: false'].every((w) => e.message.includes(w)),
    )
    assert.deepEqual(signed, [])
    assert.throws(() => new alura.Client({ baseUrl: mock.url, trustedDomains: 'app.partner.example' }), /trustedDomains must be an array of strings/)
    mock.injectFaults('request_challenge', [fault])
    const trusting = new alura.Client({ baseUrl: mock.url, signer, trustedDomains: ['app.partner.example'] })
    await trusting.login() // the simulator refuses a message it did not issue; the login's second try passes
    assert.equal(signed[0], message)
  }))

const jwt = (exp) => {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${enc({ alg: 'HS256' })}.${enc({ sub: 'u', exp })}.c2ln`
}

test('a saved token that lapsed means one login before the first call', () =>
  withMock(async (mock) => {
    const lapsed = jwt(Math.floor(Date.now() / 1000) - 60)
    const client = new alura.Client({ baseUrl: mock.url, privateKey: key(), token: lapsed })
    const token = client.token()
    assert.ok(token.expiresAt < new Date())
    assert.ok(!util.inspect(token).includes(lapsed) && !JSON.stringify(token).includes(lapsed))
    await client.getProfile()
    assert.equal(sent(mock, 'verify_signature'), 1)
    assert.deepEqual(mock.requests('get_profile').map((r) => r.status), [200])
    assert.notEqual(client.token().value, lapsed)
  }))

test('the token cache is reused by another process and private', () =>
  withMock(async (mock) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alura-cache-'))
    const cache = path.join(dir, 'alura', 'tokens.json')
    const privateKey = key()
    const seen = []
    const first = new alura.Client({ baseUrl: mock.url, privateKey, tokenCache: cache, onToken: (t) => seen.push(t) })
    await first.login()
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(seen.length, 1)
    assert.equal(seen[0].value, first.token().value)
    assert.equal(fs.statSync(cache).mode & 0o777, 0o600)
    const script = `const { Client } = require('alura'); new Client({ baseUrl: process.argv[1], privateKey: process.argv[2], tokenCache: process.argv[3] }).getProfile().catch((e) => { console.error(e); process.exit(1) })`
    execFileSync(process.execPath, ['-e', script, mock.url, privateKey, cache], { cwd: __dirname, stdio: 'inherit' })
    assert.equal(sent(mock, 'verify_signature'), 1, 'the other process reused the cached token')
    fs.rmSync(dir, { recursive: true, force: true })
  }))
