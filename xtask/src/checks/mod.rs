//! The checks: the whole test command (`suite`), the simulator fuzzed with Schemathesis (`fuzz`),
//! the benchmarks (`bench`), the README's Rust examples (`examples`), the NestJS app (`nestjs`) and
//! the chaos soak (`soak`).

pub mod bench;
pub mod examples;
pub mod fuzz;
pub mod nestjs;
pub mod soak;
pub mod suite;
