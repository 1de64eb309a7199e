// End-to-end check of the signature path: SIWE login with a random wallet, open a quick
// trade, read it back, close it. Uses BASE_URL if set, else starts dist/main.js itself.
// Exits non-zero on the first failure.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Wallet } from 'ethers';

let server;
let base = process.env.BASE_URL;
if (!base) {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  server = spawn(process.execPath, [main], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(server.stdout, 'data');
  base = /listening on (\S+)/.exec(String(line))?.[1];
  if (!base) fail(`unexpected first line: ${line}`);
}

function fail(message) {
  console.error(`FAIL: ${message}`);
  server?.kill();
  process.exit(1);
}

function expect(cond, message) {
  if (!cond) fail(message);
}

async function call(method, path, { body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

try {
  const wallet = Wallet.createRandom();

  const challenge = await call('POST', '/auth/evm/challenge', { body: { address: wallet.address.toLowerCase() } });
  expect(challenge.status === 201, `challenge: ${challenge.status} ${challenge.text}`);
  expect(challenge.json.message.includes('wants you to sign in with your Ethereum account:\n' + wallet.address + '\n'), 'SIWE header/address line');
  expect(/\nNonce: [A-Za-z0-9]{16,}\n/.test(challenge.json.message), 'SIWE nonce line');

  const wrong = await call('POST', '/auth/evm/verify', {
    body: { address: wallet.address, signature: await Wallet.createRandom().signMessage(challenge.json.message) },
  });
  expect(wrong.status === 401 && wrong.json.message === 'Unauthorized', `wrong signer: ${wrong.status} ${wrong.text}`);

  const login = await call('POST', '/auth/evm/verify', {
    body: { address: wallet.address, signature: await wallet.signMessage(challenge.json.message) },
  });
  expect(login.status === 201 && login.json.ok === true && login.json.tokenType === 'Bearer', `verify: ${login.status} ${login.text}`);
  const token = login.json.accessToken;

  const replay = await call('POST', '/auth/evm/verify', {
    body: { address: wallet.address, signature: await wallet.signMessage(challenge.json.message) },
  });
  expect(replay.status === 401, `nonce not consumed: ${replay.status}`);

  const profile = await call('GET', '/user/profile', { token });
  expect(profile.status === 200 && profile.json.balance === '10000.000000', `profile: ${profile.text}`);

  const none = await call('GET', '/trading-sessions/current-trade', { token });
  expect(none.status === 200 && none.text === '', `no trade yet should be an empty 200: ${none.status} '${none.text}'`);

  const session = await call('POST', '/trading-sessions', {
    token,
    body: { budget: 100, profitTarget: 40, lossThreshold: 5, maxPositions: 3, assetIndex: 0 },
  });
  expect(session.status === 201 && session.json.type === 'quick' && session.json.budget === '100.00000000', `create: ${session.text}`);

  const dup = await call('POST', '/trading-sessions', { token, body: { budget: 100, profitTarget: 40, assetIndex: 0 } });
  expect(dup.status === 400 && /^Duplicate asset index/.test(dup.json.message), `duplicate: ${dup.status} ${dup.text}`);

  const trade = await call('GET', '/trading-sessions/current-trade', { token });
  expect(trade.status === 200 && trade.json.sessionId === session.json.id, `current-trade: ${trade.text}`);
  expect(trade.json.positions.length === 3 && trade.json.positions[0].symbol === 'BTC', 'three BTC positions');

  const closed = await call('POST', `/trading-sessions/trades/${trade.json.id}/close`, { token });
  expect(closed.status === 201 && closed.json.success === true && closed.json.closed === 3, `close: ${closed.text}`);

  const after = await call('GET', '/trading-sessions/current-trade', { token });
  expect(after.status === 200 && after.text === '', `after close: '${after.text}'`);
  const active = await call('GET', '/trading-sessions/active', { token });
  expect(active.status === 200 && active.json.length === 0, `active after close: ${active.text}`);

  console.log(`ok: ${wallet.address} logged in, opened and closed trade ${trade.json.id}`);
  server?.kill();
} catch (err) {
  fail(err?.stack ?? String(err));
}
