//! The value types settings are read into: each refuses what cannot work, naming why.
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// A token bucket's burst: at least one frame, or nothing could ever pass. A smaller value is a
/// start-up error naming the setting, not a silent correction.
#[derive(Clone, Copy, Debug)]
pub struct Burst(pub f64);

impl<'de> Deserialize<'de> for Burst {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let burst = f64::deserialize(deserializer)?;
        if burst.is_finite() && burst >= 1.0 {
            Ok(Self(burst))
        } else {
            Err(D::Error::custom(format!(
                "{burst} is not a burst: it must be 1 or more"
            )))
        }
    }
}

/// How long an upload URL lives, in seconds: from 1 s to 7 days (what S3 presigning allows).
#[derive(Clone, Copy, Debug)]
pub struct UploadTtl(pub u32);

impl<'de> Deserialize<'de> for UploadTtl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const WEEK: u32 = 7 * 24 * 3600;
        let secs = u32::deserialize(deserializer)?;
        if (1..=WEEK).contains(&secs) {
            Ok(Self(secs))
        } else {
            Err(D::Error::custom(format!(
                "{secs} s is not from 1 s to 7 days ({WEEK} s)"
            )))
        }
    }
}

/// A secret: never printed, and read leniently (an all-digit secret from the environment is
/// still a string).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Scalar {
            Text(String),
            Int(i64),
            Float(f64),
        }
        Ok(Secret(match Scalar::deserialize(deserializer)? {
            Scalar::Text(text) => text,
            Scalar::Int(int) => int.to_string(),
            Scalar::Float(float) => float.to_string(),
        }))
    }
}

/// `on`/`off` (also `true`/`false`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Switch(pub bool);

impl<'de> Deserialize<'de> for Switch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Int(i64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Bool(on) => Ok(Switch(on)),
            Raw::Int(number) => Ok(Switch(number != 0)),
            Raw::Text(text) => match text.to_ascii_lowercase().as_str() {
                "on" | "true" | "1" => Ok(Switch(true)),
                "off" | "false" | "0" => Ok(Switch(false)),
                other => Err(serde::de::Error::custom(format!(
                    "expected on or off, found {other:?}"
                ))),
            },
        }
    }
}
