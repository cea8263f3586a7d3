use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum FriendshipError {
    #[error("not friends")]
    NotFriends,
    #[error(transparent)]
    Database(#[from] DbErr),
}
