//! Inputs and shapes of friend requests.
use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::{DeriveActiveEnum, EnumIter};
use serde::Serialize;
use user::{PageRequest, UserSummary};
use utoipa::ToSchema;

/// Why you want to be friends: at most 100 characters (trimmed; may be empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub fn parse(raw: &str) -> Result<Self, String> {
        user::trimmed_text(raw, 0, 100).map(Self)
    }

    pub fn empty() -> Self {
        Self(String::new())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Stored as 0, 1, 2 (`friend_request.status`), shown as those numbers; any other stored value
/// is an error when read (and the database refuses it, migration 9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "i16", db_type = "SmallInteger")]
pub enum RequestStatus {
    #[sea_orm(num_value = 0)]
    Pending,
    #[sea_orm(num_value = 1)]
    Agreed,
    #[sea_orm(num_value = 2)]
    Rejected,
}

/// A request as the API shows it: both people as `UserSummary`, `status` 0 pending,
/// 1 agreed, 2 rejected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FriendRequestView {
    pub id: i64,
    pub from_user: UserSummary,
    pub to_user: UserSummary,
    pub reason: String,
    pub status: i16,
    #[serde(serialize_with = "user::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub create_time: DateTime<Utc>,
}

/// What sending did: a new pending request, or the other person's pending request agreed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    Sent(FriendRequestView),
    AgreedTheirs(FriendRequestView),
}

/// Requests to me and from me, each side paged alike, newest first.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FriendRequestLists {
    pub to_me: Vec<FriendRequestView>,
    pub from_me: Vec<FriendRequestView>,
    pub total_to_me: u64,
    pub total_from_me: u64,
    pub page: u64,
    pub page_size: u64,
}

impl FriendRequestLists {
    pub fn new(
        (to_me, total_to_me): (Vec<FriendRequestView>, u64),
        (from_me, total_from_me): (Vec<FriendRequestView>, u64),
        page: PageRequest,
    ) -> Self {
        Self {
            to_me,
            from_me,
            total_to_me,
            total_from_me,
            page: page.page(),
            page_size: page.page_size(),
        }
    }
}
