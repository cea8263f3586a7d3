//! The write pipeline on a fresh database: what one batch does with repeats, outsiders and
//! members who left while their send waited, what it hands on to be published, what it costs
//! in statements, and the seq order with two pipelines (two gateways) on one database.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

mod support;

use chat::{
    ChatError, ChatMessage, ChatService, Outgoing, PipelineConfig, Reply, SendQueue, Stored,
    Unpublished, answer_of,
};
use chatroom::{ChatroomService, RoomId};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use support::{World, client, cursor, text, unpublished_queue, world};
use test_support::counted;
use user::UserId;

/// Keeps what the pipeline hands on for publishing, batch by batch.
#[derive(Default)]
struct Recorder(Mutex<Vec<Vec<ChatMessage>>>);

#[async_trait::async_trait]
impl Stored for Recorder {
    async fn stored(&self, messages: Vec<ChatMessage>) {
        self.0.lock().unwrap().push(messages);
    }
}

/// A pipeline whose writer is held back: everything submitted before `start` is one batch.
struct HeldBack {
    queue: SendQueue,
    writers: Vec<chat::Writer>,
    published: Arc<Recorder>,
}

fn held_back(db: &sea_orm::DatabaseConnection) -> HeldBack {
    let published = Arc::new(Recorder::default());
    let (queue, writers) = SendQueue::new(db.clone(), PipelineConfig::default(), published.clone());
    HeldBack {
        queue,
        writers,
        published,
    }
}

impl HeldBack {
    fn submit(&self, sender: UserId, room: RoomId, id: &str, content: &str) -> Reply {
        let send = Outgoing {
            sender,
            room: room.get(),
            client_id: client(id),
            body: text(content),
        };
        self.queue.try_submit(send).unwrap()
    }

    fn start(&mut self) {
        for writer in self.writers.drain(..) {
            tokio::spawn(writer.run());
        }
    }

    fn batches(&self) -> Vec<Vec<ChatMessage>> {
        self.published.0.lock().unwrap().clone()
    }
}

async fn assert_refused(reply: Reply) {
    let answer = answer_of(reply).await;
    assert!(matches!(answer, Err(ChatError::RoomNotFound)), "{answer:?}");
}

async fn seqs_in(w: &World, room: RoomId) -> Vec<i64> {
    let history = w
        .chat
        .history(w.users[0], room, cursor(None, None, Some("100")))
        .await
        .unwrap();
    history.items.iter().map(|m| m.seq).collect()
}

#[tokio::test]
async fn a_repeated_client_id_in_one_batch_answers_with_the_first_and_uses_no_seq() {
    let w = world(3).await;
    let room = w.group(3).await;
    let mut pipeline = held_back(&w.db.conn);
    let first = pipeline.submit(w.users[1], room, "same", "one");
    let repeat = pipeline.submit(w.users[1], room, "same", "two");
    let other = pipeline.submit(w.users[2], room, "same", "three");
    pipeline.start();
    let (first, repeat, other) = (
        answer_of(first).await.unwrap(),
        answer_of(repeat).await.unwrap(),
        answer_of(other).await.unwrap(),
    );
    assert!(first.created && !repeat.created && other.created);
    assert_eq!(repeat.message, first.message);
    assert_eq!(repeat.message.content, "one");
    assert_ne!(first.message.id, 0);
    assert_eq!((first.message.seq, other.message.seq), (1, 2));
    assert_eq!(seqs_in(&w, room).await, [1, 2]);
    let published: Vec<Vec<i64>> = pipeline
        .batches()
        .iter()
        .map(|batch| batch.iter().map(|m| m.seq).collect())
        .collect();
    assert_eq!(
        published,
        [vec![1, 2]],
        "one batch, the repeat not published"
    );
}

#[tokio::test]
async fn a_repeated_client_id_in_a_later_batch_answers_with_the_first_and_uses_no_seq() {
    let w = world(2).await;
    let room = w.group(2).await;
    let first = w.say(1, room, "early").await;
    let mut pipeline = held_back(&w.db.conn);
    let repeat = pipeline.submit(w.users[1], room, "early", "changed");
    let next = pipeline.submit(w.users[1], room, "late", "new");
    pipeline.start();
    let repeat = answer_of(repeat).await.unwrap();
    assert!(!repeat.created);
    assert_eq!(
        (repeat.message.seq, repeat.message.content.as_str()),
        (first, "early")
    );
    assert_eq!(answer_of(next).await.unwrap().message.seq, first + 1);
    assert_eq!(seqs_in(&w, room).await, [1, 2]);
}

