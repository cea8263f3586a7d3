//! The `chatroom` and `user_chatroom` tables.

pub mod chatroom {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "chatroom")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        #[sea_orm(column_name = "type")]
        pub kind: crate::types::RoomKind,
        pub owner_id: Option<i64>,
        pub last_seq: i64,
        /// The newest message's id, set with `last_seq`; `None` before the first message.
        pub last_message_id: Option<i64>,
        /// `"min:max"` of the two user ids for a direct room; `None` for groups.
        pub direct_key: Option<String>,
        pub create_time: DateTimeUtc,
        pub update_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user_chatroom {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_chatroom")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub chatroom_id: i64,
        pub last_read_seq: i64,
        pub joined_at: DateTimeUtc,
        pub create_time: DateTimeUtc,
        pub update_time: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
