//! The WebSocket hub through real sockets.
use crate::helpers::*;
use crate::ws_client::*;
use chatroom::RoomId;
use reqwest::StatusCode;
use serde_json::{Value, json};
use user::UserId;

/// A group of the owner and `friends` others (all the owner's friends), and its id.
pub async fn group(app: &TestApp, friends: usize) -> (Vec<Registered>, i64) {
    let owner = app.register("own").await;
    let mut people = vec![];
    for n in 0..friends {
        let friend = app.register(&format!("f{n}")).await;
        app.befriend(&owner, &friend).await;
        people.push(friend);
    }
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let room = create_group(app, &owner, "room", &ids).await;
    people.insert(0, owner);
    (people, room)
}

#[tokio::test]
async fn a_bad_token_gets_401_and_no_socket() {
    let app = spawn_app().await;
    assert_eq!(app.refused_upgrade("").await, 401);
    assert_eq!(app.refused_upgrade("?token=garbage").await, 401);
    let body = app.get("/chat?token=garbage", None).await;
    assert_error(body, 401, "token_invalid").await;
}

#[tokio::test]
async fn two_friends_chat_and_the_sender_is_the_token_user() {
    let app = spawn_app().await;
    let (people, _) = group(&app, 1).await;
    let body = json!({"friendId": people[1].id});
    let direct: Value = app
        .post("/chatroom/create-one-to-one", Some(&people[0].token), &body)
        .await
        .json()
        .await
        .unwrap();
    let room = direct["id"].as_i64().unwrap();
    let (mut a, mut b) = (
        app.socket(&people[0].token).await,
        app.socket(&people[1].token).await,
    );
    assert_eq!(
        a.join(room, None).await,
        json!({"chatroomId": room, "lastSeq": 0})
    );
    b.join(room, None).await;
    // Whatever the frame claims, the sender is the token's user.
    let data = json!({"chatroomId": room, "clientId": "m1", "userId": people[1].id,
        "sender": {"id": people[1].id}, "message": {"type": "text", "content": "hello"}});
    a.send(json!({"event": "sendMessage", "data": data})).await;
    let ack = a.expect("ack").await;
    assert_eq!(
        (
            ack["clientId"].clone(),
            ack["chatroomId"].clone(),
            ack["seq"].clone()
        ),
        (json!("m1"), json!(room), json!(1))
    );
    for socket in [&mut a, &mut b] {
        let frame = socket.expect("message").await;
        assert_eq!(
            (frame["type"].clone(), frame["userId"].clone()),
            (json!("sendMessage"), json!(people[0].id))
        );
        assert_eq!(frame["message"]["sender"]["id"], people[0].id);
        assert_eq!(
            (
                frame["message"]["content"].clone(),
                frame["message"]["id"].clone()
            ),
            (json!("hello"), ack["id"].clone())
        );
    }
    // HTTP sends reach sockets too.
    let body = json!({"clientId": "h1", "type": "text", "content": "over http"});
    assert_eq!(
        app.post(
            &format!("/chatroom/{room}/messages"),
            Some(&people[1].token),
            &body
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    assert_eq!(a.message().await["content"], "over http");
    assert_eq!(b.message().await["content"], "over http");
    a.send(json!({"event": "ping", "data": {}})).await;
    assert_eq!(a.expect("pong").await, json!({}));
}

#[tokio::test]
async fn twenty_sockets_receive_every_message_in_one_order() {
    let app = spawn_app().await;
    let (people, room) = group(&app, 19).await;
    let mut sockets = Vec::new();
    for person in &people {
        let mut socket = app.socket(&person.token).await;
        socket.join(room, None).await;
        sockets.push(socket);
    }
    // Five senders at once, over HTTP.
    let sends = (0..5).flat_map(|sender| (0..6).map(move |n| (sender, n))).map(|(sender, n)| {
        let (app, token) = (&app, people[sender].token.clone());
        async move {
            let body = json!({"clientId": format!("s{sender}-{n}"), "type": "text", "content": format!("{sender}/{n}")});
            let response = app.post(&format!("/chatroom/{room}/messages"), Some(&token), &body).await;
            assert_eq!(response.status(), StatusCode::CREATED);
        }
    });
    futures_util::future::join_all(sends).await;
    let mut orders = Vec::new();
    for socket in &mut sockets {
        let mut ids = Vec::new();
        for _ in 0..30 {
            ids.push(socket.message().await["id"].as_i64().unwrap());
        }
        orders.push(ids);
    }
    assert!(
        orders.iter().all(|order| order == &orders[0]),
        "one order for everyone"
    );
    let mut unique = orders[0].clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 30);
}

#[tokio::test]
async fn non_members_and_bad_frames_get_error_frames() {
    let app = spawn_app().await;
    let (people, room) = group(&app, 1).await;
    let outsider = app.register("out").await;
    let mut socket = app.socket(&outsider.token).await;
    socket
        .send(json!({"event": "joinRoom", "data": {"chatroomId": room}}))
        .await;
    let error = socket.expect("error").await;
    assert_eq!(
        (error["code"].clone(), error["chatroomId"].clone()),
        (json!("room_not_found"), json!(room))
    );
    socket.send_text(room, "x", "hi").await;
    let error = socket.expect("error").await;
    assert_eq!(
        (error["code"].clone(), error["clientId"].clone()),
        (json!("room_not_found"), json!("x"))
    );
    socket.send_raw("this is not json".into()).await;
    assert_eq!(socket.expect("error").await["code"], "invalid_frame");
    socket.send(json!({"event": "dance", "data": {}})).await;
    assert_eq!(socket.expect("error").await["code"], "unknown_event");
    let mut member = app.socket(&people[0].token).await;
    member.join(room, None).await;
    member.send_text(room, "bad id!", "hi").await;
    assert_eq!(member.expect("error").await["code"], "validation_failed");
    member.send_text(room, "long", &"x".repeat(4001)).await;
    assert_eq!(member.expect("error").await["code"], "validation_failed");
    // Still open and answering.
    member.send(json!({"event": "ping"})).await;
    member.expect("pong").await;
    let history = app.history(&people[0], room).await;
    assert_eq!(history["items"], json!([]), "nothing refused was stored");
}

#[tokio::test]
async fn a_resent_client_id_gets_the_same_ack_and_one_message() {
    let app = spawn_app().await;
    let (people, room) = group(&app, 1).await;
    let mut socket = app.socket(&people[0].token).await;
    socket.join(room, None).await;
    let first = socket.say(room, "same", "once").await;
    socket.message().await;
    let again = socket.say(room, "same", "twice?").await;
    assert_eq!(first, again);
    socket.send(json!({"event": "ping"})).await;
    socket.expect("pong").await;
    let history = app.history(&people[0], room).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn joining_with_after_seq_replays_what_was_missed() {
    let app = spawn_app().await;
    let (people, room) = group(&app, 1).await;
    let mut sender = app.socket(&people[0].token).await;
    sender.join(room, None).await;
    for n in 1..=5 {
        sender.say(room, &format!("c{n}"), &format!("m{n}")).await;
        sender.message().await;
    }
    let mut late = app.socket(&people[1].token).await;
    assert_eq!(late.join(room, Some(2)).await["lastSeq"], 5);
    let mut seqs = Vec::new();
    for _ in 0..3 {
        seqs.push(late.message().await["seq"].as_i64().unwrap());
    }
    sender.say(room, "c6", "m6").await;
    sender.message().await;
    seqs.push(late.message().await["seq"].as_i64().unwrap());
    assert_eq!(seqs, [3, 4, 5, 6]);
    let mut fresh = app.socket(&people[1].token).await;
    fresh.join(room, None).await;
    sender.say(room, "c7", "m7").await;
    assert_eq!(
        fresh.message().await["seq"],
        7,
        "no replay without afterSeq"
    );
}

#[tokio::test]
async fn membership_changes_take_effect_live() {
    let app = spawn_app().await;
    let (people, room) = group(&app, 2).await;
    let mut owner = app.socket(&people[0].token).await;
    owner.join(room, None).await;
    let mut leaver = app.socket(&people[1].token).await;
    leaver.join(room, None).await;
    let exit = app
        .post(
            &format!("/chatroom/{room}/exit"),
            Some(&people[1].token),
            &json!({}),
        )
        .await;
    assert_eq!(exit.status(), StatusCode::OK);
    assert_eq!(leaver.expect("left").await, json!({"chatroomId": room}));
    // The ones who stay are told (API.md §7).
    let exited = owner.expect("message").await;
    assert_eq!(
        (&exited["type"], &exited["userId"]),
        (&json!("exitRoom"), &json!(people[1].id))
    );
    owner.say(room, "after-exit", "you are gone").await;
    owner.message().await;
    leaver.send(json!({"event": "ping"})).await;
    leaver.expect("pong").await;

    // An invited friend's open socket gets the room without joining.
    let newcomer = app.register("new").await;
    app.befriend(&people[0], &newcomer).await;
    assert_eq!(
        owner.expect("friendAdded").await["friend"]["id"],
        newcomer.id
    );
    let mut invited = app.socket(&newcomer.token).await;
    invited.send(json!({"event": "ping"})).await;
    invited.expect("pong").await;
    let join = app
        .post(
            &format!("/chatroom/{room}/join"),
            Some(&people[0].token),
            &json!({"username": newcomer.username}),
        )
        .await;
    assert_eq!(join.status(), StatusCode::OK);
    for socket in [&mut owner, &mut invited] {
        let event = socket.expect("message").await;
        assert_eq!(
            event,
            json!({"type": "joinRoom", "userId": newcomer.id, "chatroomId": room})
        );
    }
    owner.say(room, "welcome", "welcome").await;
    assert_eq!(invited.message().await["content"], "welcome");
}

#[tokio::test]
async fn oversized_frames_close_the_socket_with_1009() {
    let app = spawn_app().await;
    let user = app.register("big").await;
    let mut socket = app.socket(&user.token).await;
    socket.send_raw("x".repeat(70 * 1024)).await;
    assert_eq!(socket.closed_with().await, 1009);
}

#[tokio::test]
async fn long_frames_and_runs_of_short_ones_arrive_whole_and_in_order() {
    // The server copies what a read gave when it is under 1 KiB and passes longer reads on as
    // they are (vendor/actix-http): both ways must keep every byte, and the order.
    let app = spawn_app().await;
    let (people, room) = group(&app, 1).await;
    let (mut a, mut b) = (
        app.socket(&people[0].token).await,
        app.socket(&people[1].token).await,
    );
    a.join(room, None).await;
    b.join(room, None).await;
    let alphabet: String = (0..4000)
        .map(|n| char::from(b'a' + (n % 26) as u8))
        .collect();
    let mut texts = vec![alphabet, "é".repeat(1500)];
    texts.extend((0..10).map(|n| format!("short {n}")));
    // Sent without waiting: the short ones mostly reach the server several to a read.
    for (n, text) in texts.iter().enumerate() {
        a.send_text(room, &format!("c{n}"), text).await;
    }
    for (n, text) in texts.iter().enumerate() {
        let message = b.message().await;
        assert_eq!(message["content"], text.as_str());
        assert_eq!(message["seq"], n + 1);
    }
}

#[tokio::test]
async fn a_frame_split_over_two_writes_arrives_whole() {
    use tokio::io::AsyncWriteExt;
    // A frame's head and most of its text in one write, a tail under 1 KiB in the next: the
    // server reads them apart (mostly; on loopback they may also come together), and the
    // frame must come out whole either way.
    let app = spawn_app().await;
    let (people, room) = group(&app, 1).await;
    let mut tcp = app.silent_socket(&people[0].token, None).await;
    tcp.set_nodelay(true).unwrap();
    let text: String = (0..1500)
        .map(|n| char::from(b'A' + (n % 26) as u8))
        .collect();
    let data = json!({"chatroomId": room, "clientId": "split",
        "message": {"type": "text", "content": text}});
    let frame = masked_text(
        json!({"event": "sendMessage", "data": data})
            .to_string()
            .as_bytes(),
    );
    let (head, tail) = frame.split_at(frame.len() - 500);
    tcp.write_all(head).await.unwrap();
    tokio::task::yield_now().await;
    tcp.write_all(tail).await.unwrap();
    let ack = loop {
        let frame: Value = serde_json::from_str(&read_text_frame(&mut tcp).await).unwrap();
        if frame["event"] == "ack" {
            break frame["data"].clone();
        }
    };
    assert_eq!(
        (ack["clientId"].clone(), ack["seq"].clone()),
        (json!("split"), json!(1))
    );
    let path = format!("/chatroom/{room}/messages");
    let history = get_json(&app, &people[1], &path).await;
    assert_eq!(history["items"][0]["content"], text.as_str());
}

/// The next text frame the server sends on a bare socket (pings skipped).
async fn read_text_frame(tcp: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    loop {
        let mut head = [0u8; 2];
        tcp.read_exact(&mut head).await.unwrap();
        let len = match head[1] & 0x7f {
            126 => usize::from(tcp.read_u16().await.unwrap()),
            127 => usize::try_from(tcp.read_u64().await.unwrap()).unwrap(),
            len => usize::from(len),
        };
        let mut payload = vec![0u8; len];
        tcp.read_exact(&mut payload).await.unwrap();
        if head[0] & 0x0f == 0x1 {
            return String::from_utf8(payload).unwrap();
        }
    }
}

#[tokio::test]
async fn a_silent_client_is_dropped_after_the_heartbeat_timeout() {
    let app = spawn_app_with(|f| {
        f.merge(("ws.ping_interval_ms", 50))
            .merge(("ws.idle_timeout_ms", 200))
    })
    .await;
    let user = app.register("quiet").await;
    let mut tcp = app.silent_socket(&user.token, None).await;
    let bytes = read_until_closed(&mut tcp).await;
    // 0x89 starts a ping frame, 0x88 a close frame.
    assert!(bytes.contains(&0x89) && bytes.contains(&0x88), "{bytes:?}");
}

#[tokio::test]
async fn a_reader_that_stops_is_disconnected_without_slowing_the_room() {
    let app =
        spawn_app_with(|f| f.merge(("ws.queue", 4)).merge(("ws.write_timeout_ms", 300))).await;
    let (people, room) = group(&app, 2).await;
    let mut slow = app.silent_socket(&people[1].token, Some(4096)).await;
    let join = json!({"event": "joinRoom", "data": {"chatroomId": room}}).to_string();
    write_masked_text(&mut slow, join.as_bytes()).await;
    let mut fast = app.socket(&people[2].token).await;
    fast.join(room, None).await;
    // The sender does not join: it only reads its acks.
    let mut sender = app.socket(&people[0].token).await;
    // 4,000 four-byte characters: 16 KB a frame, so the kernel's socket buffers (a few MB on
    // loopback) fill long before the last one.
    let big = "😀".repeat(4000);
    let total = 600;
    for n in 0..total {
        sender.say(room, &format!("b{n}"), &big).await;
        assert_eq!(fast.message().await["seq"], n + 1, "the room keeps flowing");
    }
    let bytes = read_until_closed(&mut slow).await;
    assert!(
        bytes.len() < total as usize * 16_000,
        "the slow socket was cut off, got {} bytes",
        bytes.len()
    );
}

/// Writes one masked text frame by hand (clients must mask).
pub async fn write_masked_text(tcp: &mut tokio::net::TcpStream, payload: &[u8]) {
    use tokio::io::AsyncWriteExt;
    tcp.write_all(&masked_text(payload)).await.unwrap();
}

/// One masked text frame, as a client sends it.
fn masked_text(payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x81u8];
    match u16::try_from(payload.len()) {
        Ok(short) if short < 126 => frame.push(0x80 | short as u8),
        Ok(medium) => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&medium.to_be_bytes());
        }
        Err(_) => panic!("frames over 64 KiB are not needed here"),
    }
    let mask = [1u8, 2, 3, 4];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

