//! `/chatroom` and room messages through HTTP.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn two_friends_get_exactly_one_direct_room() {
    let app = spawn_app().await;
    let (a, b) = (app.register("a").await, app.register("b").await);
    let (status, _) = direct(&app, &a, &b).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not friends yet");
    app.befriend(&a, &b).await;
    let (status, room) = direct(&app, &a, &b).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (room["type"].clone(), room["userCount"].clone()),
        (json!("direct"), json!(2))
    );
    assert!(room["name"].as_str().unwrap().contains(&b.username));
    let (status, again) = direct(&app, &b, &a).await;
    assert_eq!(
        (status, again["id"].clone()),
        (StatusCode::OK, room["id"].clone())
    );
    let add = app
        .post(
            "/chatroom/add",
            Some(&a.token),
            &json!({"type": "direct", "friendId": b.id}),
        )
        .await;
    assert_eq!(add.status(), StatusCode::OK);
    assert_eq!(add.json::<Value>().await.unwrap()["id"], room["id"]);
    let found = get_json(&app, &b, &format!("/chatroom/direct?friendId={}", a.id)).await;
    assert_eq!(found["id"], room["id"]);
    let mine = get_json(&app, &a, "/chatroom").await;
    assert_eq!(mine["total"], 1);
    // API.md §7: the other person, so a client can show their picture.
    let peer = &mine["items"][0]["peer"];
    assert_eq!(
        (peer["id"].clone(), peer["username"].clone()),
        (json!(b.id), json!(b.username))
    );
}

#[tokio::test]
async fn a_group_of_five_chats_in_order_with_unread_counts() {
    let app = spawn_app().await;
    let owner = app.register("owner").await;
    let mut others = Vec::new();
    for n in 0..4 {
        let friend = app.register(&format!("m{n}")).await;
        app.befriend(&owner, &friend).await;
        others.push(friend);
    }
    let body = json!({"name": "Five", "memberIds": [others[0].id, others[1].id]});
    let created = app
        .post("/chatroom/create-group", Some(&owner.token), &body)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let room: Value = created.json().await.unwrap();
    let id = room["id"].as_i64().unwrap();
    assert_eq!(
        (room["ownerId"].clone(), room["userCount"].clone()),
        (json!(owner.id), json!(3))
    );
    let joined = app
        .post(
            &format!("/chatroom/{id}/join"),
            Some(&owner.token),
            &json!({"username": others[2].username}),
        )
        .await;
    assert_eq!(joined.json::<Value>().await.unwrap()["userCount"], 4);
    let by_get = app
        .get(
            &format!("/chatroom/join?id={id}&username={}", others[3].username),
            Some(&owner.token),
        )
        .await;
    assert_eq!(by_get.json::<Value>().await.unwrap()["userCount"], 5);

    let members = get_json(&app, &others[3], &format!("/chatroom/{id}/members")).await;
    assert_eq!(members["total"], 5);
    assert_eq!(members["items"][0]["id"], owner.id);
    assert!(!members.to_string().contains("@example.com"));

    send(&app, &others[0], id, "c-1", "one").await;
    send(&app, &owner, id, "c-2", "two").await;
    let third = send(&app, &others[1], id, "c-3", "three").await;
    assert_eq!(
        (third["seq"].clone(), third["sender"]["id"].clone()),
        (json!(3), json!(others[1].id))
    );
    assert_eq!(third["clientId"], "c-3");
    let history = get_json(&app, &others[3], &format!("/chatroom/{id}/messages")).await;
    let seqs: Vec<i64> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(
        (seqs, history["hasMore"].clone()),
        (vec![1, 2, 3], json!(false))
    );
    let page = get_json(
        &app,
        &others[3],
        &format!("/chatroom/{id}/messages?beforeSeq=3&limit=1"),
    )
    .await;
    assert_eq!(
        (page["items"][0]["seq"].clone(), page["hasMore"].clone()),
        (json!(2), json!(true))
    );

    let list = get_json(&app, &owner, "/chatroom/list").await;
    let item = &list["items"][0];
    assert_eq!(
        (item["id"].clone(), item["unreadCount"].clone()),
        (json!(id), json!(1))
    );
    assert_eq!(item["lastMessage"]["content"], "three");
    assert_eq!(item["userCount"], 5);
    assert_eq!(item["peer"], Value::Null, "a group has no peer");
    let read = app
        .post(
            &format!("/chatroom/{id}/read"),
            Some(&owner.token),
            &json!({"seq": 3}),
        )
        .await;
    assert_eq!(
        read.json::<Value>().await.unwrap(),
        json!({"chatroomId": id, "lastReadSeq": 3})
    );
    assert_eq!(
        get_json(&app, &owner, "/chatroom/list").await["items"][0]["unreadCount"],
        0
    );
    // Someone who joined after the first messages only counts what came since.
    assert_eq!(
        get_json(&app, &others[3], "/chatroom").await["items"][0]["unreadCount"],
        3
    );
}