#[tokio::test]
async fn an_outsider_in_a_batch_is_refused_and_the_others_are_stored() {
    let w = world(3).await;
    let room = w.group(2).await;
    let mut pipeline = held_back(&w.db.conn);
    let before = pipeline.submit(w.users[0], room, "a", "a");
    let outsider = pipeline.submit(w.users[2], room, "b", "b");
    let nowhere = pipeline.submit(w.users[0], RoomId::new(999_999), "c", "c");
    let after = pipeline.submit(w.users[1], room, "d", "d");
    pipeline.start();
    assert_eq!(answer_of(before).await.unwrap().message.seq, 1);
    assert_refused(outsider).await;
    assert_refused(nowhere).await;
    assert_eq!(answer_of(after).await.unwrap().message.seq, 2);
    assert_eq!(seqs_in(&w, room).await, [1, 2]);
}

#[tokio::test]
async fn a_member_who_leaves_while_their_send_waits_is_refused() {
    let w = world(3).await;
    let room = w.group(3).await;
    let mut pipeline = held_back(&w.db.conn);
    let stays = pipeline.submit(w.users[1], room, "stays", "x");
    let leaves = pipeline.submit(w.users[2], room, "leaves", "y");
    w.rooms.exit(w.users[2], room).await.unwrap();
    pipeline.start();
    assert_eq!(answer_of(stays).await.unwrap().message.seq, 1);
    assert_refused(leaves).await;
    assert_eq!(seqs_in(&w, room).await, [1]);
}

/// Each member's read marker in `room`, by user id.
async fn markers_in(w: &World, room: RoomId) -> HashMap<i64, i64> {
    use chatroom::entity::user_chatroom::{Column, Entity};
    Entity::find()
        .filter(Column::ChatroomId.eq(room.get()))
        .all(&w.db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|member| (member.user_id, member.last_read_seq))
        .collect()
}

/// The room's seq and last message, as stored in its row.
async fn room_row(w: &World, room: RoomId) -> (i64, Option<i64>) {
    let row = chatroom::entity::chatroom::Entity::find_by_id(room.get())
        .one(&w.db.conn)
        .await
        .unwrap()
        .unwrap();
    (row.last_seq, row.last_message_id)
}

/// A one-room batch moves the room to its newest message and each sender's marker to their
/// newest message in it, and no one else's: with a few senders and with many. On
/// MySQL/MariaDB those are two statement forms (`CASE` up to 8 senders, `JSON_TABLE` past that:
/// `FEW_SENDERS` in chatroom's send_batch.rs; 12 must stay above it).
#[tokio::test]
async fn a_one_room_batch_moves_each_senders_marker_to_their_newest_message() {
    let w = world(12).await;
    let room = w.group(12).await;
    for senders in [3, 12] {
        let before = markers_in(&w, room).await;
        let mut pipeline = held_back(&w.db.conn);
        let replies: Vec<(i64, Reply)> = (0..senders * 2)
            .map(|n| {
                let sender = w.users[n % senders];
                let id = format!("{senders}-{n}");
                (sender.get(), pipeline.submit(sender, room, &id, "x"))
            })
            .collect();
        pipeline.start();
        let mut newest: HashMap<i64, i64> = HashMap::new();
        let mut last = (0, None);
        for (sender, reply) in replies {
            let message = answer_of(reply).await.unwrap().message;
            let mark = newest.entry(sender).or_default();
            *mark = (*mark).max(message.seq);
            last = last.max((message.seq, Some(message.id)));
        }
        assert_eq!(
            room_row(&w, room).await,
            last,
            "the room's seq and last message"
        );
        let after = markers_in(&w, room).await;
        for (user, mark) in &after {
            let expected = newest.get(user).copied().unwrap_or(before[user]);
            assert_eq!(
                *mark, expected,
                "marker of user {user} after {senders} senders"
            );
        }
        assert_eq!(pipeline.batches().len(), 1, "one batch");
    }
    assert_eq!(seqs_in(&w, room).await.len(), 30);
}

#[tokio::test]
async fn every_message_of_a_batch_answers_with_the_id_it_was_stored_under() {
    let w = world(3).await;
    let rooms = [w.group(3).await, w.group(3).await];
    for rooms in [&rooms[..1], &rooms[..]] {
        let mut pipeline = held_back(&w.db.conn);
        let replies: Vec<Reply> = (0..6)
            .map(|n| {
                let id = format!("{}-{n}", rooms.len());
                pipeline.submit(w.users[n % 3], rooms[n % rooms.len()], &id, &id)
            })
            .collect();
        pipeline.start();
        let mut answered = HashMap::new();
        for reply in replies {
            let message = answer_of(reply).await.unwrap().message;
            answered.insert(
                message.id,
                (message.chatroom_id, message.seq, message.content),
            );
        }
        let mut stored = HashMap::new();
        for room in rooms {
            let history = w
                .chat
                .history(w.users[0], *room, cursor(None, None, Some("100")))
                .await
                .unwrap();
            for m in history.items {
                if m.content.starts_with(&format!("{}-", rooms.len())) {
                    stored.insert(m.id, (m.chatroom_id, m.seq, m.content));
                }
            }
        }
        assert_eq!(answered, stored, "ids answered for {} room(s)", rooms.len());
        assert_eq!(pipeline.batches().len(), 1, "one batch");
    }
}

