use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum FavoriteError {
    /// No such message, or one of a room the user is not in: the same answer, so ids of other
    /// rooms' messages reveal nothing.
    #[error("no such message")]
    MessageNotFound,
    /// No such favorite of this user (someone else's is not found either).
    #[error("no such favorite")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}
