//! Messages on a fresh database: seq order under concurrency, idempotent client ids, history
//! cursors, unread counts in the room list, and fixed statement counts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

mod support;

use chat::{ChatError, ChatService, HistoryCursor, MessageBody, MessageKind, SeaChatService};
use chatroom::{ChatroomService, RoomId};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::sync::atomic::Ordering;
use support::{PREFIX, client, cursor, text, unpublished_queue, world};
use test_support::counted;
use user::{PageRequest, SearchText};

#[tokio::test]
async fn seq_is_gapless_under_twenty_concurrent_posters() {
    let w = world(20).await;
    let room = w.group(20).await;
    let sends = (0..20).map(|n| {
        let (chat, user) = (&w.chat, w.users[n]);
        async move {
            let id = client(&format!("c{n}"));
            chat.post_message(user, room, &id, &text("hello"))
                .await
                .unwrap()
                .message
                .seq
        }
    });
    let mut seqs = futures_util::future::join_all(sends).await;
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
    let history = w
        .chat
        .history(w.users[3], room, cursor(None, None, Some("100")))
        .await
        .unwrap();
    let stored: Vec<i64> = history.items.iter().map(|m| m.seq).collect();
    assert_eq!(stored, (1..=20).collect::<Vec<i64>>());
}

#[tokio::test]
async fn a_repeated_client_id_returns_the_first_message() {
    let w = world(2).await;
    let room = w.group(2).await;
    let first = w
        .chat
        .post_message(w.users[1], room, &client("same"), &text("one"))
        .await
        .unwrap();
    assert!(first.created);
    let again = w
        .chat
        .post_message(w.users[1], room, &client("same"), &text("two"))
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.message, first.message);
    let (race, body) = (client("race"), text("x"));
    let (a, b) = tokio::join!(
        w.chat.post_message(w.users[0], room, &race, &body),
        w.chat.post_message(w.users[0], room, &race, &body),
    );
    assert_eq!(a.unwrap().message.id, b.unwrap().message.id);
    let stored = chat::entity::Entity::find()
        .count(&w.db.conn)
        .await
        .unwrap();
    assert_eq!(stored, 2);
}

#[tokio::test]
async fn outsiders_can_neither_post_nor_read() {
    let w = world(3).await;
    let room = w.group(2).await;
    let post = w
        .chat
        .post_message(w.users[2], room, &client("x"), &text("hi"))
        .await;
    assert!(matches!(post, Err(ChatError::RoomNotFound)), "{post:?}");
    let read = w
        .chat
        .history(w.users[2], room, cursor(None, None, None))
        .await;
    assert!(matches!(read, Err(ChatError::RoomNotFound)), "{read:?}");
    let nowhere = w
        .chat
        .post_message(w.users[0], RoomId::new(999_999), &client("y"), &text("hi"))
        .await;
    assert!(
        matches!(nowhere, Err(ChatError::RoomNotFound)),
        "{nowhere:?}"
    );
}

#[tokio::test]
async fn history_pages_by_cursor() {
    let w = world(2).await;
    let room = w.group(2).await;
    for n in 1..=7 {
        w.say(n % 2, room, &format!("m{n}")).await;
    }
    let seqs = |h: &chat::History| h.items.iter().map(|m| m.seq).collect::<Vec<_>>();
    let newest = w
        .chat
        .history(w.users[0], room, cursor(None, None, Some("3")))
        .await
        .unwrap();
    assert_eq!((seqs(&newest), newest.has_more), (vec![5, 6, 7], true));
    let older = w
        .chat
        .history(w.users[0], room, cursor(Some("5"), None, Some("3")))
        .await
        .unwrap();
    assert_eq!((seqs(&older), older.has_more), (vec![2, 3, 4], true));
    let oldest = w
        .chat
        .history(w.users[0], room, cursor(Some("2"), None, Some("3")))
        .await
        .unwrap();
    assert_eq!((seqs(&oldest), oldest.has_more), (vec![1], false));
    let after = w
        .chat
        .history(w.users[0], room, cursor(None, Some("4"), Some("2")))
        .await
        .unwrap();
    assert_eq!((seqs(&after), after.has_more), (vec![5, 6], true));
    let tail = w
        .chat
        .history(w.users[0], room, cursor(None, Some("6"), None))
        .await
        .unwrap();
    assert_eq!((seqs(&tail), tail.has_more), (vec![7], false));
    let first = &newest.items[0];
    assert_eq!(
        (first.sender.id, first.content.as_str()),
        (w.users[1].get(), "m5")
    );
    assert!(HistoryCursor::parse(None, None, Some("101")).is_err());
    assert!(HistoryCursor::parse(Some("-1"), None, None).is_err());
}

