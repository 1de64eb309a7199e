//! The checks: the whole test command (`suite`), the simulator fuzzed with Schemathesis (`fuzz`),
//! the benchmarks (`bench`), the README's Rust examples (`examples`) and the NestJS app (`nestjs`).

pub mod bench;
pub mod examples;
pub mod fuzz;
pub mod nestjs;
pub mod suite;
