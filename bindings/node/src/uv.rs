//! The few libuv calls that watch a socket and keep a timer on a JS thread's event loop. Node
//! exports libuv from its own executable; they are looked up there once, at run time, as napi-rs
//! looks up N-API's own functions. Other runtimes (Bun exports libuv's names, but as functions
//! that abort the process; Deno) and a platform where they are not used (Windows) keep calls on
//! the Tokio worker instead.

use std::alloc::Layout;
use std::ffi::{CStr, c_int, c_void};
use std::sync::OnceLock;

use napi::sys;

/// A libuv handle: only its first field, `data`, is ours to use; libuv owns the rest.
#[repr(C)]
pub struct Handle {
    _data: *mut c_void,
}

pub type Loop = c_void;
pub type PollCb = unsafe extern "C" fn(*mut Handle, c_int, c_int);
pub type TimerCb = unsafe extern "C" fn(*mut Handle);
type CloseCb = unsafe extern "C" fn(*mut Handle);

/// `uv_handle_type`'s numbers, fixed in libuv 1.x's `uv.h`.
const UV_POLL: c_int = 8;
const UV_TIMER: c_int = 13;
pub const UV_READABLE: c_int = 1;

pub struct Uv {
    pub poll_init: unsafe extern "C" fn(*mut Loop, *mut Handle, c_int) -> c_int,
    pub poll_start: unsafe extern "C" fn(*mut Handle, c_int, PollCb) -> c_int,
    pub timer_init: unsafe extern "C" fn(*mut Loop, *mut Handle) -> c_int,
    pub timer_start: unsafe extern "C" fn(*mut Handle, TimerCb, u64, u64) -> c_int,
    pub timer_stop: unsafe extern "C" fn(*mut Handle) -> c_int,
    close: unsafe extern "C" fn(*mut Handle, Option<CloseCb>),
    pub unref: unsafe extern "C" fn(*mut Handle),
    poll: Layout,
    timer: Layout,
}

static UV: OnceLock<Option<Uv>> = OnceLock::new();

/// The process's libuv: under Node, and only if it exports every call used here.
pub fn uv(env: sys::napi_env) -> Option<&'static Uv> {
    UV.get_or_init(|| {
        if !is_node(env) {
            return None;
        }
        #[cfg(unix)]
        {
            // Safety: looked up by name with the signatures `uv.h` gives them; the executable
            // that exports them lives as long as the process.
            unsafe { load() }
        }
        #[cfg(not(unix))]
        None
    })
    .as_ref()
}

/// Whether this is Node: `process.versions` has `node`, and neither `bun` nor `deno` (which
/// both name a Node version too).
fn is_node(env: sys::napi_env) -> bool {
    let has = |object: sys::napi_value, name: &CStr| {
        let mut has = false;
        let ok = unsafe { sys::napi_has_named_property(env, object, name.as_ptr(), &mut has) };
        ok == sys::Status::napi_ok && has
    };
    let get = |object: sys::napi_value, name: &CStr| {
        let mut value = std::ptr::null_mut();
        let ok = unsafe { sys::napi_get_named_property(env, object, name.as_ptr(), &mut value) };
        (ok == sys::Status::napi_ok && !value.is_null()).then_some(value)
    };
    let mut global = std::ptr::null_mut();
    if unsafe { sys::napi_get_global(env, &mut global) } != sys::Status::napi_ok {
        return false;
    }
    let Some(versions) =
        get(global, c"process").filter(|p| has(*p, c"versions")).and_then(|p| get(p, c"versions"))
    else {
        return false;
    };
    has(versions, c"node") && !has(versions, c"bun") && !has(versions, c"deno")
}

#[cfg(unix)]
unsafe fn load() -> Option<Uv> {
    let this = libloading::os::unix::Library::this();
    macro_rules! find {
        ($name:literal) => {
            *unsafe { this.get(concat!($name, "\0").as_bytes()) }.ok()?
        };
    }
    let handle_size: unsafe extern "C" fn(c_int) -> usize = find!("uv_handle_size");
    let layout =
        |kind| Layout::from_size_align(unsafe { handle_size(kind) }, 16).ok().filter(|l| l.size() > 0);
    let (poll, timer) = (layout(UV_POLL)?, layout(UV_TIMER)?);
    let uv = Uv {
        poll_init: find!("uv_poll_init"),
        poll_start: find!("uv_poll_start"),
        timer_init: find!("uv_timer_init"),
        timer_start: find!("uv_timer_start"),
        timer_stop: find!("uv_timer_stop"),
        close: find!("uv_close"),
        unref: find!("uv_unref"),
        poll,
        timer,
    };
    // Kept loaded: the functions above point into it.
    std::mem::forget(this);
    Some(uv)
}

/// What a handle is, for the memory it was given.
#[derive(Clone, Copy)]
pub enum Kind {
    Poll,
    Timer,
}

impl Uv {
    fn layout(&self, kind: Kind) -> Layout {
        match kind {
            Kind::Poll => self.poll,
            Kind::Timer => self.timer,
        }
    }

    /// Memory for a handle, zeroed; libuv's `*_init` fills it. Freed by [`Uv::close`].
    pub fn new_handle(&self, kind: Kind) -> *mut Handle {
        let layout = self.layout(kind);
        // Safety: the layout's size is libuv's own, never zero.
        let handle = unsafe { std::alloc::alloc_zeroed(layout) };
        if handle.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        handle.cast()
    }

    /// Frees a handle that never got through `*_init`.
    pub unsafe fn free(&self, handle: *mut Handle, kind: Kind) {
        unsafe { std::alloc::dealloc(handle.cast(), self.layout(kind)) };
    }

    /// Closes a handle; its memory is freed once libuv is done with it.
    pub unsafe fn close(&self, handle: *mut Handle, kind: Kind) {
        let closed: CloseCb = match kind {
            Kind::Poll => closed_poll,
            Kind::Timer => closed_timer,
        };
        unsafe { (self.close)(handle, Some(closed)) };
    }
}

unsafe extern "C" fn closed_poll(handle: *mut Handle) {
    if let Some(uv) = UV.get().and_then(Option::as_ref) {
        unsafe { uv.free(handle, Kind::Poll) };
    }
}

unsafe extern "C" fn closed_timer(handle: *mut Handle) {
    if let Some(uv) = UV.get().and_then(Option::as_ref) {
        unsafe { uv.free(handle, Kind::Timer) };
    }
}
