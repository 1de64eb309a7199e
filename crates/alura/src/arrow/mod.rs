//! Answers as Arrow record batches (the `arrow` feature): candles, and any list an operation
//! answers, in the columns data tools (pyarrow, polars, duckdb, DataFusion) take without copying.

mod candles;
mod records;

pub use arrow_array::RecordBatch;
pub use arrow_schema::{DataType, Field, Schema};
pub use records::records_batch;

use serde_json::{Map, Value};

use crate::Client;
use crate::columns::HistoryQuery;
use crate::errors::Result;

impl Client {
    /// Candle history as one record batch: `open_time` (UTC milliseconds) and `open`, `high`,
    /// `low`, `close`, `volume` (doubles); a value the server left out is null.
    pub async fn candles_arrow(&self, query: HistoryQuery) -> Result<RecordBatch> {
        candles::batch(self.candle_columns(query).await?)
    }

    /// What `operation_id` answers, a list of objects (or one under `data`, `items`, ...), as a
    /// record batch: one column per field, in the order the fields first appear, money exact
    /// (see [`records_batch`]).
    pub async fn records_arrow(&self, operation_id: &str, args: Map<String, Value>) -> Result<RecordBatch> {
        let text = self.call(operation_id, args).await?.to_json_text()?;
        records_batch(text.as_bytes()).map_err(|e| crate::Error::decode(format!("{operation_id}: {e}")))
    }
}
