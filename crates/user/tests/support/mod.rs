//! Builds a `SeaUserService` on a fresh database, with the gateway's real stores (Redis when
//! `TEST_REDIS_URL` is set, else in-process) and an outbox standing in for the SMTP server.
#![allow(dead_code)]

use adapters::ephemeral::{MemoryStore, RedisStore};
use std::sync::Arc;

use test_support::{TestDb, fresh_db, unique};
use user::{
    Captcha, CaptchaTimes, Email, EphemeralStore, LoginLimits, ManualClock, NickName, Password,
    Profile, RegisterInput, SeaUserService, UserConfig, UserService, Username,
};

pub use adapters::mail::Outbox;

/// The codes in the outbox's mail.
#[allow(async_fn_in_trait)] // used in these tests only, never boxed
pub trait Codes {
    /// The code of the `nth` mail to `to` (counting from 1), once it has been sent.
    async fn nth_code_for(&self, to: &str, nth: usize) -> String;
    /// The code of the newest mail to `to`.
    fn code_for(&self, to: &str) -> String;
}

impl Codes for Outbox {
    async fn nth_code_for(&self, to: &str, nth: usize) -> String {
        six_digits(&self.nth_to(to, nth).await.body).expect("no code in the mail")
    }

    fn code_for(&self, to: &str) -> String {
        let mail = self.newest_to(to).expect("no mail to that address");
        six_digits(&mail.body).expect("no code in the mail")
    }
}

pub fn six_digits(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .map(str::to_owned)
}

pub struct Harness {
    pub service: SeaUserService,
    pub outbox: Arc<Outbox>,
    pub db: TestDb,
}

pub fn test_config() -> UserConfig {
    UserConfig {
        bcrypt_cost: 4,
        captcha: CaptchaTimes::default(),
        login_limits: LoginLimits::default(),
    }
}

pub async fn harness() -> Harness {
    harness_with(test_config()).await
}

pub async fn harness_with(config: UserConfig) -> Harness {
    let store: Arc<dyn EphemeralStore> = match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => {
            let pool = deadpool_redis::Config::from_url(url)
                .create_pool(Some(deadpool_redis::Runtime::Tokio1))
                .expect("redis pool");
            Arc::new(RedisStore::new(pool, &unique("test:")))
        }
        _ => Arc::new(MemoryStore::default()),
    };
    harness_with_store(config, store).await
}

/// A harness whose codes live in an in-process store on `clock`, whatever `TEST_REDIS_URL`
/// says: Redis expires keys by its own clock, which a test cannot move.
pub async fn harness_with_clock(config: UserConfig, clock: Arc<ManualClock>) -> Harness {
    harness_with_store(config, Arc::new(MemoryStore::with_clock(clock))).await
}

async fn harness_with_store(config: UserConfig, store: Arc<dyn EphemeralStore>) -> Harness {
    let db = fresh_db().await.expect("database");
    let outbox = Arc::new(Outbox::default());
    let service = SeaUserService::new(db.conn.clone(), config, store, outbox.clone());
    Harness {
        service,
        outbox,
        db,
    }
}

pub fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

pub fn captcha(raw: &str) -> Captcha {
    Captcha::parse(raw).unwrap()
}

pub fn register_input(username: &str, address: &str, code: &str) -> RegisterInput {
    RegisterInput {
        username: Username::parse(username).unwrap(),
        nick_name: NickName::parse(&format!("Nick {username}")).unwrap(),
        password: Password::parse("secret-pw").unwrap(),
        email: email(address),
        captcha: captcha(code),
    }
}

/// A well-formed code that is certainly not `code`.
pub fn other_code(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

impl Harness {
    /// Asks for a password-reset code for `address` and waits for its mail.
    pub async fn reset_code(&self, address: &str) -> String {
        let before = self.outbox.count_to(address);
        self.service
            .send_reset_captcha(&Email::parse(address).unwrap())
            .await
            .unwrap();
        self.outbox.nth_code_for(address, before + 1).await
    }

    /// A new address (`<prefix>…@example.com`) and the register code mailed to it.
    pub async fn register_code(&self, prefix: &str) -> (String, String) {
        let address = format!("{}@example.com", name(prefix));
        self.service
            .send_register_captcha(&email(&address))
            .await
            .unwrap();
        let code = self.outbox.code_for(&address);
        (address, code)
    }

    /// Registers a new user through the real captcha flow; returns the profile.
    pub async fn register(&self, username: &str) -> Profile {
        let address = format!("{}@example.com", username.to_lowercase());
        self.service
            .send_register_captcha(&email(&address))
            .await
            .unwrap();
        let code = self.outbox.code_for(&address);
        self.service
            .register(register_input(username, &address, &code))
            .await
            .unwrap()
    }
}

pub fn name(prefix: &str) -> String {
    unique(prefix)
}
