use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The room does not exist or the caller is not in it.
    #[error("no such room")]
    RoomNotFound,
    /// The write queue is full: the database is far behind; try again shortly.
    #[error("the server is busy")]
    Busy,
    /// The writer has stopped (the gateway is shutting down).
    #[error("the server is shutting down")]
    Unavailable,
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
