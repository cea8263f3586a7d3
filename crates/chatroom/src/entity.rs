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

    /// `chat_history` points here too, but it belongs to the chat crate, which depends on this
    /// one: that relation is declared there only (`chat::entity::Relation::Chatroom`).
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// A group's owner; `None` for a direct room, or once the owner's account is gone.
        #[sea_orm(
            belongs_to = "user::entity::Entity",
            from = "Column::OwnerId",
            to = "user::entity::Column::Id",
            on_delete = "SetNull"
        )]
        Owner,
        #[sea_orm(has_many = "super::user_chatroom::Entity")]
        Memberships,
    }

    impl Related<super::user_chatroom::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Memberships.def()
        }
    }

    /// A room's related users are its members, through `user_chatroom` (the owner is `Owner`).
    impl Related<user::entity::Entity> for Entity {
        fn to() -> RelationDef {
            super::user_chatroom::Relation::User.def()
        }

        fn via() -> Option<RelationDef> {
            Some(super::user_chatroom::Relation::Chatroom.def().rev())
        }
    }

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
    pub enum Relation {
        #[sea_orm(
            belongs_to = "user::entity::Entity",
            from = "Column::UserId",
            to = "user::entity::Column::Id",
            on_delete = "Cascade"
        )]
        User,
        #[sea_orm(
            belongs_to = "super::chatroom::Entity",
            from = "Column::ChatroomId",
            to = "super::chatroom::Column::Id",
            on_delete = "Cascade"
        )]
        Chatroom,
    }

    impl Related<user::entity::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::User.def()
        }
    }

    impl Related<super::chatroom::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Chatroom.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}