/// When the writer's connection dies between two batches (a server restart, `wait_timeout`),
/// the next batch is stored on a new one, its sender none the wiser: whether the dead
/// connection is found by the ping sqlx makes as the pool takes it back, or (used within the
/// last second, so handed out unchecked) by the batch's first try, which is then retried.
#[tokio::test]
#[ignore = "needs MariaDB (TEST_DATABASE_URL); the real-services run includes it"]
async fn a_writer_whose_connection_died_stores_the_next_batch_on_a_new_one() {
    let w = world(2).await;
    if w.db.conn.get_database_backend() != DatabaseBackend::MySql {
        return; // SQLite: no server to drop a connection
    }
    let room = w.group(2).await;
    // The gateway's pool settings, with one connection so that the one the writer used is the
    // one killed.
    let writer_db = migration::connect_sized(&w.db.url, Some(1)).await.unwrap();
    let id_of = sea_orm::Statement::from_string(
        DatabaseBackend::MySql,
        "SELECT CAST(CONNECTION_ID() AS SIGNED) AS id",
    );
    let row = writer_db.query_one_raw(id_of).await.unwrap().unwrap();
    let held: i64 = row.try_get("", "id").unwrap();
    let queue = SendQueue::start(writer_db, PipelineConfig::default(), Arc::new(Unpublished));
    let send = |id: &str| Outgoing {
        sender: w.users[1],
        room: room.get(),
        client_id: client(id),
        body: text(id),
    };
    assert_eq!(queue.post(send("first")).await.unwrap().message.seq, 1);
    w.db.conn
        .execute_unprepared(&format!("KILL CONNECTION {held}"))
        .await
        .unwrap();
    assert_eq!(queue.post(send("second")).await.unwrap().message.seq, 2);
    assert_eq!(seqs_in(&w, room).await, [1, 2]);
}

#[tokio::test]
async fn a_batch_costs_a_fixed_number_of_statements_however_many_messages_and_rooms() {
    let w = world(3).await;
    let mut rooms = Vec::new();
    for _ in 0..20 {
        rooms.push(w.group(3).await);
    }
    let (conn, count) = counted(&w.db.conn);
    let mut pipeline = held_back(&conn);
    let lone = pipeline.submit(w.users[1], rooms[0], "lone", "x");
    pipeline.start();
    answer_of(lone).await.unwrap();
    let for_one = count.swap(0, Ordering::SeqCst);

    let mut pipeline = held_back(&conn);
    let replies: Vec<Reply> = (0..5)
        .map(|n| pipeline.submit(w.users[n % 3], rooms[1], &format!("r{n}"), "x"))
        .collect();
    pipeline.start();
    for reply in replies {
        assert!(answer_of(reply).await.unwrap().created);
    }
    let for_one_room = count.swap(0, Ordering::SeqCst);

    let mut pipeline = held_back(&conn);
    let replies: Vec<Reply> = (0..200)
        .map(|n| {
            let sender = w.users[n % 3];
            pipeline.submit(sender, rooms[n % 20], &format!("m{n}"), "x")
        })
        .collect();
    pipeline.start();
    for reply in replies {
        assert!(answer_of(reply).await.unwrap().created);
    }
    let for_many = count.swap(0, Ordering::SeqCst);
    // Lock, members, insert, read back the ids of a multi-row insert, rooms, markers: on
    // MySQL/MariaDB the last two are one statement, and a one-room batch locks and reads its
    // members in one; on MariaDB (10.5 and later, as every supported one is) the insert returns
    // its ids. Each writer asks a MySQL/MariaDB server for its version once, as it starts: the
    // "1 +". The server is asked here apart from the writer's own check, so that a check that
    // failed on MariaDB shows as one statement too many.
    let expected = match w.db.conn.get_database_backend() {
        DatabaseBackend::MySql if server_version(&w.db.conn).await.contains("MariaDB") => {
            (1 + 3, 1 + 3, 1 + 4)
        }
        DatabaseBackend::MySql => (1 + 3, 1 + 4, 1 + 5),
        _ => (5, 6, 6),
    };
    assert_eq!(
        (for_one, for_one_room, for_many),
        expected,
        "statements for 1 message, for 5 in one room, and for 200 in 20 rooms"
    );
}

