//! Columns in Arrow: `candlesArrow` and `recordsArrow`, as Arrow IPC bytes for `tableFromIPC`
//! (the bytes are `to_js/arrow.rs`).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::client::{NativeClient, history_query};
use crate::completion;
use crate::errors::guarded;
use crate::from_js::NativeHistoryQuery;
use crate::from_js::args_of;
use crate::options::RequestOptions;

#[napi]
impl NativeClient {
    /// Candle history as one Arrow record batch, in IPC stream bytes (`tableFromIPC`).
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn candles_arrow(
        &self,
        env: Env,
        query: NativeHistoryQuery,
        options: Option<RequestOptions>,
    ) -> Result<Unknown<'static>> {
        let query = history_query(query)?;
        let (client, log) = (self.for_call(options)?, self.log.clone());
        let work = guarded(async move {
            let batch = client.candles_arrow(query).await?;
            crate::to_js::arrow::ipc(&batch).map(Buffer::from)
        });
        completion::spawn(&env, self.client.reports_sockets(), async move { log.scope(work).await })
    }

    /// What `operation` answers (a list of objects) as one Arrow record batch, money exact, in
    /// IPC stream bytes.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn records_arrow(
        &self,
        env: Env,
        operation: String,
        args: Option<Value>,
        options: Option<RequestOptions>,
    ) -> Result<Unknown<'static>> {
        let args = args_of(args)?;
        let (client, log) = (self.for_call(options)?, self.log.clone());
        let work = guarded(async move {
            let batch = client.records_arrow(&operation, args).await?;
            crate::to_js::arrow::ipc(&batch).map(Buffer::from)
        });
        completion::spawn(&env, self.client.reports_sockets(), async move { log.scope(work).await })
    }
}
