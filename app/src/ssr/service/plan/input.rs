//! Parsing of plan input shared by every plan resource: targets in minutes, short and long texts,
//! and PATCH fields that distinguish "absent" from "set to null".
use serde::{Deserialize, Deserializer};

use crate::domain::input::Name;
use crate::ssr::service::Fields;

/// `Some(None)` for an explicit `null`, `None` when the field is absent (with `#[serde(default)]`).
pub fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// One year, in minutes: no RTO or RPO beyond that means anything.
pub const MAX_MINUTES: i64 = 525_600;

pub fn target(f: &mut Fields, field: &str, v: Option<i64>) -> Option<i32> {
    let v = v?;
    f.take(
        field,
        if (1..=MAX_MINUTES).contains(&v) {
            Ok(v as i32)
        } else {
            Err("must be between 1 minute and 1 year (525600)")
        },
    )
}

pub fn name(f: &mut Fields, field: &str, v: &str) -> Option<String> {
    f.take(field, Name::parse(v).map(Name::into_string))
}

/// Free text: at most 10,000 characters.
pub fn long_text(f: &mut Fields, field: &str, v: String) -> Option<String> {
    f.take(
        field,
        if v.chars().count() <= 10_000 {
            Ok(v)
        } else {
            Err("must be at most 10000 characters")
        },
    )
}

/// A short free-text line (phone numbers, places): at most 500 characters, no line breaks.
pub fn line(f: &mut Fields, field: &str, v: String) -> Option<String> {
    let v = v.trim().to_string();
    f.take(
        field,
        if v.chars().count() > 500 {
            Err("must be at most 500 characters")
        } else if v.contains(['\n', '\r']) {
            Err("must be one line")
        } else {
            Ok(v)
        },
    )
}

/// A phone number as people write them: digits with spaces, +, -, dots, parentheses.
pub fn phone(f: &mut Fields, field: &str, v: String) -> Option<String> {
    let v = v.trim().to_string();
    let ok = v.is_empty()
        || (v.chars().count() <= 32
            && v.chars().any(|c| c.is_ascii_digit())
            && v.chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c)));
    f.take(
        field,
        if ok {
            Ok(v)
        } else {
            Err("is not a phone number")
        },
    )
}

/// An optional e-mail address: empty, or a valid address (stored lower-case).
pub fn optional_email(f: &mut Fields, field: &str, v: String) -> Option<String> {
    if v.trim().is_empty() {
        return Some(String::new());
    }
    f.take(
        field,
        crate::domain::input::Email::parse(&v).map(|e| e.as_str().to_string()),
    )
}
