//! The favorite service on a fresh database: membership, idempotence under concurrency, owner-only
//! delete, and a list that costs the same two statements whatever its length.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

use chat::{ChatService, ClientId, MessageBody, MessageId, MessageKind, SeaChatService};
use chatroom::{ChatroomService, GroupName, RoomId, SeaChatroomService};
use favorite::{FavoriteError, FavoriteService, SeaFavoriteService};
use friendship::befriend;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use test_support::{TestDb, counted, create_user, fresh_db};
use user::{PageRequest, UserId};

struct World {
    db: TestDb,
    favorites: Arc<SeaFavoriteService>,
    owner: UserId,
    member: UserId,
    outsider: UserId,
    room: i64,
}

/// A group of `owner` and `member`, and an `outsider`.
async fn world() -> World {
    let db = fresh_db().await.unwrap();
    let mut ids = Vec::new();
    for name in ["owner", "member", "outsider"] {
        ids.push(UserId::new(create_user(&db.conn, name).await.unwrap().id));
    }
    befriend(&db.conn, ids[0], ids[1]).await.unwrap();
    let rooms = SeaChatroomService::new(db.conn.clone());
    let room = rooms
        .create_group(
            ids[0],
            GroupName::parse("Keep").unwrap(),
            chatroom::InitialMembers::parse(&[ids[1].get()]).unwrap(),
        )
        .await
        .unwrap();
    World {
        favorites: Arc::new(SeaFavoriteService::new(db.conn.clone())),
        owner: ids[0],
        member: ids[1],
        outsider: ids[2],
        room: room.id.get(),
        db,
    }
}

impl World {
    async fn say(&self, who: UserId, client_id: &str) -> i64 {
        let queue = chat::SendQueue::start_unpublished(self.db.conn.clone());
        let chat = SeaChatService::new(self.db.conn.clone(), queue);
        let body = MessageBody::parse(MessageKind::Text, client_id, "http://x/").unwrap();
        let posted = chat
            .post_message(
                who,
                RoomId::new(self.room),
                &ClientId::parse(client_id).unwrap(),
                &body,
            )
            .await
            .unwrap();
        posted.message.id
    }
}

#[tokio::test]
async fn only_members_keep_and_only_owners_delete() {
    let w = world().await;
    let message = w.say(w.member, "m1").await;
    assert!(matches!(
        w.favorites.add(w.outsider, MessageId::new(message)).await,
        Err(FavoriteError::MessageNotFound)
    ));
    assert!(matches!(
        w.favorites.add(w.owner, MessageId::new(message + 1)).await,
        Err(FavoriteError::MessageNotFound)
    ));
    let kept = w
        .favorites
        .add(w.owner, MessageId::new(message))
        .await
        .unwrap();
    assert!(kept.created);
    assert!(matches!(
        w.favorites.delete(w.member, kept.favorite.id).await,
        Err(FavoriteError::NotFound)
    ));
    w.favorites.delete(w.owner, kept.favorite.id).await.unwrap();
    assert!(matches!(
        w.favorites.delete(w.owner, kept.favorite.id).await,
        Err(FavoriteError::NotFound)
    ));
}

#[tokio::test]
async fn racing_adds_make_one_favorite() {
    let w = world().await;
    let message = w.say(w.member, "m1").await;
    for round in 0..5 {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let favorites = w.favorites.clone();
                let owner = w.owner;
                tokio::spawn(
                    async move { favorites.add(owner, MessageId::new(message)).await.unwrap() },
                )
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        let created = results.iter().filter(|added| added.created).count();
        assert_eq!(created, 1, "round {round}");
        assert!(results.iter().all(|a| a.favorite == results[0].favorite));
        w.favorites
            .delete(w.owner, results[0].favorite.id)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_list_is_newest_first_in_a_fixed_four_statements() {
    let w = world().await;
    let mut kept = Vec::new();
    for n in 0..30 {
        let message = w.say(w.member, &format!("m{n}")).await;
        kept.push(
            w.favorites
                .add(w.owner, MessageId::new(message))
                .await
                .unwrap()
                .favorite,
        );
    }
    let (conn, count) = counted(&w.db.conn);
    let favorites = SeaFavoriteService::new(conn);
    let page = PageRequest::parse(Some("1"), Some("100")).unwrap();
    let list = favorites.list(w.owner, page).await.unwrap();
    // Count, the page, its messages (chat), its rooms' names (chatroom): whatever the size.
    assert_eq!(count.swap(0, Ordering::SeqCst), 4);
    let small = PageRequest::parse(Some("1"), Some("2")).unwrap();
    assert_eq!(favorites.list(w.owner, small).await.unwrap().items.len(), 2);
    assert_eq!(count.load(Ordering::SeqCst), 4);
    assert_eq!(list.total, 30);
    let ids: Vec<i64> = list.items.iter().map(|item| item.id).collect();
    let expected: Vec<i64> = kept.iter().rev().map(|f| f.id).collect();
    assert_eq!(ids, expected);
    let newest = &list.items[0];
    assert_eq!(newest.message.content, "m29");
    assert_eq!(newest.message.sender.id, w.member.get());
    assert_eq!(
        (newest.chatroom.id, newest.chatroom.name.as_str()),
        (w.room, "Keep")
    );
}