#[tokio::test]
async fn attachments_must_be_our_own_urls() {
    assert!(MessageBody::parse(MessageKind::Image, &format!("{PREFIX}7/u/a.png"), PREFIX).is_ok());
    assert!(MessageBody::parse(MessageKind::File, "http://evil.example/x.exe", PREFIX).is_err());
    assert!(MessageBody::parse(MessageKind::Image, PREFIX, PREFIX).is_err());
    assert!(MessageBody::parse(MessageKind::Text, "", PREFIX).is_err());
    assert!(MessageBody::parse(MessageKind::Text, "   ", PREFIX).is_err());
    assert!(MessageBody::parse(MessageKind::Text, &"é".repeat(4000), PREFIX).is_ok());
    assert!(MessageBody::parse(MessageKind::Text, &"a".repeat(4001), PREFIX).is_err());
}

#[tokio::test]
async fn the_attachments_named_since_a_time_are_found_by_id() {
    let w = world(2).await;
    let room = w.group(2).await;
    assert!(
        chat::attachment_urls_since(&w.db.conn, chrono::Utc::now())
            .await
            .unwrap()
            .is_empty()
    );
    let now = chrono::Utc::now();
    // Ten messages an hour apart, oldest first; every other one an image.
    let mut expected = Vec::new();
    for n in 0..10_i64 {
        let (kind, content) = match n % 2 {
            0 => (MessageKind::Image, format!("{PREFIX}1/u{n}/a.png")),
            _ => (MessageKind::Text, format!("text {n}")),
        };
        let body = MessageBody::parse(kind, &content, PREFIX).unwrap();
        let client_id = client(&format!("m{n}"));
        let posted = w
            .chat
            .post_message(w.users[0], room, &client_id, &body)
            .await;
        let id = posted.unwrap().message.id;
        let time = now - chrono::Duration::hours(10 - n);
        let row = chat::entity::ActiveModel {
            id: sea_orm::Set(id),
            create_time: sea_orm::Set(time),
            ..Default::default()
        };
        chat::entity::Entity::update(row)
            .exec(&w.db.conn)
            .await
            .unwrap();
        if n >= 4 && kind == MessageKind::Image {
            expected.push(content);
        }
    }
    // Since six hours ago: the images of hours -6, -4 and -2.
    let since = now - chrono::Duration::minutes(6 * 60 + 30);
    let found = chat::attachment_urls_since(&w.db.conn, since)
        .await
        .unwrap();
    assert_eq!(found, expected);
    let all = chat::attachment_urls_since(&w.db.conn, now - chrono::Duration::days(1));
    assert_eq!(all.await.unwrap().len(), 5);
}

#[tokio::test]
async fn the_room_list_counts_unread_and_orders_by_activity() {
    let w = world(3).await;
    let group = w.group(3).await;
    let (direct, _) = w.rooms.create_direct(w.users[0], w.users[1]).await.unwrap();
    w.say(1, group, "g1").await;
    w.say(2, group, "g2").await;
    w.say(0, group, "mine").await;
    w.say(1, direct.id, "d1").await;
    let list = w
        .chat
        .rooms(w.users[0], None, PageRequest::default())
        .await
        .unwrap();
    let ids: Vec<i64> = list.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, [direct.id.get(), group.get()]);
    assert_eq!(list.total, 2);
    let (d, g) = (&list.items[0], &list.items[1]);
    assert_eq!(
        (d.unread_count, d.user_count, d.name.as_str()),
        (1, 2, direct.name.as_str())
    );
    assert_eq!(d.last_message.as_ref().unwrap().content, "d1");
    // API.md §7: a direct room names its other member; a group has none.
    assert_eq!(d.peer.as_ref().map(|p| p.id), Some(w.users[1].get()));
    assert_eq!(g.peer, None);
    // Sending moved my own marker past the two messages before mine.
    assert_eq!((g.unread_count, g.user_count), (0, 3));
    assert_eq!(g.last_message.as_ref().unwrap().content, "mine");
    // A later message moves its room to the top, even in the same millisecond.
    w.say(2, group, "g3").await;
    let list = w
        .chat
        .rooms(w.users[0], None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(list.items[0].id, group.get());
    assert_eq!(list.items[0].unread_count, 1);
    // The marker never moves back, and never past the newest message.
    assert_eq!(
        w.rooms
            .mark_read(w.users[0], group, chatroom::Seq::parse(99).unwrap())
            .await
            .unwrap(),
        chatroom::Seq::new(4)
    );
    assert_eq!(
        w.rooms
            .mark_read(w.users[0], group, chatroom::Seq::parse(1).unwrap())
            .await
            .unwrap(),
        chatroom::Seq::new(4)
    );
    let list = w
        .chat
        .rooms(w.users[1], None, PageRequest::default())
        .await
        .unwrap();
    let seen_by_1: Vec<u64> = list.items.iter().map(|r| r.unread_count).collect();
    assert_eq!(
        seen_by_1,
        [3, 0],
        "group: g2, mine and g3 after their g1; direct: they sent the last"
    );
    let filter = SearchText::parse(&direct.name.to_uppercase()).unwrap();
    let found = w
        .chat
        .rooms(w.users[0], Some(&filter), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        found.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [direct.id.get()]
    );
}

