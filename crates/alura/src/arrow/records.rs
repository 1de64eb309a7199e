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

use std::collections::HashMap;
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
            let found = entries.into_iter().find(|(k, _)| ENVELOPE_KEYS.contains(&k.as_str()));
            match found {
                Some((_, list)) if list.get() == "null" => Vec::new(),
                Some((key, list)) => {
                    serde_json::from_str(list.get()).map_err(|_| format!("{key} is not a list"))?
                }
                None => return Err(format!("no list under {}", ENVELOPE_KEYS.join(", "))),
            }
        }
    };
    // One pass: each field's column found by name, each column padded with nulls to its row.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut values: Vec<Vec<Option<&RawValue>>> = Vec::new();
    for (row, item) in list.iter().enumerate() {
        if item.get() == "null" {
            continue;
        }
        let RawEntries(entries) =
            serde_json::from_str(item.get()).map_err(|_| format!("item {row} is not an object"))?;
        for (name, value) in entries {
            let column = match index.get(&name) {
                Some(column) => *column,
                None => {
                    if names.len() >= MAX_COLUMNS {
                        return Err(format!("more than {MAX_COLUMNS} fields: not a table"));
                    }
                    index.insert(name.clone(), names.len());
                    names.push(name);
                    values.push(Vec::new());
                    names.len().saturating_sub(1)
                }
            };
            let cells = &mut values[column];
            cells.resize(row, None);
            cells.push(Some(value).filter(|v| v.get() != "null"));
        }
    }
    let mut fields = Vec::with_capacity(names.len());
    let mut columns = Vec::with_capacity(names.len());
    for (name, mut cells) in names.into_iter().zip(values) {
        cells.resize(list.len(), None);
        let column = column(&cells, DECIMAL_FIELDS.binary_search(&name.as_str()).is_ok());
        fields.push(Field::new(name, column.data_type().clone(), true));
        columns.push(column);
    }
    let schema = Arc::new(Schema::new(fields));
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(list.len()));
    RecordBatch::try_new_with_options(schema, columns, &options).map_err(|e| e.to_string())
}

/// The most fields a list may have: an answer keyed by ids is not a table, and would make a
/// column per id.
const MAX_COLUMNS: usize = 1_000;

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
        let written_as_float = present().any(|t| t.contains(['.', 'e', 'E']));
        if !written_as_float {
            // Whole numbers past i64 (ids, wei) stay their text, not a double.
            let ints: Option<Vec<Option<i64>>> =
                values.iter().map(|v| v.map_or(Some(None), |v| v.get().parse().ok().map(Some))).collect();
            if let Some(ints) = ints {
                return Arc::new(Int64Array::from(ints));
            }
        } else {
            let floats: Option<Vec<Option<f64>>> =
                values.iter().map(|v| v.map_or(Some(None), |v| v.get().parse().ok().map(Some))).collect();
            if let Some(floats) = floats {
                return Arc::new(Float64Array::from(floats));
            }
        }
    }
    Arc::new(values.iter().map(|v| v.map(text)).collect::<StringArray>())
}

/// A JSON string holding a number (`"101.50"`, as TypeORM serves numerics).
fn numeric_string(raw: &str) -> bool {
    serde_json::from_str::<&str>(raw).is_ok_and(|s| exact(s).is_some())
}

/// A decimal with exactly the digits written; `None` for one that would be rounded (more than
/// 28 significant digits) or that is not a plain decimal: such money stays text.
fn exact(text: &str) -> Option<Decimal> {
    alura_api::rust_decimal::Decimal::from_str_exact(text.trim()).ok().map(Decimal::from)
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
            Some(v) => exact(&text(v)).map(Some),
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
