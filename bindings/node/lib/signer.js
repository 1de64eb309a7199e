'use strict'
// Signers the SDK accepts besides a raw key, made into what the native client calls:
// an address and `sign(message) -> Promise<hex signature>`.
//   - a viem Account: `address` and `signMessage({ message })`;
//   - an ethers Signer: `getAddress()` and `signMessage(message)` (give `address` too, or use a
//     Wallet, which has it: the client is made synchronously);
//   - any `{ address, signMessage(message) }` whose signMessage returns a Promise.
// The Rust core checks the challenge before asking, and the signature after.

const { ValidationError } = require('./errors.js')

function normalize(signer, address) {
  if (signer === null || typeof signer !== 'object' || typeof signer.signMessage !== 'function') {
    throw new ValidationError('invalid input: signer must be a viem Account, an ethers Signer, or { address, signMessage }')
  }
  const named = address || signer.address
  if (typeof named !== 'string' || named.length === 0) {
    throw new ValidationError('invalid input: this signer has no address property; pass address as well')
  }
  // viem accounts say what they are: their signMessage takes `{ message }`.
  const viem = signer.type === 'local' || signer.type === 'json-rpc' || signer.source !== undefined
  const state = { lastError: undefined }
  async function sign(message) {
    try {
      return await (viem ? signer.signMessage({ message }) : signer.signMessage(message))
    } catch (e) {
      state.lastError = e
      throw e
    }
  }
  return { address: named, sign, state }
}

module.exports = { normalize }
