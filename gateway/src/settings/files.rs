//! Settings files. API.md lets a file name every setting the way its variable does, in lower
//! case at the top level (`ws_queue = 2048`, `mail_from = "…"`); the sections (`[ws] queue`)
//! are the other spelling. A file is read with each flat key moved to its section, so both
//! work; giving one setting both ways in one file is an error naming both.
use super::env::SECTIONED;
use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};

/// A provider (a TOML file) whose flat keys are moved to their sections.
pub(super) struct FlatKeys<P>(pub P);

impl<P: Provider> Provider for FlatKeys<P> {
    fn metadata(&self) -> Metadata {
        self.0.metadata()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut data = self.0.data()?;
        for dict in data.values_mut() {
            nest(dict).map_err(figment::Error::from)?;
        }
        Ok(data)
    }
}

fn nest(dict: &mut Dict) -> Result<(), String> {
    for (flat, path) in SECTIONED {
        let Some(value) = dict.remove(*flat) else {
            continue;
        };
        let (section, key) = path.split_once('.').unwrap_or(("", path));
        let entry = dict
            .entry(section.to_owned())
            .or_insert_with(|| Value::from(Dict::new()));
        let Value::Dict(_, keys) = entry else {
            return Err(format!("[{section}] must be a table of settings"));
        };
        if keys.contains_key(key) {
            return Err(format!(
                "{flat} and [{section}] {key} are one setting: give it once"
            ));
        }
        keys.insert(key.to_owned(), value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::FlatKeys;
    use crate::settings::Settings;
    use figment::providers::{Format, Toml};

    #[test]
    fn flat_and_sectioned_keys_both_reach_their_section() {
        let file = "mail_from = \"A <a@example.com>\"\nrate_limits = \"off\"\n[ws]\nqueue = 9\n";
        let settings: Settings = Settings::figment()
            .merge(FlatKeys(Toml::string(file)))
            .extract()
            .unwrap();
        assert_eq!(settings.mail.from, "A <a@example.com>");
        assert!(!settings.limits.rate_limits.0);
        assert_eq!(settings.ws.queue.get(), 9);
    }

    #[test]
    fn one_setting_given_both_ways_is_refused() {
        let file = "ws_queue = 8\n[ws]\nqueue = 9\n";
        let err = Settings::figment()
            .merge(FlatKeys(Toml::string(file)))
            .extract::<Settings>()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ws_queue") && err.contains("[ws] queue"),
            "{err}"
        );
    }
}