#[tokio::test]
async fn resending_a_client_id_returns_the_same_message() {
    let app = spawn_app().await;
    let (a, b) = (app.register("a").await, app.register("b").await);
    app.befriend(&a, &b).await;
    let id = direct(&app, &a, &b).await.1["id"].as_i64().unwrap();
    let first = send(&app, &a, id, "same-id", "hello").await;
    let body = json!({"clientId": "same-id", "type": "text", "content": "changed"});
    let again = app
        .post(&format!("/chatroom/{id}/messages"), Some(&a.token), &body)
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let history = get_json(&app, &b, &format!("/chatroom/{id}/messages")).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn non_members_are_refused_everywhere() {
    let app = spawn_app().await;
    let (a, b, outsider) = (
        app.register("a").await,
        app.register("b").await,
        app.register("x").await,
    );
    app.befriend(&a, &b).await;
    let id = direct(&app, &a, &b).await.1["id"].as_i64().unwrap();
    let token = Some(outsider.token.as_str());
    for path in [
        format!("/chatroom/{id}"),
        format!("/chatroom/{id}/members"),
        format!("/chatroom/{id}/messages"),
        "/chatroom/987654".to_owned(),
    ] {
        assert_error(app.get(&path, token).await, 404, "room_not_found").await;
    }
    let body = json!({"clientId": "x1", "type": "text", "content": "let me in"});
    assert_error(
        app.post(&format!("/chatroom/{id}/messages"), token, &body)
            .await,
        404,
        "room_not_found",
    )
    .await;
    assert_error(
        app.post(&format!("/chatroom/{id}/read"), token, &json!({"seq": 1}))
            .await,
        404,
        "room_not_found",
    )
    .await;
    assert_error(
        app.post(
            &format!("/chatroom/{id}/join"),
            token,
            &json!({"username": outsider.username}),
        )
        .await,
        404,
        "room_not_found",
    )
    .await;
    assert_error(
        app.post(&format!("/chatroom/{id}/exit"), token, &json!({}))
            .await,
        404,
        "room_not_found",
    )
    .await;
    assert_error(
        app.get(&format!("/chatroom/direct?friendId={}", a.id), token)
            .await,
        404,
        "room_not_found",
    )
    .await;
    assert_error(
        app.get(&format!("/chatroom/{id}"), None).await,
        401,
        "unauthenticated",
    )
    .await;
    // Direct rooms take no one else and cannot be left.
    let invite = app
        .post(
            &format!("/chatroom/{id}/join"),
            Some(&a.token),
            &json!({"username": outsider.username}),
        )
        .await;
    assert_error(invite, 400, "direct_room").await;
    assert_error(
        app.get(&format!("/chatroom/exit?id={id}"), Some(&a.token))
            .await,
        400,
        "direct_room",
    )
    .await;
}

#[tokio::test]
async fn invite_and_exit_rules() {
    let app = spawn_app().await;
    let (owner, friend, stranger) = (
        app.register("o").await,
        app.register("f").await,
        app.register("s").await,
    );
    app.befriend(&owner, &friend).await;
    let room: Value = app
        .post(
            "/chatroom/add",
            Some(&owner.token),
            &json!({"type": "group", "name": "G"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = room["id"].as_i64().unwrap();
    let path = format!("/chatroom/{id}/join");
    assert_error(
        app.post(
            &path,
            Some(&owner.token),
            &json!({"username": stranger.username}),
        )
        .await,
        400,
        "not_a_friend",
    )
    .await;
    assert_error(
        app.post(
            &path,
            Some(&owner.token),
            &json!({"username": "nobody-here"}),
        )
        .await,
        404,
        "user_not_found",
    )
    .await;
    app.post(
        &path,
        Some(&owner.token),
        &json!({"username": friend.username}),
    )
    .await;
    assert_error(
        app.post(
            &path,
            Some(&owner.token),
            &json!({"username": friend.username}),
        )
        .await,
        409,
        "already_member",
    )
    .await;
    // The original design's GET form also takes POST.
    let left = app
        .post(
            &format!("/chatroom/exit?id={id}"),
            Some(&owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(left.json::<Value>().await.unwrap(), json!({"left": true}));
    let info = get_json(&app, &friend, &format!("/chatroom/{id}")).await;
    assert_eq!(
        (info["ownerId"].clone(), info["userCount"].clone()),
        (json!(friend.id), json!(1))
    );
    assert_error(
        app.get(&format!("/chatroom/{id}"), Some(&owner.token))
            .await,
        404,
        "room_not_found",
    )
    .await;
}

#[tokio::test]
async fn bad_room_input_is_400() {
    let app = spawn_app().await;
    let (a, b) = (app.register("a").await, app.register("b").await);
    app.befriend(&a, &b).await;
    let id = direct(&app, &a, &b).await.1["id"].as_i64().unwrap();
    let token = Some(a.token.as_str());
    let cases = [
        ("/chatroom/add", json!({"type": "party"}), "type"),
        ("/chatroom/add", json!({"type": "direct"}), "friendId"),
        ("/chatroom/create-group", json!({"name": ""}), "name"),
        (
            "/chatroom/create-group",
            json!({"name": "n".repeat(51)}),
            "name",
        ),
        (
            "/chatroom/create-group",
            json!({"name": "ok", "memberIds": [0]}),
            "memberIds",
        ),
        (
            "/chatroom/create-one-to-one",
            json!({"friendId": -4}),
            "friendId",
        ),
    ];
    for (path, body, field) in cases {
        let response = app.post(path, token, &body).await;
        let error = assert_error(response, 400, "validation_failed").await;
        assert_eq!(error_fields(&error), [field], "{path} {body}");
    }
    let messages = format!("/chatroom/{id}/messages");
    let bad_bodies = [
        (
            json!({"clientId": "x", "type": "text", "content": ""}),
            "content",
        ),
        (
            json!({"clientId": "x", "type": "text", "content": "a".repeat(4001)}),
            "content",
        ),
        (
            json!({"clientId": "has space", "type": "text", "content": "hi"}),
            "clientId",
        ),
        (
            json!({"clientId": "x".repeat(65), "type": "text", "content": "hi"}),
            "clientId",
        ),
        (
            json!({"clientId": "x", "type": "image", "content": "http://evil.example/a.png"}),
            "content",
        ),
        (json!({"type": "text", "content": "hi"}), "clientId"),
    ];
    for (body, field) in bad_bodies {
        let error = assert_error(
            app.post(&messages, token, &body).await,
            400,
            "validation_failed",
        )
        .await;
        assert_eq!(error_fields(&error), [field], "{body}");
    }
    let unknown_kind = json!({"clientId": "x", "type": "video", "content": "hi"});
    assert_error(
        app.post(&messages, token, &unknown_kind).await,
        400,
        "invalid_body",
    )
    .await;
    assert_error(
        app.post(
            "/chatroom/add",
            token,
            &json!({"type": "direct", "friendId": "7"}),
        )
        .await,
        400,
        "invalid_body",
    )
    .await;
    for query in [
        "limit=0",
        "limit=101",
        "beforeSeq=-1",
        "afterSeq=x",
        "limit=1.5",
    ] {
        assert_error(
            app.get(&format!("{messages}?{query}"), token).await,
            400,
            "validation_failed",
        )
        .await;
    }
    for path in [
        "/chatroom/abc",
        "/chatroom/0/members",
        "/chatroom/1.5/messages",
    ] {
        assert_error(app.get(path, token).await, 400, "validation_failed").await;
    }
    assert_error(
        app.post(&format!("/chatroom/{id}/read"), token, &json!({"seq": -1}))
            .await,
        400,
        "validation_failed",
    )
    .await;
    assert_error(
        app.get("/chatroom/list?pageSize=500", token).await,
        400,
        "validation_failed",
    )
    .await;
}
