//! A mailer that keeps what it sends, for tests (the `outbox` feature).
use super::LogMailer;
use async_trait::async_trait;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::watch;
use user::{Mail, MailError, Mailer};

/// Keeps every mail in memory, newest last, and writes the same log line as `LogMailer`. For
/// tests, which read the codes from here instead of from a log or a mail server. `set_down`
/// makes it refuse every mail, as an SMTP server that is down would.
pub struct Outbox {
    sent: Mutex<Vec<Mail>>,
    down: AtomicBool,
    /// How many mails were tried (sent or refused), for waiting on the next one.
    attempts: watch::Sender<usize>,
}

impl Default for Outbox {
    fn default() -> Self {
        Self {
            sent: Mutex::new(Vec::new()),
            down: AtomicBool::new(false),
            attempts: watch::channel(0).0,
        }
    }
}

impl Outbox {
    fn sent(&self) -> std::sync::MutexGuard<'_, Vec<Mail>> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn to<'a>(mails: &'a [Mail], address: &'a str) -> impl DoubleEndedIterator<Item = &'a Mail> {
        let address = address.trim();
        mails
            .iter()
            .filter(move |mail| mail.to.eq_ignore_ascii_case(address))
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Mails tried so far, sent or refused.
    pub fn attempts(&self) -> usize {
        *self.attempts.borrow()
    }

    /// Waits until `count` mails have been tried.
    pub async fn tried(&self, count: usize) {
        let mut attempts = self.attempts.subscribe();
        // The sender lives in `self`, so this fails only if nothing can ever be sent.
        let _ = attempts.wait_for(|tried| *tried >= count).await;
    }

    /// The newest mail to `address` (compared without case), if any.
    pub fn newest_to(&self, address: &str) -> Option<Mail> {
        Self::to(&self.sent(), address).next_back().cloned()
    }

    /// How many mails went to `address`.
    pub fn count_to(&self, address: &str) -> usize {
        Self::to(&self.sent(), address).count()
    }

    /// Waits for the `nth` mail to `address` (counting from 1): for mail sent in the background
    /// after a request was answered.
    pub async fn nth_to(&self, address: &str, nth: usize) -> Mail {
        let mut attempts = self.attempts.subscribe();
        loop {
            if let Some(mail) = Self::to(&self.sent(), address).nth(nth.saturating_sub(1)) {
                return mail.clone();
            }
            let _ = attempts.changed().await;
        }
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let refused = self.down.load(Ordering::SeqCst);
        if !refused {
            LogMailer.send(mail.clone()).await?;
            self.sent().push(mail);
        }
        self.attempts.send_modify(|tried| *tried += 1);
        match refused {
            true => Err(MailError("the mail server is down".to_owned())),
            false => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(to: &str, body: &str) -> Mail {
        Mail {
            to: to.to_owned(),
            subject: "code".to_owned(),
            body: body.to_owned(),
        }
    }

    #[tokio::test]
    async fn the_outbox_answers_with_the_newest_mail_to_an_address() {
        let outbox = Outbox::default();
        outbox.send(mail("Ann@Example.com", "first")).await.unwrap();
        outbox.send(mail("bob@example.com", "other")).await.unwrap();
        outbox
            .send(mail("ann@example.com", "second"))
            .await
            .unwrap();
        assert_eq!(outbox.newest_to("ann@example.com").unwrap().body, "second");
        assert_eq!(outbox.count_to("ANN@example.com"), 2);
        assert!(outbox.newest_to("carol@example.com").is_none());
    }

    #[tokio::test]
    async fn waiting_on_the_outbox_ends_with_the_mail_asked_for_and_a_down_server_sends_nothing() {
        let outbox = std::sync::Arc::new(Outbox::default());
        let waiting = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.nth_to("ann@example.com", 2).await }
        });
        outbox.send(mail("ann@example.com", "first")).await.unwrap();
        outbox
            .send(mail("bob@example.com", "not this"))
            .await
            .unwrap();
        outbox.set_down(true);
        assert!(
            outbox
                .send(mail("ann@example.com", "refused"))
                .await
                .is_err()
        );
        outbox.tried(3).await;
        outbox.set_down(false);
        outbox
            .send(mail("ann@example.com", "second"))
            .await
            .unwrap();
        assert_eq!(waiting.await.unwrap().body, "second");
        assert_eq!(outbox.attempts(), 4);
    }
}
