//! Room shapes.
use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::{DeriveActiveEnum, EnumIter, StringLen};
use serde::{Deserialize, Serialize};
use user::UserId;
use utoipa::ToSchema;

/// Stored as `direct` or `group` (`chatroom.type`); any other stored value is an error when
/// read, never taken for a group (and the database refuses it, migration 9).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
)]
#[serde(rename_all = "lowercase")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum RoomKind {
    #[sea_orm(string_value = "direct")]
    Direct,
    #[sea_orm(string_value = "group")]
    Group,
}

impl RoomKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoomKind::Direct => "direct",
            RoomKind::Group => "group",
        }
    }
}

user::id_type! {
    /// A room's id.
    RoomId
}

user::id_type! {
    /// A message's place in its room: 1, 2, 3 … in commit order, no gaps.
    Seq
}

/// A group's name: 1–50 characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        user::trimmed_text(raw, 1, 50).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Most people a group can start with besides its owner.
pub const MAX_INITIAL_MEMBERS: usize = 200;

/// Who a new group starts with besides its owner: at most `MAX_INITIAL_MEMBERS` ids, each a
/// positive id; repeats count once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitialMembers(Vec<UserId>);

impl InitialMembers {
    pub fn parse(ids: &[i64]) -> Result<Self, String> {
        if ids.len() > MAX_INITIAL_MEMBERS {
            return Err(format!("at most {MAX_INITIAL_MEMBERS} members"));
        }
        if ids.iter().any(|id| *id <= 0) {
            return Err("must be positive integer ids".to_owned());
        }
        let mut users: Vec<UserId> = ids.iter().map(|id| UserId::new(*id)).collect();
        users.sort_unstable();
        users.dedup();
        Ok(Self(users))
    }

    /// Everyone in `owner`'s new group: the owner and these, each once, by id.
    pub fn with_owner(&self, owner: UserId) -> Vec<UserId> {
        let mut everyone = self.0.clone();
        if let Err(at) = everyone.binary_search(&owner) {
            everyone.insert(at, owner);
        }
        everyone
    }

    /// These, without `owner`.
    pub(crate) fn others(self, owner: UserId) -> Vec<UserId> {
        self.0.into_iter().filter(|user| *user != owner).collect()
    }
}

impl Seq {
    /// What a client is told when a seq breaks the rule.
    pub const RULE: &'static str = "must be a non-negative integer seq";

    /// The same rule for a seq given as text (a query parameter).
    pub fn parse_text(raw: &str) -> Result<Self, String> {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| Self::RULE.to_owned())
            .and_then(Self::parse)
    }

    /// A seq from a client (a read marker, `afterSeq`, `beforeSeq`): 0 or more. Seqs start at
    /// 1, so 0 means "before the first message". The one rule for every seq a client sends.
    pub fn parse(raw: i64) -> Result<Self, String> {
        if raw >= 0 {
            Ok(Self::new(raw))
        } else {
            Err(Self::RULE.to_owned())
        }
    }
}

/// `GET /chatroom/{id}`: a direct room is named after the other person, as the caller sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomInfo {
    #[schema(value_type = i64)]
    pub id: RoomId,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: RoomKind,
    pub owner_id: Option<i64>,
    pub user_count: u64,
    #[serde(serialize_with = "user::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub create_time: DateTime<Utc>,
}

/// `{id, name}` of a room, as favorites show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RoomSummary {
    pub id: i64,
    pub name: String,
}
