//! Validated message inputs and the shapes of sending and history.
use crate::message::{ChatMessage, MessageKind};
use ::chatroom::Seq;
use serde::Serialize;
use user::{FieldError, FieldErrors};
use utoipa::ToSchema;

/// The sender's id for a message: 1–64 of `[A-Za-z0-9_-]` (a UUID fits). A repeat from the same
/// sender returns the first message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientId(String);

impl ClientId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err("must be 1-64 characters of letters, digits, '_' or '-'".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a message says: text of 1–4000 characters, or for an image or file the URL of an
/// attachment in our own storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageBody {
    kind: MessageKind,
    content: String,
}

impl MessageBody {
    /// `attachment_prefix` is `<public url>/storage/object/attachment/`.
    pub fn parse(
        kind: MessageKind,
        content: &str,
        attachment_prefix: &str,
    ) -> Result<Self, String> {
        let valid = match kind {
            MessageKind::Text => {
                (1..=4000).contains(&content.chars().count()) && !content.trim().is_empty()
            }
            MessageKind::Image | MessageKind::File => {
                user::is_stored_url(content, attachment_prefix)
            }
        };
        match (valid, kind) {
            (true, _) => Ok(Self {
                kind,
                content: content.to_owned(),
            }),
            (false, MessageKind::Text) => Err("text must be 1-4000 characters".to_owned()),
            (false, _) => {
                Err("must be the url of a file uploaded through /storage/presign".to_owned())
            }
        }
    }

    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    pub fn content(&self) -> &str {
        &self.content
    }
}

user::id_type! {
    /// A stored message's id (`chat_history.id`).
    MessageId
}

/// Where a history page starts: `after < seq < before`, at most `limit` (1–100, default 50).
/// Made only by `parse` (a request's parameters, checked) or `between` (a gap the server saw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryCursor {
    after: Option<Seq>,
    before: Option<Seq>,
    limit: u64,
}

/// The most messages one page holds.
const MAX_PAGE: u64 = 100;

impl HistoryCursor {
    pub fn parse(
        before: Option<&str>,
        after: Option<&str>,
        limit: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let before = errors.optional("beforeSeq", before, Seq::parse_text);
        let after = errors.optional("afterSeq", after, Seq::parse_text);
        let limit = errors.optional("limit", limit, |raw| match raw.trim().parse::<u64>() {
            Ok(limit) if (1..=MAX_PAGE).contains(&limit) => Ok(limit),
            _ => Err(format!("must be an integer from 1 to {MAX_PAGE}")),
        });
        errors.done(Some(Self {
            after,
            before,
            limit: limit.unwrap_or(50),
        }))
    }

    /// Every message strictly between two seqs, up to a full page.
    pub fn between(after: Seq, before: Seq) -> Self {
        Self {
            after: Some(after),
            before: Some(before),
            limit: MAX_PAGE,
        }
    }

    pub fn after(&self) -> Option<Seq> {
        self.after
    }

    pub fn before(&self) -> Option<Seq> {
        self.before
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }
}

/// The result of sending: the stored message, and whether this call stored it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posted {
    pub message: ChatMessage,
    pub created: bool,
}

/// A history page, ascending by seq; `hasMore` says whether more lie beyond it in the
/// direction read (older without `afterSeq`, newer with it).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct History {
    pub items: Vec<ChatMessage>,
    pub has_more: bool,
}
