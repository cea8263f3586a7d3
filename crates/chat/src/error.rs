use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The room does not exist or the caller is not in it.
    #[error("no such room")]
    RoomNotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl From<chatroom::ChatroomError> for ChatError {
    fn from(err: chatroom::ChatroomError) -> Self {
        match err {
            chatroom::ChatroomError::Database(err) => ChatError::Database(err),
            _ => ChatError::RoomNotFound,
        }
    }
}