#[tokio::test]
async fn the_room_list_shows_the_message_at_the_rooms_seq() {
    use sea_orm::{ConnectionTrait, Statement};
    let w = world(2).await;
    let room = w.group(2).await;
    w.say(1, room, "first").await;
    // As a gateway of the previous version stores: seq and time move, `last_message_id` not.
    let backend = w.db.conn.get_database_backend();
    let now = user::time::now();
    let insert = Statement::from_sql_and_values(
        backend,
        "INSERT INTO chat_history (chatroom_id, seq, sender_id, type, content, client_id, \
         create_time, update_time) VALUES (?, 2, ?, 0, 'second', 'old-gw', ?, ?)",
        [room.into(), w.users[1].get().into(), now.into(), now.into()],
    );
    w.db.conn.execute_raw(insert).await.unwrap();
    let advance = Statement::from_sql_and_values(
        backend,
        "UPDATE chatroom SET last_seq = 2, update_time = ? WHERE id = ?",
        [now.into(), room.into()],
    );
    w.db.conn.execute_raw(advance).await.unwrap();
    let list = w
        .chat
        .rooms(w.users[0], None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        list.items[0].last_message.as_ref().unwrap().content,
        "second"
    );
    assert_eq!(list.items[0].unread_count, 2);
}

/// Counts the statements a connection runs.
#[tokio::test]
async fn lists_and_history_run_a_fixed_number_of_statements() {
    let w = world(2).await;
    let mut rooms = Vec::new();
    for _ in 0..200 {
        rooms.push(w.group(2).await);
    }
    for (n, room) in rooms.iter().enumerate().take(100) {
        w.say(1, *room, &format!("r{n}")).await;
    }
    for n in 0..100 {
        w.say(1, rooms[0], &format!("h{n}")).await;
    }
    let (conn, count) = counted(&w.db.conn);
    // Only the reads are counted: the writer (which asks a MySQL server for its version as it
    // starts) has its own, uncounted connection.
    let chat_svc = SeaChatService::new(conn.clone(), unpublished_queue(&w.db.conn));
    let page = PageRequest::parse(Some("1"), Some("100")).unwrap();
    let big = chat_svc.rooms(w.users[0], None, page).await.unwrap();
    assert_eq!(big.items.len(), 100);
    let for_big = count.swap(0, Ordering::SeqCst);
    let small = PageRequest::parse(Some("1"), Some("2")).unwrap();
    chat_svc.rooms(w.users[0], None, small).await.unwrap();
    assert_eq!(
        count.swap(0, Ordering::SeqCst),
        for_big,
        "room list statements"
    );
    assert!(for_big <= 4, "{for_big}");
    let history = chat_svc
        .history(w.users[0], rooms[0], cursor(None, None, Some("100")))
        .await
        .unwrap();
    assert_eq!(history.items.len(), 100);
    let for_history = count.swap(0, Ordering::SeqCst);
    chat_svc
        .history(w.users[0], rooms[0], cursor(None, None, Some("1")))
        .await
        .unwrap();
    assert_eq!(
        count.swap(0, Ordering::SeqCst),
        for_history,
        "history statements"
    );
    assert!(for_history <= 3, "{for_history}");
}

#[tokio::test]
async fn client_ids_are_case_sensitive_on_every_backend() {
    let w = world(2).await;
    let room = w.group(2).await;
    let lower = w
        .chat
        .post_message(w.users[0], room, &client("abc"), &text("one"))
        .await
        .unwrap();
    let upper = w
        .chat
        .post_message(w.users[0], room, &client("ABC"), &text("two"))
        .await
        .unwrap();
    assert!(lower.created && upper.created);
    assert_ne!(lower.message.id, upper.message.id);
}

#[tokio::test]
async fn message_times_follow_seq() {
    let w = world(2).await;
    let room = w.group(2).await;
    for n in 0..20 {
        w.say(n % 2, room, &format!("t{n}")).await;
    }
    let history = w
        .chat
        .history(w.users[0], room, cursor(None, None, Some("100")))
        .await
        .unwrap();
    let times: Vec<_> = history.items.iter().map(|m| m.create_time).collect();
    assert!(times.windows(2).all(|pair| pair[0] <= pair[1]));
}
