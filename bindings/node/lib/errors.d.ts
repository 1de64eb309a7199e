// The error classes, generated from the Rust core's list (alura::ERROR_KINDS).
export * from './generated/errors'
