//! `Mailer` implementations: SMTP through lettre, one log line per mail, or (with the `outbox`
//! feature, for tests) an outbox that keeps what was sent.
use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use prometheus::IntCounter;
use user::{Mail, MailError, Mailer};

/// Sends over SMTP; `url` takes lettre's forms (`smtp://host:port`, `smtp://user:pass@host:587?tls=required`,
/// `smtps://user:pass@host:465`).
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    failures: IntCounter,
}

impl SmtpMailer {
    /// `failures` counts the mails the server did not take.
    pub fn new(url: &str, from: &str, failures: IntCounter) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError(format!("CHAT_SMTP_URL is not usable: {e}")))?
            .build();
        let from = from
            .parse()
            .map_err(|e| MailError(format!("CHAT_MAIL_FROM is not an address: {e}")))?;
        Ok(Self {
            transport,
            from,
            failures,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| MailError(format!("bad recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(|e| MailError(e.to_string()))?;
        if let Err(err) = self.transport.send(message).await {
            self.failures.inc();
            return Err(MailError(err.to_string()));
        }
        Ok(())
    }
}

/// The embedded default: each mail is one info line, the code readable, so a newcomer can
/// register without a mail server.
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        tracing::info!(
            target: "mail",
            "mail to={} subject={:?} body={:?}",
            mail.to,
            mail.subject,
            mail.body
        );
        Ok(())
    }
}

#[cfg(feature = "outbox")]
mod outbox;
#[cfg(feature = "outbox")]
pub use outbox::Outbox;
