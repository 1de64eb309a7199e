// ESM entry: the CommonJS module's exports, by name.
import sdk from './index.js'

export const {
  Client,
  RawResponse,
  Asset,
  Token,
  setLogger,
  DEFAULT_BASE_URL,
} = sdk
export * from './generated/errors.mjs'
export default sdk
