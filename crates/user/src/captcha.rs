//! E-mailed six-digit codes: single use, five wrong tries, one send per address and flow per
//! interval, keyed by the normalised address.
use crate::error::UserError;
use crate::ports::{EphemeralStore, Mail, Mailer};
use crate::types::{Captcha, Email};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;

const MAX_WRONG_TRIES: u64 = 5;
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Which form a code unlocks; each flow has its own codes and its own send interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptchaFlow {
    Register,
    Update,
    ResetPassword,
}

impl CaptchaFlow {
    fn key(self) -> &'static str {
        match self {
            CaptchaFlow::Register => "register",
            CaptchaFlow::Update => "update",
            CaptchaFlow::ResetPassword => "reset",
        }
    }

    fn mail(self, to: &Email, code: &str, ttl: Duration) -> Mail {
        let (subject, purpose) = match self {
            CaptchaFlow::Register => ("Your registration code", "finish signing up"),
            CaptchaFlow::Update => ("Your profile change code", "change your profile"),
            CaptchaFlow::ResetPassword => ("Your password reset code", "set a new password"),
        };
        let minutes = ttl.as_secs().div_ceil(60);
        Mail {
            to: to.as_str().to_owned(),
            subject: subject.to_owned(),
            // Short lines: SMTP then sends the text as it is, never re-encoded around the code.
            body: format!(
                "Your code: {code}\n\nUse it to {purpose}; it expires in {minutes} minutes.\n\
                 If you did not ask for it, ignore this mail.\n"
            ),
        }
    }
}

/// How long codes live, how often an address may get one, and how many wrong password-reset
/// codes an address may try in a day.
#[derive(Clone, Copy, Debug)]
pub struct CaptchaTimes {
    pub register_ttl: Duration,
    pub update_ttl: Duration,
    pub reset_ttl: Duration,
    pub send_interval: Duration,
    /// Across all codes: a new code resets a code's own tries, never this (API.md §6).
    pub reset_wrong_tries_per_day: u64,
}

impl Default for CaptchaTimes {
    fn default() -> Self {
        Self {
            register_ttl: Duration::from_secs(300),
            update_ttl: Duration::from_secs(600),
            reset_ttl: Duration::from_secs(300),
            send_interval: Duration::from_secs(60),
            reset_wrong_tries_per_day: 20,
        }
    }
}

impl CaptchaTimes {
    fn ttl(&self, flow: CaptchaFlow) -> Duration {
        match flow {
            CaptchaFlow::Register => self.register_ttl,
            CaptchaFlow::Update => self.update_ttl,
            CaptchaFlow::ResetPassword => self.reset_ttl,
        }
    }
}

/// Issues and checks codes; cheap to clone.
#[derive(Clone)]
pub struct Captchas {
    store: Arc<dyn EphemeralStore>,
    mailer: Arc<dyn Mailer>,
    times: CaptchaTimes,
}

impl Captchas {
    pub fn new(
        store: Arc<dyn EphemeralStore>,
        mailer: Arc<dyn Mailer>,
        times: CaptchaTimes,
    ) -> Self {
        Self {
            store,
            mailer,
            times,
        }
    }

    /// Claims the send slot of this address and flow, or says how long until the next one.
    pub async fn claim_send_slot(&self, flow: CaptchaFlow, to: &Email) -> Result<(), UserError> {
        let key = slot_key(flow, to);
        if self
            .store
            .set_if_absent(&key, "1", self.times.send_interval)
            .await?
        {
            return Ok(());
        }
        let remaining = self
            .store
            .ttl(&key)
            .await?
            .unwrap_or(Duration::from_secs(1));
        Err(UserError::CaptchaTooSoon {
            retry_after_secs: remaining.as_secs_f64().ceil().max(1.0) as u64,
        })
    }

    /// Stores a fresh code (voiding the previous one and its wrong tries) and mails it.
    /// The caller has claimed the send slot; a failed mail releases it so the user can retry.
    pub async fn issue(&self, flow: CaptchaFlow, to: &Email) -> Result<(), UserError> {
        let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
        let key = code_key(flow, to);
        self.store.delete(&tries_key(flow, to)).await?;
        let ttl = self.times.ttl(flow);
        self.store.set(&key, &code, ttl).await?;
        if let Err(err) = self.mailer.send(flow.mail(to, &code, ttl)).await {
            self.store.delete(&key).await?;
            self.store.delete(&slot_key(flow, to)).await?;
            return Err(err.into());
        }
        Ok(())
    }

    /// Claims the slot and issues a code: the usual "send me a code" request.
    pub async fn send(&self, flow: CaptchaFlow, to: &Email) -> Result<(), UserError> {
        self.claim_send_slot(flow, to).await?;
        self.issue(flow, to).await
    }

    /// Consumes the code if it matches. A wrong guess counts; the fifth voids the code. A
    /// password-reset address past its wrong tries of the day gets `TooManyAttempts`.
    pub async fn verify(
        &self,
        flow: CaptchaFlow,
        to: &Email,
        given: &Captcha,
    ) -> Result<(), UserError> {
        let daily = (flow == CaptchaFlow::ResetPassword).then(|| daily_key(to));
        if let Some(daily) = &daily {
            let bound = self.times.reset_wrong_tries_per_day;
            crate::throttle::under(self.store.as_ref(), daily, bound, DAY).await?;
        }
        // Only a try at a live code counts for the day: guesses while there is none cannot
        // lock the owner out of resetting.
        let live = self.store.get(&code_key(flow, to)).await?.is_some();
        let checked = self.check(flow, to, given).await;
        if let (Err(UserError::CaptchaInvalid), Some(daily), true) = (&checked, &daily, live) {
            self.store.increment(daily, DAY).await?;
        }
        checked
    }

    async fn check(&self, flow: CaptchaFlow, to: &Email, given: &Captcha) -> Result<(), UserError> {
        let key = code_key(flow, to);
        // Every try is counted before the comparison, so parallel guesses cannot outrun the
        // limit: the sixth try of a code fails even when it is right.
        let tries = self
            .store
            .increment(&tries_key(flow, to), self.times.ttl(flow))
            .await?;
        if tries > MAX_WRONG_TRIES {
            self.store.delete(&key).await?;
            return Err(UserError::CaptchaInvalid);
        }
        let Some(stored) = self.store.get(&key).await? else {
            return Err(UserError::CaptchaInvalid);
        };
        if stored != given.as_str() {
            return Err(UserError::CaptchaInvalid);
        }
        // Deleting is the single-use gate: of two requests with the same code, one wins.
        if self.store.delete(&key).await? {
            self.store.delete(&tries_key(flow, to)).await?;
            Ok(())
        } else {
            Err(UserError::CaptchaInvalid)
        }
    }
}

fn code_key(flow: CaptchaFlow, to: &Email) -> String {
    format!("captcha:{}:{}", flow.key(), to.as_str())
}

fn slot_key(flow: CaptchaFlow, to: &Email) -> String {
    format!("captcha:{}:{}:sent", flow.key(), to.as_str())
}

/// Wrong password-reset codes tried for an address today, whichever code they were aimed at.
fn daily_key(to: &Email) -> String {
    format!("captcha:reset:{}:wrong_today", to.as_str())
}

fn tries_key(flow: CaptchaFlow, to: &Email) -> String {
    format!("captcha:{}:{}:tries", flow.key(), to.as_str())
}
