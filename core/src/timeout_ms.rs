//! Timeout keys as config.toml writes them (`*_timeout_ms`): a whole number of milliseconds greater than
//! zero. Anything else (a string, a fraction, zero, a negative number) is refused with what was expected.

use std::fmt;

use serde::Deserializer;
use serde::de;
use serde::de::Unexpected;
use serde::de::Visitor;

/// `#[serde(default, deserialize_with = "crate::timeout_ms::deserialize")]` for an `Option<u64>` key.
pub(crate) fn deserialize<'de, D>(deserializer: D) -> Result<Option<u64>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_u64(TimeoutMsVisitor).map(Some)
}

struct TimeoutMsVisitor;

impl Visitor<'_> for TimeoutMsVisitor {
    type Value = u64;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a whole number of milliseconds greater than 0")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<u64, E> {
        if value == 0 {
            return Err(E::invalid_value(Unexpected::Unsigned(value), &self));
        }
        Ok(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<u64, E> {
        match u64::try_from(value) {
            Ok(value) => self.visit_u64(value),
            Err(_) => Err(E::invalid_value(Unexpected::Signed(value), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Keys {
        #[serde(default, deserialize_with = "super::deserialize")]
        timeout_ms: Option<u64>,
    }

    fn parse(text: &str) -> Result<Option<u64>, String> {
        toml::from_str::<Keys>(text)
            .map(|keys| keys.timeout_ms)
            .map_err(|err| err.message().to_string())
    }

    #[test]
    fn accepts_positive_whole_milliseconds_and_absence() {
        assert_eq!(parse("timeout_ms = 300"), Ok(Some(300)));
        assert_eq!(parse(""), Ok(None));
    }

    #[test]
    fn refuses_zero_negative_fractional_and_text_values() {
        let expected = "expected a whole number of milliseconds greater than 0";
        assert_eq!(
            parse("timeout_ms = 0"),
            Err(format!("invalid value: integer `0`, {expected}"))
        );
        assert_eq!(
            parse("timeout_ms = -5"),
            Err(format!("invalid value: integer `-5`, {expected}"))
        );
        assert_eq!(
            parse("timeout_ms = 1.5"),
            Err(format!("invalid type: floating point `1.5`, {expected}"))
        );
        assert_eq!(
            parse("timeout_ms = \"15s\""),
            Err(format!("invalid type: string \"15s\", {expected}"))
        );
    }
}
