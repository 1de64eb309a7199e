//! How a JS thread's libuv loop runs its own Tokio runtime (`alura_ffi::event_loop::LoopRuntime`,
//! which says when and why): a `uv_poll` per connection's socket, one `uv_timer`, and the
//! thread's thread-safe function for the next turn and for wake-ups from other threads. None of
//! these handles holds the process open: a pending call does, through the thread-safe function.

use std::collections::HashMap;
use std::ffi::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::Duration;

use alura::sockets::Socket;
use alura_ffi::event_loop::EventLoop;

use crate::uv::{Handle, Kind, Loop, UV_READABLE, Uv};

/// A handle pointer; libuv's handles are only ever touched on their loop's thread.
struct Owned(*mut Handle);
unsafe impl Send for Owned {}

/// One JS thread's libuv loop, as its runtime sees it.
pub struct Libuv {
    uv: &'static Uv,
    event_loop: *mut Loop,
    thread: ThreadId,
    timer: Owned,
    polls: Mutex<HashMap<Socket, Owned>>,
    /// Its handles are closed.
    closed: AtomicBool,
    /// Wakes the loop, from any thread, to run the runtime (the thread-safe function).
    wake: Box<dyn Fn() + Send + Sync>,
    on_readable: crate::uv::PollCb,
    on_timer: crate::uv::TimerCb,
}

// The loop pointer and handles are used only on `thread` (checked); `wake` is thread-safe.
unsafe impl Send for Libuv {}
unsafe impl Sync for Libuv {}

impl Libuv {
    /// For the loop of the calling JS thread. `on_readable` and `on_timer` run the runtime then
    /// settle what finished.
    pub fn new(
        uv: &'static Uv,
        event_loop: *mut Loop,
        wake: Box<dyn Fn() + Send + Sync>,
        on_readable: crate::uv::PollCb,
        on_timer: crate::uv::TimerCb,
    ) -> Option<Self> {
        let timer = uv.new_handle(Kind::Timer);
        // Safety: a fresh handle on this thread's loop.
        if unsafe { (uv.timer_init)(event_loop, timer) } != 0 {
            unsafe { uv.free(timer, Kind::Timer) };
            return None;
        }
        unsafe { (uv.unref)(timer) };
        Some(Self {
            uv,
            event_loop,
            thread: std::thread::current().id(),
            timer: Owned(timer),
            polls: Mutex::default(),
            closed: AtomicBool::new(false),
            wake,
            on_readable,
            on_timer,
        })
    }

    fn on_loop_thread(&self) -> bool {
        std::thread::current().id() == self.thread
    }

    /// The environment is going away: every handle is closed (a worker thread's loop must have
    /// none left open when it ends, or node aborts).
    pub fn close(&self) {
        if !self.on_loop_thread() || self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let polls = std::mem::take(&mut *self.polls.lock().unwrap_or_else(PoisonError::into_inner));
        unsafe {
            for (_, Owned(poll)) in polls {
                self.uv.close(poll, Kind::Poll);
            }
            self.uv.close(self.timer.0, Kind::Timer);
        }
    }
}

impl Drop for Libuv {
    /// Also when the runtime could not be made for it: its timer is already in the loop.
    fn drop(&mut self) {
        self.close();
    }
}

impl EventLoop for Libuv {
    fn run_soon(&self) {
        (self.wake)();
    }

    fn set_timer(&self, after: Duration) {
        if self.on_loop_thread() {
            let ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX).max(1);
            // Restarting a running timer moves it: one timer at a time.
            unsafe { (self.uv.timer_start)(self.timer.0, self.on_timer, ms, 0) };
        }
    }

    fn cancel_timer(&self) {
        if self.on_loop_thread() {
            unsafe { (self.uv.timer_stop)(self.timer.0) };
        }
    }

    fn nudge(&self) {
        (self.wake)();
    }

    fn watch(&self, socket: Socket) {
        if !self.on_loop_thread() || self.closed.load(Ordering::Acquire) {
            return;
        }
        let poll = self.uv.new_handle(Kind::Poll);
        let failed = unsafe {
            if (self.uv.poll_init)(self.event_loop, poll, socket as c_int) != 0 {
                self.uv.free(poll, Kind::Poll);
                true
            } else if (self.uv.poll_start)(poll, UV_READABLE, self.on_readable) != 0 {
                self.uv.close(poll, Kind::Poll);
                true
            } else {
                false
            }
        };
        if failed {
            tracing::warn!("cannot watch a connection on the event loop: the timer runs its calls");
            return;
        }
        unsafe { (self.uv.unref)(poll) };
        let old = self.polls.lock().unwrap_or_else(PoisonError::into_inner).insert(socket, Owned(poll));
        if let Some(Owned(old)) = old {
            unsafe { self.uv.close(old, Kind::Poll) };
        }
    }

    fn unwatch(&self, socket: Socket) {
        if !self.on_loop_thread() {
            return;
        }
        let poll = self.polls.lock().unwrap_or_else(PoisonError::into_inner).remove(&socket);
        if let Some(Owned(poll)) = poll {
            // Closing takes the socket out of libuv's epoll set at once, before it closes.
            unsafe { self.uv.close(poll, Kind::Poll) };
        }
    }
}
