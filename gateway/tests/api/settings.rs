//! The shape of the settings: general keys at the top, the rest in sections, each setting's
//! environment variable keeping its one flat name.
use figment::providers::{Format, Toml};
use gateway::settings::Settings;
use std::process::{Command, Output};

#[test]
fn dotted_overrides_reach_their_section_and_keep_its_other_keys() {
    let settings: Settings = Settings::figment()
        .merge(("ws.queue", 7))
        .merge(("limits.send", "5/1s"))
        .merge(("mail.from", "Chat <chat@example.com>"))
        .extract()
        .unwrap();
    assert_eq!(settings.ws.queue.get(), 7);
    assert_eq!(settings.ws.ping_interval_ms.get(), 30_000);
    assert_eq!(settings.limits.send, "5/1s");
    assert_eq!(settings.limits.login, "60/1m");
    assert_eq!(settings.mail.from, "Chat <chat@example.com>");
    assert_eq!(settings.write.batch_max.get(), 1024);
}

#[test]
fn a_file_sets_settings_in_their_sections() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chat.toml");
    std::fs::write(
        &file,
        "port = 4000\n[ws]\nqueue = 8\n[storage]\ns3_bucket = \"files\"\n[write]\nwriters = 2\n",
    )
    .unwrap();
    let settings: Settings = Settings::figment()
        .merge(Toml::file(&file))
        .extract()
        .unwrap();
    assert_eq!(settings.port, 4000);
    assert_eq!(settings.ws.queue.get(), 8);
    assert_eq!(settings.storage.s3_bucket, "files");
    assert_eq!(settings.write.writers.get(), 2);
}

/// `gateway migrate` with `CHAT_*` variables: the variables keep their flat names, each reaching
/// its section, and variables that are not settings are left alone.
fn migrate_with(vars: &[(&str, &str)]) -> Output {
    let data = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_gateway"))
        .arg("migrate")
        .env("CHAT_DATA_DIR", data.path())
        .env("CHAT_SKIP_WEB_BUILD", "1")
        .env("CHAT_NOT_A_SETTING", "whatever")
        .envs(vars.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn sectioned_settings_keep_their_flat_variables() {
    let fine = migrate_with(&[
        ("CHAT_WS_QUEUE", "7"),
        ("CHAT_LIMIT_SEND", "5/1s"),
        ("CHAT_RATE_LIMITS", "off"),
        ("CHAT_S3_BUCKET", "files"),
        ("CHAT_STORAGE_DIR", "/tmp/objects"),
        ("CHAT_MAIL_FROM", "Chat <chat@example.com>"),
        ("CHAT_WRITE_BATCH_MAX", "16"),
    ]);
    let stderr = String::from_utf8_lossy(&fine.stderr);
    assert!(fine.status.success(), "{stderr}");

    let refused = migrate_with(&[("CHAT_WS_QUEUE", "0")]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("CHAT_WS_QUEUE"), "{stderr}");
}

/// A file may name a setting the way its variable does (API.md §6: in lower case, at the top)
/// or in its section; a flat key reaches its section (a bad value there is refused), and a
/// misspelt key stops the start naming it.
#[test]
fn a_settings_file_takes_flat_and_sectioned_keys_and_refuses_unknown_ones() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let flat = write(
        "flat.toml",
        "ws_queue = 8\nlimit_send = \"5/1s\"\nmail_from = \"A <a@example.com>\"\n[write]\nwriters = 2\n",
    );
    let fine = migrate_with(&[("CHAT_CONFIG", &flat)]);
    assert!(
        fine.status.success(),
        "{}",
        String::from_utf8_lossy(&fine.stderr)
    );

    let zero = write("zero.toml", "ws_queue = 0\n");
    let refused = migrate_with(&[("CHAT_CONFIG", &zero)]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("queue"), "{stderr}");

    let misspelt = write("misspelt.toml", "[limits]\nsned = \"1/1s\"\n");
    let refused = migrate_with(&[("CHAT_CONFIG", &misspelt)]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("sned"), "{stderr}");
}
