//! `Rfc3339`: a timestamp field of a document, read and written as an RFC 3339 string
//! (`2026-11-23T04:00:00Z`). A malformed one is a deserialisation error at its own field, so
//! the input error names the field and line.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant written as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rfc3339(pub Timestamp);

/// Parses an RFC 3339 timestamp, with a message that says what was expected.
pub fn parse(text: &str) -> Result<Timestamp, String> {
    text.trim().parse::<Timestamp>().map_err(|err| {
        format!("`{text}` is not an RFC 3339 timestamp like 2026-11-23T04:00:00Z ({err})")
    })
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Rfc3339 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Rfc3339 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).map(Rfc3339).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Rfc3339 {
    fn schema_name() -> Cow<'static, str> {
        "Rfc3339".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "date-time" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bad_input() {
        let t: Rfc3339 = serde_json::from_str("\"2026-11-23T04:00:00Z\"").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-23T04:00:00Z\""
        );
        let err = serde_json::from_str::<Rfc3339>("\"yesterday\"").unwrap_err();
        assert!(
            err.to_string().contains("not an RFC 3339 timestamp"),
            "{err}"
        );
    }
}
