//! Several gateways sharing MariaDB and Redis (the real-services run): fan-out across
//! processes, and no message lost when a gateway dies. Without Redis there is one gateway by
//! definition, so these tests are ignored in the embedded run (the skip shows) and the
//! real-services run includes them (`--include-ignored`); there they fail without Redis.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").expect("TEST_REDIS_URL: these tests need Redis")
}

async fn pair_in_room(app: &TestApp) -> (Registered, Registered, i64) {
    let (a, b) = (app.register("a").await, app.register("b").await);
    app.befriend(&a, &b).await;
    let body = json!({"friendId": b.id});
    let room: Value = app
        .post("/chatroom/create-one-to-one", Some(&a.token), &body)
        .await
        .json()
        .await
        .unwrap();
    (a, b, room["id"].as_i64().unwrap())
}

#[tokio::test]
#[ignore = "needs Redis (TEST_REDIS_URL): the real-services run includes it"]
async fn a_message_sent_on_one_gateway_reaches_sockets_on_the_other_once() {
    redis_url();
    let first = spawn_app().await;
    let second = first.peer().await;
    let (a, b, room) = pair_in_room(&first).await;
    let mut on_first = first.socket(&a.token).await;
    let mut on_second = second.socket(&b.token).await;
    on_first.join(room, None).await;
    on_second.join(room, None).await;
    let ack = on_first.say(room, "x1", "across").await;
    for socket in [&mut on_first, &mut on_second] {
        let message = socket.message().await;
        assert_eq!(
            (message["id"].clone(), message["content"].clone()),
            (ack["id"].clone(), json!("across"))
        );
        // Exactly once: the next frame is the answer to this ping, not a second copy.
        socket.send(json!({"event": "ping"})).await;
        socket.expect("pong").await;
    }
    let body = json!({"clientId": "h1", "type": "text", "content": "via http on the second"});
    let sent = second
        .post(&format!("/chatroom/{room}/messages"), Some(&b.token), &body)
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    assert_eq!(
        on_first.message().await["content"],
        "via http on the second"
    );
    assert_eq!(
        on_second.message().await["content"],
        "via http on the second"
    );
}

#[tokio::test]
#[ignore = "needs Redis (TEST_REDIS_URL): the real-services run includes it"]
async fn nothing_is_lost_when_a_gateway_dies() {
    redis_url();
    let first = spawn_app().await;
    let second = first.peer().await;
    let (a, b, room) = pair_in_room(&first).await;
    let mut reader = second.socket(&b.token).await;
    reader.join(room, None).await;
    let send = |n: usize| {
        let (first, token) = (&first, a.token.clone());
        async move {
            let body =
                json!({"clientId": format!("k{n}"), "type": "text", "content": format!("m{n}")});
            let response = first
                .post(&format!("/chatroom/{room}/messages"), Some(&token), &body)
                .await;
            assert_eq!(response.status(), StatusCode::CREATED);
        }
    };
    let mut seen = Vec::new();
    for n in 1..=10 {
        send(n).await;
    }
    for _ in 0..5 {
        seen.push(reader.message().await["seq"].as_i64().unwrap());
    }
    second.stop.kill().await;
    // While it is down, more messages are stored through the surviving gateway.
    for n in 11..=20 {
        send(n).await;
    }
    let mut resumed = first.socket(&b.token).await;
    let after = *seen.iter().max().unwrap();
    assert_eq!(resumed.join(room, Some(after)).await["lastSeq"], 20);
    for n in 21..=25 {
        send(n).await;
    }
    while seen.len() < 25 {
        seen.push(resumed.message().await["seq"].as_i64().unwrap());
    }
    assert_eq!(
        seen,
        (1..=25).collect::<Vec<i64>>(),
        "every message once, in order"
    );
}

#[tokio::test]
#[ignore = "needs Redis (TEST_REDIS_URL): the real-services run includes it"]
async fn a_password_reset_closes_the_users_sockets_on_every_gateway() {
    redis_url();
    let first = spawn_app().await;
    let second = first.peer().await;
    let user = first.register("everywhere").await;
    let mut here = first.socket(&user.token).await;
    let mut there = second.socket(&user.token).await;
    for socket in [&mut here, &mut there] {
        socket.send(json!({"event": "ping"})).await;
        socket.expect("pong").await;
    }
    first.reset_password(&user, "brand-new-pw").await;
    assert_eq!(here.closed_with().await, 4001);
    assert_eq!(there.closed_with().await, 4001);
}

#[tokio::test]
#[ignore = "needs Redis (TEST_REDIS_URL): the real-services run includes it"]
async fn sockets_stay_open_when_redis_drops_the_gateway_and_miss_nothing() {
    let url = redis_url();
    // A Redis user of this gateway's own, so that only its connections are dropped.
    let admin = redis::Client::open(url.as_str()).unwrap();
    let mut admin = admin.get_multiplexed_async_connection().await.unwrap();
    let user = test_support::unique("gateway-");
    redis::cmd("ACL")
        .arg(&["SETUSER", &user, "on", ">pw", "~*", "&*", "+@all"])
        .query_async::<()>(&mut admin)
        .await
        .unwrap();
    let own = url.replacen("redis://", &format!("redis://{user}:pw@"), 1);
    let app = spawn_app_with(|figment| figment.merge(("redis_url", own))).await;
    let (a, b, room) = pair_in_room(&app).await;
    let mut reader = app.socket(&b.token).await;
    reader.join(room, None).await;

    // Redis drops every connection of the gateway, its subscription among them.
    let dropped: i64 = redis::cmd("CLIENT")
        .arg(&["KILL", "USER", &user])
        .query_async(&mut admin)
        .await
        .unwrap();
    assert!(dropped >= 1);
    // Sent while the subscription is being made again: its publish may reach nobody.
    let body = json!({"clientId": "gap", "type": "text", "content": "in the gap"});
    let sent = app
        .post(&format!("/chatroom/{room}/messages"), Some(&a.token), &body)
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    // The socket stays open and gets it (from the bus, or from the database after the
    // resubscribe), once.
    assert_eq!(reader.message().await["content"], "in the gap");
    reader.send(json!({"event": "ping"})).await;
    reader.expect("pong").await;
    assert!(app.metric("chat_bus_reconnects_total").await >= 1.0);
    redis::cmd("ACL")
        .arg(&["DELUSER", &user])
        .query_async::<()>(&mut admin)
        .await
        .unwrap();
}
