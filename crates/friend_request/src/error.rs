use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum FriendRequestError {
    #[error("you cannot send a friend request to yourself")]
    ToSelf,
    #[error("no user with that username")]
    UserNotFound,
    #[error("already friends")]
    AlreadyFriends,
    #[error("a request to this user is already pending")]
    AlreadyPending,
    #[error("no such friend request")]
    NotFound,
    #[error("the request was already agreed or rejected")]
    AlreadyDecided,
    #[error(transparent)]
    Database(#[from] DbErr),
}
