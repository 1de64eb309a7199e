//! A JSON list of objects as a record batch, its money exact.
//!
//! Column types come from the values, as a reader expects of a table:
//! - money (a field the spec types as a decimal, [`DECIMAL_FIELDS`]) whose values are numbers or
//!   numeric strings: `Decimal128(38, s)` at the largest scale seen, the server's own digits;
//!   their digits as text when they do not fit;
//! - whole numbers: `Int64`; other numbers: `Float64`; `true`/`false`: `Boolean`;
//! - anything else (strings, mixed kinds, nested objects and lists): `Utf8`, nested values as
//!   their JSON text.
//!
//! A field an object lacks, or `null`, is null. Columns come in the order fields first appear.

// Values come from servers: no arithmetic that can overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::str::FromStr;
use std::sync::Arc;

use alura_api::RawEntries;
use alura_api::operations::DECIMAL_FIELDS;
use arrow_array::{
    ArrayRef, BooleanArray, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{Field, Schema};
use serde_json::value::RawValue;

use crate::Decimal;
use crate::columns::ENVELOPE_KEYS;

/// `json` (a list of objects, or an object holding one under `data`, `items`, `candles` or
/// `result`) as one record batch.
pub fn records_batch(json: &[u8]) -> Result<RecordBatch, String> {
    let top: &RawValue = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    let list: Vec<&RawValue> = match serde_json::from_str(top.get()) {
        Ok(list) => list,
        Err(_) => {
            let RawEntries(entries) =
                serde_json::from_str(top.get()).map_err(|_| "not a list, nor an object".to_owned())?;
            let found = entries
                .into_iter()
                .find(|(k, v)| ENVELOPE_KEYS.contains(&k.as_str()) && v.get().starts_with('['));
            let (_, list) = found.ok_or_else(|| format!("no list under {}", ENVELOPE_KEYS.join(", ")))?;
            serde_json::from_str(list.get()).map_err(|e| e.to_string())?
        }
    };
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<(String, &RawValue)>> = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let RawEntries(entries) =
            serde_json::from_str(item.get()).map_err(|_| format!("item {i} is not an object"))?;
        for (name, _) in &entries {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        rows.push(entries);
    }
    let mut fields = Vec::with_capacity(names.len());
    let mut columns = Vec::with_capacity(names.len());
    for name in names {
        let values: Vec<Option<&RawValue>> = rows
            .iter()
            .map(|row| row.iter().find(|(k, _)| *k == name).map(|(_, v)| *v).filter(|v| v.get() != "null"))
            .collect();
        let column = column(&values, DECIMAL_FIELDS.binary_search(&name.as_str()).is_ok());
        fields.push(Field::new(name, column.data_type().clone(), true));
        columns.push(column);
    }
    let schema = Arc::new(Schema::new(fields));
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows.len()));
    RecordBatch::try_new_with_options(schema, columns, &options).map_err(|e| e.to_string())
}

/// One column, its type read from its values.
fn column(values: &[Option<&RawValue>], money: bool) -> ArrayRef {
    let present = || values.iter().flatten().map(|v| v.get());
    let number = |t: &str| t.starts_with(|c: char| c == '-' || c.is_ascii_digit());
    if money {
        // Exact, or as the server's text: money never becomes a double here.
        let decimals = present().all(|t| number(t) || numeric_string(t)).then(|| decimals(values)).flatten();
        return decimals
            .unwrap_or_else(|| Arc::new(values.iter().map(|v| v.map(text)).collect::<StringArray>()));
    }
    if present().next().is_some() && present().all(|t| t == "true" || t == "false") {
        return Arc::new(values.iter().map(|v| v.map(|v| v.get() == "true")).collect::<BooleanArray>());
    }
    if present().next().is_some() && present().all(number) {
        let ints: Option<Vec<Option<i64>>> =
            values.iter().map(|v| v.map_or(Some(None), |v| v.get().parse().ok().map(Some))).collect();
        if let Some(ints) = ints {
            return Arc::new(Int64Array::from(ints));
        }
        let floats: Option<Vec<Option<f64>>> =
            values.iter().map(|v| v.map_or(Some(None), |v| v.get().parse().ok().map(Some))).collect();
        if let Some(floats) = floats {
            return Arc::new(Float64Array::from(floats));
        }
    }
    Arc::new(values.iter().map(|v| v.map(text)).collect::<StringArray>())
}

/// A JSON string holding a number (`"101.50"`, as TypeORM serves numerics).
fn numeric_string(raw: &str) -> bool {
    serde_json::from_str::<&str>(raw).is_ok_and(|s| Decimal::from_str(s.trim()).is_ok())
}

/// The first number with 39 digits: `Decimal128(38, _)` holds those below.
const DIGITS_38: u128 = 10u128.pow(38);

/// Money as `Decimal128(38, s)`, `s` the largest scale among the values; `None` when a value is
/// not a decimal or does not fit.
fn decimals(values: &[Option<&RawValue>]) -> Option<ArrayRef> {
    let parsed: Option<Vec<Option<Decimal>>> = values
        .iter()
        .map(|v| match v {
            None => Some(None),
            Some(v) => Decimal::from_str(text(v).trim()).ok().map(Some),
        })
        .collect();
    let parsed = parsed?;
    let scale = parsed.iter().flatten().map(|d| d.scale()).max().unwrap_or(0);
    let scaled: Option<Vec<Option<i128>>> = parsed
        .iter()
        .map(|d| match d {
            None => Some(None),
            Some(d) => {
                let up = 10i128.checked_pow(scale.checked_sub(d.scale())?)?;
                d.mantissa().checked_mul(up).filter(|m| m.unsigned_abs() < DIGITS_38).map(Some)
            }
        })
        .collect();
    let array =
        Decimal128Array::from(scaled?).with_precision_and_scale(38, i8::try_from(scale).ok()?).ok()?;
    Some(Arc::new(array))
}

/// A value as text: a string's contents, anything else as its JSON.
fn text(raw: &RawValue) -> String {
    serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned())
}
