//! A long answer handed to JS the moment it is read, so that V8's `JSON.parse` runs on the JS
//! thread while the core checks the same bytes against the schema on a Tokio thread (Python's
//! `early.rs` does the same with a thread of its own). The caller gets `{early, check}`: the
//! body's text, and a Promise of `null` when the checked answer is that text, or of the text to
//! use instead; a failed check rejects it.

use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use napi::bindgen_prelude::*;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use crate::abort::Abort;
use crate::errors::{aborted, guarded, to_js};
use crate::{completion, logging};

type Check = Pin<Box<dyn Future<Output = Result<Option<String>>> + Send>>;

/// What a call resolves to.
pub enum Answer {
    /// The answer, checked.
    Text(String),
    /// The body as read (UTF-8), with its check still running.
    Early { body: Bytes, check: Check },
}

/// Aborts the call's task when dropped: a caller whose AbortSignal fired stops the call, before
/// the early answer or during its check, as it would one run in its own future.
struct Running(tokio::task::JoinHandle<alura::Result<alura::Reply>>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Running {
    async fn reply(&mut self) -> alura::Result<alura::Reply> {
        match (&mut self.0).await {
            Ok(reply) => reply,
            Err(e) if e.is_panic() => Err(alura::Error::from_panic(&*e.into_panic())),
            // Only `Running`'s own drop cancels the task, and then nobody awaits it.
            Err(e) => Err(alura::Error::Internal { message: format!("the call's task ended: {e}") }),
        }
    }
}

/// Calls `operation`, answering early when its body is long. The call runs as a task of its
/// own: the schema check that follows the read then runs there, not inside this future's poll,
/// which is woken as soon as the body is read.
pub async fn answer(
    client: alura::Client,
    log: logging::ClientLog,
    operation: String,
    args: Map<String, Value>,
    abort: Option<Arc<Abort>>,
) -> alura::Result<Answer> {
    let (tx, rx) = oneshot::channel::<Bytes>();
    let tx = Mutex::new(Some(tx));
    let observer = move |body: &Bytes| {
        if body.len() >= alura::LONG_ANSWER_BYTES
            && std::str::from_utf8(body).is_ok()
            && let Some(tx) = tx.lock().unwrap_or_else(|p| p.into_inner()).take()
        {
            let _ = tx.send(body.clone());
        }
    };
    let scoped = log.clone();
    let mut call = Running(tokio::spawn(async move {
        scoped.scope(client.call_observing(&operation, args, observer)).await
    }));
    tokio::select! {
        biased;
        Ok(body) = rx => {
            let early = body.clone();
            let checked = guarded(async move {
                let reply = call.reply().await?;
                if reply.is_exactly(&early)? { Ok(None) } else { reply.to_json_text().map(Some) }
            });
            // The caller's AbortSignal still holds while the check runs: dropping `checked` drops
            // the call's task.
            let check = async move {
                let Some(abort) = abort else { return checked.await };
                tokio::select! {
                    out = checked => out,
                    _ = abort.fired() => Err(aborted(None)),
                }
            };
            Ok(Answer::Early { body, check: Box::pin(check) })
        }
        reply = call.reply() => Ok(Answer::Text(reply?.to_json_text()?)),
    }
}

impl ToNapiValue for Answer {
    unsafe fn to_napi_value(env: sys::napi_env, answer: Self) -> Result<sys::napi_value> {
        let (body, check) = match answer {
            Answer::Text(text) => return unsafe { String::to_napi_value(env, text) },
            Answer::Early { body, check } => (body, check),
        };
        // What can fail here is V8 refusing a string that long (about 512 MiB, past a raised
        // `maxResponseBytes`): an answer JS cannot hold.
        let status = |code: sys::napi_status, what: &str| {
            if code == sys::Status::napi_ok {
                Ok(())
            } else {
                Err(to_js(alura::Error::decode(format!("{what}: an answer of {} bytes", body.len()))))
            }
        };
        let (mut object, mut text) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: on the JS thread (settled there), with a live env; the body is UTF-8, checked
        // when it was read, and V8 copies it into its own string here: the one move of the bytes.
        unsafe {
            status(sys::napi_create_object(env, &mut object), "making the answer")?;
            status(
                sys::napi_create_string_utf8(env, body.as_ptr().cast(), body.len() as isize, &mut text),
                "handing the body over",
            )?;
            status(
                sys::napi_set_named_property(env, object, c"early".as_ptr(), text),
                "handing the body over",
            )?;
            // Last, after everything that can fail but the one step after it: a promise made here
            // is handed over.
            let promise = completion::spawn(&Env::from_raw(env), false, check)?;
            status(sys::napi_set_named_property(env, object, c"check".as_ptr(), promise.raw()), "the check")?;
        }
        Ok(object)
    }
}
