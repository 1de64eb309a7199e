// ESM entry: the CommonJS module's exports, by name.
import sdk from './index.js'

export const {
  Client,
  RawResponse,
  Asset,
  Token,
  setLogger,
  DEFAULT_BASE_URL,
  AluraError,
  ApiError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  RateLimitError,
  InternalServerError,
  NetworkError,
  TimeoutError,
  OutcomeUnknownError,
  ValidationError,
  DecodeError,
  InternalError,
  AbortError,
} = sdk
export default sdk