#[tokio::test]
async fn shutdown_closes_sockets_with_1001() {
    let app = spawn_app().await;
    let user = app.register("bye").await;
    let mut socket = app.socket(&user.token).await;
    socket.send(json!({"event": "ping"})).await;
    socket.expect("pong").await;
    let stop = app.stop.clone();
    let stopping = tokio::spawn(async move { stop.stop().await });
    assert_eq!(socket.closed_with().await, 1001);
    stopping.await.unwrap();
}

#[tokio::test]
async fn sending_too_fast_is_refused_with_rate_limited() {
    let app = spawn_app_with(|f| {
        f.merge(("limits.rate_limits", "on"))
            .merge(("ws.sends_per_sec", 0.001))
            .merge(("ws.send_burst", 2.0))
    })
    .await;
    let (people, room) = group(&app, 1).await;
    let mut socket = app.socket(&people[0].token).await;
    socket.say(room, "r1", "one").await;
    socket.say(room, "r2", "two").await;
    socket.send_text(room, "r3", "three").await;
    let error = socket.expect("error").await;
    assert_eq!(
        (error["code"].clone(), error["clientId"].clone()),
        (json!("rate_limited"), json!("r3"))
    );
    let history = app.history(&people[0], room).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn joins_and_other_frames_have_budgets_too() {
    let app = spawn_app_with(|f| {
        f.merge(("limits.rate_limits", "on"))
            .merge(("ws.joins_per_sec", 0.001))
            .merge(("ws.join_burst", 2.0))
            .merge(("ws.other_frames_per_sec", 0.001))
            .merge(("ws.other_frame_burst", 2.0))
    })
    .await;
    let (people, room) = group(&app, 1).await;
    let mut socket = app.socket(&people[0].token).await;
    socket.join(room, None).await;
    socket.join(room, Some(0)).await;
    socket
        .send(json!({"event": "joinRoom", "data": {"chatroomId": room, "afterSeq": 0}}))
        .await;
    let error = socket.expect("error").await;
    assert_eq!(
        (error["code"].clone(), error["chatroomId"].clone()),
        (json!("rate_limited"), json!(room))
    );
    // Reads, leaves and pings share the other budget.
    socket
        .send(json!({"event": "read", "data": {"chatroomId": room, "seq": 0}}))
        .await;
    socket.send(json!({"event": "ping"})).await;
    socket.expect("pong").await;
    socket.send(json!({"event": "ping"})).await;
    let error = socket.expect("error").await;
    assert_eq!(error["code"], "rate_limited");
    // Sends keep their own budget.
    socket.say(room, "s1", "still fine").await;
}

#[tokio::test]
async fn a_password_reset_closes_the_users_open_sockets_at_once() {
    let app = spawn_app().await;
    let (user, other) = (
        app.register("revoked").await,
        app.register("bystander").await,
    );
    let mut revoked = app.socket(&user.token).await;
    let mut bystander = app.socket(&other.token).await;
    for socket in [&mut revoked, &mut bystander] {
        socket.send(json!({"event": "ping"})).await;
        socket.expect("pong").await;
    }
    app.reset_password(&user, "brand-new-pw").await;
    assert_eq!(revoked.closed_with().await, 4001);
    bystander.send(json!({"event": "ping"})).await;
    bystander.expect("pong").await;
}

#[tokio::test]
async fn a_socket_closes_when_its_token_expires() {
    let app = spawn_app_with(|f| f.merge(("token_ttl_secs", 3))).await;
    let user = app.register("expiring").await;
    let mut socket = app.socket(&user.token).await;
    socket.send(json!({"event": "ping"})).await;
    socket.expect("pong").await;
    assert_eq!(socket.closed_with().await, 4001);
}

#[tokio::test]
async fn a_new_room_reaches_its_members_open_sockets() {
    let app = spawn_app().await;
    let owner = app.register("creator").await;
    let friend = app.register("member").await;
    app.befriend(&owner, &friend).await;
    let mut watching = app.socket(&friend.token).await;
    watching.send(json!({"event": "ping"})).await;
    watching.expect("pong").await;

    let room = create_group(&app, &owner, "fresh", &[friend.id]).await;
    // One announcement for the whole room, naming its creator; the socket is in the room.
    let event = watching.expect("message").await;
    assert_eq!(
        (&event["type"], &event["chatroomId"], &event["userId"]),
        (&json!("joinRoom"), &json!(room), &json!(owner.id))
    );
    // Without a joinRoom of its own, the socket already gets the room's messages.
    send(&app, &owner, room, "first", "hello, new room").await;
    assert_eq!(watching.message().await["content"], "hello, new room");

    // A direct room, too.
    let third = app.register("third").await;
    app.befriend(&third, &friend).await;
    // The friendship itself reaches the open socket first (API.md §7).
    assert_eq!(
        watching.expect("friendRequest").await["request"]["fromUser"]["id"],
        third.id
    );
    assert_eq!(
        watching.expect("friendAdded").await["friend"]["id"],
        third.id
    );
    let (status, direct_room) = direct(&app, &third, &friend).await;
    assert_eq!(status, StatusCode::CREATED);
    let event = watching.expect("message").await;
    assert_eq!(event["chatroomId"], direct_room["id"]);
}

#[tokio::test]
async fn a_message_stored_but_never_published_is_filled_in_before_the_next_one() {
    let app = spawn_app_with(|f| f.merge(("ws.catch_up_ms", 0))).await;
    let (people, room) = group(&app, 1).await;
    let mut reader = app.socket(&people[1].token).await;
    reader.join(room, Some(0)).await;
    let mut writer = app.socket(&people[0].token).await;
    writer.join(room, Some(0)).await;
    writer.send_text(room, "one", "first").await;
    assert_eq!(reader.message().await["seq"], 1);

    // As if the sender's gateway died after storing seq 2 and before publishing it.
    store_unpublished(&app, &people[0], room, "lost").await;

    writer.send_text(room, "three", "third").await;
    let filled = reader.message().await;
    assert_eq!(
        (filled["seq"].clone(), filled["content"].clone()),
        (json!(2), json!("stored, never published"))
    );
    assert_eq!(reader.message().await["seq"], 3);
}

/// Stores a message as a gateway would that died between the commit and the publish.
async fn store_unpublished(app: &TestApp, sender: &Registered, room: i64, client_id: &str) {
    use chat::{ChatService, ClientId, MessageBody, MessageKind, SeaChatService};
    let unpublished = chat::SendQueue::start_unpublished(app.db().clone());
    let chat = SeaChatService::new(app.db().clone(), unpublished);
    let body = MessageBody::parse(MessageKind::Text, "stored, never published", "x").unwrap();
    let client = ClientId::parse(client_id).unwrap();
    chat.post_message(UserId::new(sender.id), RoomId::new(room), &client, &body)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_message_never_published_still_reaches_a_quiet_room() {
    let app = spawn_app_with(|f| f.merge(("ws.catch_up_ms", 100))).await;
    let (people, room) = group(&app, 1).await;
    let mut reader = app.socket(&people[1].token).await;
    reader.join(room, Some(0)).await;
    store_unpublished(&app, &people[0], room, "lost").await;
    // Nothing else is said in the room: the gateway's catch-up finds it in the database.
    let caught = reader.message().await;
    assert_eq!(
        (caught["seq"].clone(), caught["content"].clone()),
        (json!(1), json!("stored, never published"))
    );
    reader.send(json!({"event": "ping"})).await;
    reader.expect("pong").await;
}

#[tokio::test]
async fn a_socket_whose_user_left_stops_receiving_even_if_the_news_was_lost() {
    use chatroom::{ChatroomService, SeaChatroomService};
    let app = spawn_app_with(|f| f.merge(("ws.catch_up_ms", 100))).await;
    let (people, room) = group(&app, 2).await;
    let mut leaver = app.socket(&people[2].token).await;
    leaver.join(room, None).await;
    // Left in the database only: the "member left" event never went out.
    SeaChatroomService::new(app.db().clone())
        .exit(UserId::new(people[2].id), RoomId::new(room))
        .await
        .unwrap();
    assert_eq!(leaver.expect("left").await["chatroomId"], room);
    let mut sender = app.socket(&people[0].token).await;
    sender.say(room, "after", "not for the one who left").await;
    leaver.send(json!({"event": "ping"})).await;
    leaver.expect("pong").await;
}

#[tokio::test]
async fn a_repeated_client_id_publishes_the_stored_message_again() {
    let app = spawn_app_with(|f| f.merge(("ws.catch_up_ms", 0))).await;
    let (people, room) = group(&app, 1).await;
    let mut reader = app.socket(&people[1].token).await;
    reader.join(room, Some(0)).await;
    store_unpublished(&app, &people[0], room, "retried").await;
    // The sender never got an answer and sends again with the same clientId.
    let mut sender = app.socket(&people[0].token).await;
    let ack = sender.say(room, "retried", "typed again").await;
    assert_eq!(ack["seq"], 1);
    let again = reader.message().await;
    assert_eq!(
        (again["seq"].clone(), again["content"].clone()),
        (json!(1), json!("stored, never published"))
    );
}

#[tokio::test]
async fn sockets_per_user_and_rooms_per_socket_are_bounded() {
    let app = spawn_app_with(|f| {
        f.merge(("ws.max_sockets_per_user", 2))
            .merge(("ws.max_rooms_per_socket", 1))
    })
    .await;
    let (people, room) = group(&app, 1).await;
    let owner = &people[0];
    let other = create_group(&app, owner, "second", &[]).await;
    let mut first = app.socket(&owner.token).await;
    let second = app.socket(&owner.token).await;
    let query = format!("?token={}", owner.token);
    assert_eq!(app.refused_upgrade(&query).await, 429);
    // Another user is not affected; a closed socket frees its slot.
    let _theirs = app.socket(&people[1].token).await;
    drop(second);
    let url = format!("ws://127.0.0.1:{}/chat{query}", app.port);
    let mut reopened = false;
    for _ in 0..200 {
        if tokio_tungstenite::connect_async(url.as_str()).await.is_ok() {
            reopened = true;
            break;
        }
        // One round trip on the open socket before trying again.
        first.send(json!({"event": "ping"})).await;
        first.expect("pong").await;
    }
    assert!(reopened, "the slot of a closed socket came back");

    first.join(room, None).await;
    first
        .send(json!({"event": "joinRoom", "data": {"chatroomId": other}}))
        .await;
    let refusal = loop {
        let frame = first.next().await;
        if frame["event"] == "error" {
            break frame["data"].clone();
        }
    };
    assert_eq!(
        (refusal["code"].clone(), refusal["chatroomId"].clone()),
        (json!("too_many_rooms"), json!(other))
    );
}

#[tokio::test]
async fn a_room_left_no_longer_counts_toward_the_rooms_of_a_socket() {
    let app = spawn_app_with(|f| f.merge(("ws.max_rooms_per_socket", 1))).await;
    let (people, room) = group(&app, 1).await;
    let member = &people[1];
    let other = create_group(&app, &people[0], "other", &[member.id]).await;
    let mut socket = app.socket(&member.token).await;
    socket.join(room, None).await;
    let left = app
        .post(
            &format!("/chatroom/{room}/exit"),
            Some(&member.token),
            &json!({}),
        )
        .await;
    assert_eq!(left.status(), StatusCode::OK);
    assert_eq!(socket.expect("left").await["chatroomId"], room);
    let joined = socket.join(other, None).await;
    assert_eq!(joined["chatroomId"], other);
}

#[tokio::test]
async fn friend_requests_and_friendships_reach_both_peoples_sockets_live() {
    let app = spawn_app().await;
    let (a, b) = (app.register("asker").await, app.register("asked").await);
    let (mut on_a, mut on_b) = (app.socket(&a.token).await, app.socket(&b.token).await);
    for socket in [&mut on_a, &mut on_b] {
        socket.send(json!({"event": "ping"})).await;
        socket.expect("pong").await;
    }
    let body = json!({"username": b.username, "reason": "hi"});
    let sent: Value = app
        .post("/friendship/add", Some(&a.token), &body)
        .await
        .json()
        .await
        .unwrap();
    // API.md §7: the addressee sees the request as `/friend_request/list` shows it.
    let arrived = on_b.expect("friendRequest").await;
    assert_eq!(arrived["request"], sent);
    let agree = format!("/friend_request/agree/{}", sent["id"]);
    let agreed = app.post(&agree, Some(&b.token), &json!({})).await;
    assert_eq!(agreed.status(), StatusCode::OK);
    assert_eq!(on_a.expect("friendAdded").await["friend"]["id"], b.id);
    assert_eq!(on_b.expect("friendAdded").await["friend"]["id"], a.id);
    let removed = app
        .client
        .delete(format!("{}/friendship/{}", app.base, b.id))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    assert_eq!(on_a.expect("friendRemoved").await, json!({"userId": b.id}));
    assert_eq!(on_b.expect("friendRemoved").await, json!({"userId": a.id}));
}

#[tokio::test]
async fn the_others_in_a_group_hear_when_someone_leaves() {
    let app = spawn_app().await;
    let (people, room) = group(&app, 2).await;
    let mut stays = app.socket(&people[1].token).await;
    stays.join(room, None).await;
    let exit = format!("/chatroom/{room}/exit");
    let left = app.post(&exit, Some(&people[2].token), &json!({})).await;
    assert_eq!(left.status(), StatusCode::OK);
    let event = stays.expect("message").await;
    assert_eq!(
        event,
        json!({"type": "exitRoom", "userId": people[2].id, "chatroomId": room})
    );
}

#[tokio::test]
async fn a_negative_read_seq_is_refused_as_over_http() {
    let app = spawn_app().await;
    let (people, room) = group(&app, 1).await;
    let mut socket = app.socket(&people[0].token).await;
    socket.join(room, None).await;
    socket
        .send(json!({"event": "read", "data": {"chatroomId": room, "seq": -1}}))
        .await;
    let error = socket.expect("error").await;
    assert_eq!(
        (error["code"].clone(), error["chatroomId"].clone()),
        (json!("validation_failed"), json!(room))
    );
    let body = json!({"seq": -1});
    let http = app
        .post(
            &format!("/chatroom/{room}/read"),
            Some(&people[0].token),
            &body,
        )
        .await;
    assert_eq!(http.status(), reqwest::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_message_sent_after_a_name_change_carries_the_new_name() {
    let app = spawn_app().await;
    let (people, room) = group(&app, 1).await;
    let mut socket = app.socket(&people[0].token).await;
    socket.join(room, None).await;
    socket.say(room, "before", "hi").await;
    let before = socket.message().await;
    let renamed = app
        .post(
            "/user/update",
            Some(people[0].token.as_str()),
            &json!({"nickName": "Renamed"}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    socket.say(room, "after", "hi again").await;
    let after = socket.message().await;
    assert_ne!(before["sender"]["nickName"], "Renamed");
    assert_eq!(after["sender"]["nickName"], "Renamed");
}
