use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ChatroomError {
    /// The room does not exist or the caller is not in it: the same answer for both.
    #[error("no such room")]
    NotFound,
    #[error("only friends can be added")]
    NotAFriend,
    #[error("you cannot open a direct room with yourself")]
    WithSelf,
    #[error("this is a direct room")]
    DirectRoom,
    #[error("already a member")]
    AlreadyMember,
    #[error("no user with that username")]
    UserNotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}
