//! A Python signer (an `eth_account` account or a function, wrapped by `alura._signer`) as an
//! alloy `Signer`, so the core logs in with it as with any other.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use alloy_primitives::{Address, B256, ChainId, Signature};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// The signer, its address, and the last exception it raised (chained as the cause of the
/// `AuthenticationError` the failed login becomes).
#[derive(Clone)]
pub struct PySigner {
    wrapper: Arc<Py<PyAny>>,
    address: Address,
    error: Arc<Mutex<Option<PyErr>>>,
}

type Awaiting = Pin<Box<dyn Future<Output = PyResult<Py<PyAny>>> + Send>>;

/// What calling the Python signer gave.
enum Step {
    Signed(Py<PyAny>),
    /// An awaitable on the caller's event loop (an `AsyncClient` call).
    Await(Awaiting),
    /// An awaitable with no loop to borrow (a blocking `Client` call).
    Block(Py<PyAny>),
}

impl PySigner {
    /// `wrapper` is an `alura._signer._Signer`.
    pub fn new(wrapper: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text: String = wrapper.getattr("address")?.extract()?;
        let address = text.trim().parse::<Address>().map_err(|_| {
            crate::errors::validation(
                wrapper.py(),
                format!("the signer's address {text:?} is not an address (0x and 40 hex digits)"),
            )
        })?;
        Ok(Self { wrapper: Arc::new(wrapper.clone().unbind()), address, error: Arc::default() })
    }

    /// The exception the signer raised in the last failed login, once.
    pub fn take_error(&self) -> Option<PyErr> {
        self.error.lock().ok()?.take()
    }

    fn failed(&self, error: PyErr) -> alloy_signer::Error {
        let text = Python::attach(|py| error.value(py).repr().map(|r| r.to_string()).unwrap_or_default());
        if let Ok(mut slot) = self.error.lock() {
            *slot = Some(error);
        }
        alloy_signer::Error::other(format!("the signer raised {text}"))
    }

    async fn sign_text(&self, text: String) -> PyResult<Signature> {
        let wrapper = self.wrapper.clone();
        let sign =
            move || Python::attach(|py| wrapper.bind(py).call_method1("sign", (text,)).map(Bound::unbind));
        let out = if alura_ffi::event_loop::running() {
            // On an event loop's own runtime, a sync signer (a hardware wallet's prompt) would
            // hold the whole loop: it runs on a thread of the runtime's blocking pool. An async
            // one only makes its coroutine there, which is awaited below, on the loop.
            tokio::task::spawn_blocking(sign)
                .await
                .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))??
        } else {
            off_the_worker(sign)?
        };
        let step = Python::attach(|py| -> PyResult<Step> {
            let (wrapper, out) = (self.wrapper.bind(py), out.into_bound(py));
            if !wrapper.call_method1("is_awaitable", (&out,))?.is_truthy()? {
                return Ok(Step::Signed(out.unbind()));
            }
            Ok(match pyo3_async_runtimes::tokio::into_future(out.clone()) {
                Ok(future) => Step::Await(Box::pin(future)),
                Err(_) => Step::Block(out.unbind()),
            })
        })?;
        let value = match step {
            Step::Signed(value) => value,
            Step::Await(future) => future.await?,
            Step::Block(awaitable) => {
                let wrapper = self.wrapper.clone();
                tokio::task::spawn_blocking(move || {
                    Python::attach(|py| {
                        wrapper.bind(py).call_method1("run_blocking", (awaitable,)).map(Bound::unbind)
                    })
                })
                .await
                .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))??
            }
        };
        Python::attach(|py| signature_of(value.bind(py)))
    }
}

/// Runs `f`, which runs the user's Python (a signer, `on_token`), off the Tokio worker it may be
/// on: the runtime has one worker, and every call in the process waits while it is busy. (On a
/// thread's own runtime, or an event loop's, it runs in place.)
pub fn off_the_worker<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// 65 bytes, or their hex with or without `0x`.
fn signature_of(value: &Bound<'_, PyAny>) -> PyResult<Signature> {
    let bytes: Vec<u8> = if let Ok(b) = value.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(s) = value.cast::<PyString>() {
        let text = s.to_cow()?;
        let text = text.trim();
        hex::decode(text.strip_prefix("0x").unwrap_or(text)).unwrap_or_default()
    } else {
        value.extract::<Vec<u8>>().unwrap_or_default()
    };
    Signature::from_raw(&bytes).map_err(|_| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "a signer must return a 65-byte signature (bytes or hex), not {}",
            value.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })
}

#[async_trait::async_trait]
impl alloy_signer::Signer for PySigner {
    async fn sign_hash(&self, _hash: &B256) -> alloy_signer::Result<Signature> {
        Err(alloy_signer::Error::UnsupportedOperation(alloy_signer::UnsupportedSignerOperation::SignHash))
    }

    async fn sign_message(&self, message: &[u8]) -> alloy_signer::Result<Signature> {
        let text = String::from_utf8_lossy(message).into_owned();
        self.sign_text(text).await.map_err(|e| self.failed(e))
    }

    fn address(&self) -> Address {
        self.address
    }

    fn chain_id(&self) -> Option<ChainId> {
        None
    }

    fn set_chain_id(&mut self, _chain_id: Option<ChainId>) {}
}
