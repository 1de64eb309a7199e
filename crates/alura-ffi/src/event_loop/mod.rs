//! For a binding that runs a current-thread Tokio runtime on its language's event loop (Python's
//! asyncio, Node's libuv), instead of a Tokio thread of its own: [`LoopRuntime`] is that runtime
//! and how the loop runs it. The loop learns of each connection's socket through
//! [`alura::sockets`].

mod driven;
mod fits;

pub use driven::{Closed, EventLoop, LoopRuntime, running};
pub use fits::{LOOP_MAX_ITEMS, args_fit_the_loop, fits_the_loop};
