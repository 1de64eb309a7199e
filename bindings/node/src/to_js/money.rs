//! Money as exact strings for JavaScript. V8's `JSON.parse` makes every number a double, so
//! `66406.3078942512` may come back as another number and `"10000.000000"` (TypeORM) as a
//! string: before the answer's text reaches `JSON.parse`, each value of a money field
//! ([`alura_api::operations::DECIMAL_FIELDS`]) that is a number is written as a string of its own
//! digits. Everything else is copied as it is (numbers as their nearest double's shortest text,
//! which `JSON.parse` reads as the same double).

use std::fmt::Write as _;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// How money fields come out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Money {
    /// Numbers as strings of their digits (the default).
    Strings,
    /// Numeric strings (TypeORM's) as numbers, for `money: 'number'`.
    Numbers,
}

/// `json` with the money fields as `money` says.
pub fn rewrite(json: &[u8], money: Money) -> Result<String, serde_json::Error> {
    let mut out = String::with_capacity(json.len().saturating_add(64));
    let mut de = serde_json::Deserializer::from_slice(json);
    Copy { out: &mut out, money }.deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

fn is_money(key: &str) -> bool {
    alura_api::operations::DECIMAL_FIELDS.binary_search(&key).is_ok()
}

/// Copies one JSON value into `out`.
struct Copy<'o> {
    out: &'o mut String,
    money: Money,
}

impl<'de> DeserializeSeed<'de> for Copy<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Copy<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        write!(self.out, "{v}").map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        write!(self.out, "{v}").map_err(E::custom)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        let text = serde_json::to_string(&v).map_err(E::custom)?;
        self.out.push_str(&text);
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        let text = serde_json::to_string(v).map_err(E::custom)?;
        self.out.push_str(&text);
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.push_str("null");
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push('[');
        let mut first = true;
        loop {
            let at = self.out.len();
            if !first {
                self.out.push(',');
            }
            if seq.next_element_seed(Copy { out: &mut *self.out, money: self.money })?.is_none() {
                self.out.truncate(at);
                break;
            }
            first = false;
        }
        self.out.push(']');
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push('{');
        let mut first = true;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if !first {
                self.out.push(',');
            }
            first = false;
            let text = serde_json::to_string(&key).map_err(de::Error::custom)?;
            self.out.push_str(&text);
            self.out.push(':');
            if is_money(&key) {
                let raw = map.next_value::<Box<RawValue>>()?;
                let raw = raw.get();
                let number = raw.starts_with(|c: char| c == '-' || c.is_ascii_digit());
                match self.money {
                    // A JSON number's text needs no escaping inside quotes.
                    Money::Strings if number => write!(self.out, "\"{raw}\"").map_err(de::Error::custom)?,
                    Money::Numbers if raw.starts_with('"') => {
                        let text: String = serde_json::from_str(raw).map_err(de::Error::custom)?;
                        match text.trim().parse::<alura_api::Decimal>() {
                            Ok(_) => self.out.push_str(text.trim()),
                            Err(_) => self.out.push_str(raw),
                        }
                    }
                    _ => self.out.push_str(raw),
                }
            } else {
                map.next_value_seed(Copy { out: &mut *self.out, money: self.money })?;
            }
        }
        self.out.push('}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_numbers_become_strings_of_their_digits_and_the_rest_is_kept() {
        let json = br#"{"budget":100.10,"balance":"10000.000000","pnl":null,"size":1e-7,"id":"a\"b","n":1.5,"list":[{"entryPrice":66406.3078942512,"assetIndex":0}],"big":12345678901234567890}"#;
        let out = super::rewrite(json, super::Money::Strings).unwrap();
        assert_eq!(
            out,
            r#"{"budget":"100.10","balance":"10000.000000","pnl":null,"size":"1e-7","id":"a\"b","n":1.5,"list":[{"entryPrice":"66406.3078942512","assetIndex":0}],"big":12345678901234567890}"#
        );
        assert_eq!(super::rewrite(b"[]", super::Money::Strings).unwrap(), "[]");
        assert!(super::rewrite(b"{\"budget\":1", super::Money::Strings).is_err());
        let numbers =
            super::rewrite(br#"{"balance":"10000.000000","pnl":"n/a","budget":5}"#, super::Money::Numbers)
                .unwrap();
        assert_eq!(numbers, r#"{"balance":10000.000000,"pnl":"n/a","budget":5}"#);
    }
}
