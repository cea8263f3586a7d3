//! What the chat tests share: a fresh database with users, friends and groups, and the service
//! on a running write pipeline.
#![allow(dead_code)] // each test file uses its own part

use chat::{ChatService, ClientId, HistoryCursor, MessageBody, MessageKind, SeaChatService};
use chatroom::{ChatroomService, GroupName, RoomId, SeaChatroomService};
use friendship::befriend;
use test_support::{TestDb, create_user, fresh_db};
use user::UserId;

/// The write pipeline, running, with nothing to publish to.
pub fn unpublished_queue(db: &sea_orm::DatabaseConnection) -> chat::SendQueue {
    chat::SendQueue::start_unpublished(db.clone())
}

pub const PREFIX: &str = "http://chat.test/storage/object/attachment/";

pub struct World {
    pub db: TestDb,
    pub rooms: SeaChatroomService,
    pub chat: SeaChatService,
    pub users: Vec<UserId>,
}

/// `count` users, user 0 friends with all.
pub async fn world(count: usize) -> World {
    let db = fresh_db().await.unwrap();
    let mut users = Vec::new();
    for n in 0..count {
        users.push(UserId::new(
            create_user(&db.conn, &format!("u{n}")).await.unwrap().id,
        ));
    }
    for other in &users[1..] {
        befriend(&db.conn, users[0], *other).await.unwrap();
    }
    World {
        rooms: SeaChatroomService::new(db.conn.clone()),
        chat: SeaChatService::new(db.conn.clone(), unpublished_queue(&db.conn)),
        db,
        users,
    }
}

pub fn text(content: &str) -> MessageBody {
    MessageBody::parse(MessageKind::Text, content, PREFIX).unwrap()
}

pub fn client(id: &str) -> ClientId {
    ClientId::parse(id).unwrap()
}

pub fn cursor(before: Option<&str>, after: Option<&str>, limit: Option<&str>) -> HistoryCursor {
    HistoryCursor::parse(before, after, limit).unwrap()
}

impl World {
    pub async fn group(&self, members: usize) -> RoomId {
        let ids: Vec<i64> = self.users[1..members]
            .iter()
            .map(|user| user.get())
            .collect();
        let members = chatroom::InitialMembers::parse(&ids).unwrap();
        let name = GroupName::parse("g").unwrap();
        self.rooms
            .create_group(self.users[0], name, members)
            .await
            .unwrap()
            .id
    }

    pub async fn say(&self, who: usize, room: RoomId, id: &str) -> i64 {
        let posted = self
            .chat
            .post_message(self.users[who], room, &client(id), &text(id))
            .await;
        posted.unwrap().message.seq
    }
}