async fn server_version(db: &sea_orm::DatabaseConnection) -> String {
    let version = sea_orm::Statement::from_string(DatabaseBackend::MySql, "SELECT VERSION() AS v");
    let row = db.query_one_raw(version).await.unwrap().unwrap();
    row.try_get("", "v").unwrap()
}

#[tokio::test]
async fn two_pipelines_on_one_database_keep_each_room_gapless_and_each_sender_in_order() {
    let w = world(4).await;
    let room = w.group(4).await;
    let config = PipelineConfig {
        writers: 2,
        queue: 1024,
        max_batch: 16,
    };
    let gateways = [
        SendQueue::start(w.db.conn.clone(), config, Arc::new(Unpublished)),
        SendQueue::start_unpublished(w.db.conn.clone()),
    ];
    let sends = (0..4).map(|sender| {
        let queue = gateways[sender % 2].clone();
        let user = w.users[sender];
        async move {
            let replies: Vec<Reply> = (0..40)
                .map(|n| {
                    let send = Outgoing {
                        sender: user,
                        room: room.get(),
                        client_id: client(&format!("s{sender}n{n}")),
                        body: text(&format!("{sender}:{n}")),
                    };
                    queue.try_submit(send).unwrap()
                })
                .collect();
            let mut seqs = Vec::new();
            for reply in replies {
                seqs.push(answer_of(reply).await.unwrap().message.seq);
            }
            seqs
        }
    });
    let per_sender = futures_util::future::join_all(sends).await;
    for seqs in &per_sender {
        assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "{seqs:?}");
    }
    let mut all: Vec<i64> = per_sender.concat();
    all.sort_unstable();
    assert_eq!(all, (1..=160).collect::<Vec<i64>>());
    // The stored order agrees with what each sender was told.
    let mut stored: HashMap<i64, String> = HashMap::new();
    for after in [Some("0"), Some("100")] {
        let history = w
            .chat
            .history(w.users[0], room, cursor(None, after, Some("100")))
            .await
            .unwrap();
        stored.extend(history.items.into_iter().map(|m| (m.seq, m.content)));
    }
    for (sender, seqs) in per_sender.iter().enumerate() {
        for (n, seq) in seqs.iter().enumerate() {
            assert_eq!(stored[seq], format!("{sender}:{n}"));
        }
    }
}

#[tokio::test]
async fn a_drain_stores_and_hands_on_everything_accepted_and_refuses_the_rest() {
    let w = world(2).await;
    let room = w.group(2).await;
    let published = Arc::new(Recorder::default());
    let queue = SendQueue::start(
        w.db.conn.clone(),
        PipelineConfig::default(),
        published.clone(),
    );
    let replies: Vec<Reply> = (0..50)
        .map(|n| {
            let send = Outgoing {
                sender: w.users[1],
                room: room.get(),
                client_id: client(&format!("d{n}")),
                body: text("before the exit"),
            };
            queue.try_submit(send).unwrap()
        })
        .collect();
    queue.drain().await;
    // Everything accepted before the drain is stored, answered and handed on...
    for reply in replies {
        assert!(answer_of(reply).await.is_ok());
    }
    let handed: usize = published.0.lock().unwrap().iter().map(Vec::len).sum();
    assert_eq!(handed, 50);
    assert_eq!(seqs_in(&w, room).await, (1..=50).collect::<Vec<i64>>());
    // ...and nothing more is taken.
    let late = Outgoing {
        sender: w.users[1],
        room: room.get(),
        client_id: client("late"),
        body: text("after the exit"),
    };
    assert!(matches!(
        queue.try_submit(late),
        Err(ChatError::Unavailable)
    ));
}

/// Sets a user's nickname straight in the database, as another gateway's profile update would.
async fn rename(w: &World, user: UserId, nick_name: &str) {
    use sea_orm::sea_query::Expr;
    use user::entity::{Column, Entity};
    Entity::update_many()
        .col_expr(Column::NickName, Expr::value(nick_name))
        .filter(Column::Id.eq(user.get()))
        .exec(&w.db.conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn after_a_profile_change_the_next_message_carries_the_new_name() {
    let w = world(3).await;
    let room = w.group(3).await;
    let queue = unpublished_queue(&w.db.conn);
    let send = |id: &str| Outgoing {
        sender: w.users[1],
        room: room.get(),
        client_id: client(id),
        body: text("x"),
    };
    let first = queue.post(send("before")).await.unwrap().message;
    let old_name = first.sender.nick_name.clone();
    rename(&w, w.users[1], "Renamed").await;
    queue.profiles_changed();
    let second = queue.post(send("after")).await.unwrap().message;
    assert_ne!(old_name, "Renamed");
    assert_eq!(second.sender.nick_name, "Renamed");
    assert_eq!(second.sender.id, w.users[1].get());
}
