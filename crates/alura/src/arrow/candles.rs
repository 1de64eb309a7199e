//! Candle columns as a record batch, their buffers moved, not copied.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, TimestampMillisecondArray};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, TimeUnit};

use crate::columns::CandleColumns;
use crate::errors::{Error, Result};

const PRICES: [&str; 5] = ["open", "high", "low", "close", "volume"];

pub(super) fn batch(c: CandleColumns) -> Result<RecordBatch> {
    let utc = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
    let mut fields = vec![Field::new("open_time", utc, true)];
    fields.extend(PRICES.iter().map(|name| Field::new(*name, DataType::Float64, true)));
    // Left out by the server: `i64::MIN` and NaN in the columns, null here.
    let times_null = NullBuffer::from_iter(c.open_time.iter().map(|t| *t != i64::MIN));
    let times = TimestampMillisecondArray::new(ScalarBuffer::from(c.open_time), nulls(times_null))
        .with_timezone("UTC");
    let price = |v: Vec<f64>| -> ArrayRef {
        let valid = NullBuffer::from_iter(v.iter().map(|x| !x.is_nan()));
        Arc::new(Float64Array::new(ScalarBuffer::from(v), nulls(valid)))
    };
    let columns = vec![
        Arc::new(times) as ArrayRef,
        price(c.open),
        price(c.high),
        price(c.low),
        price(c.close),
        price(c.volume),
    ];
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(|e| Error::decode(e.to_string()))
}

/// No null buffer when nothing is null: what readers take fastest.
fn nulls(valid: NullBuffer) -> Option<NullBuffer> {
    (valid.null_count() > 0).then_some(valid)
}
