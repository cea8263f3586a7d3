//! `/favorite`: keep messages of your rooms, list them with their rooms, remove your own.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Owner, a friend and a group of the two with one message from the friend.
async fn group_with_message(app: &TestApp) -> (Registered, Registered, i64, Value) {
    let owner = app.register("favowner").await;
    let friend = app.register("favfriend").await;
    app.befriend(&owner, &friend).await;
    let room = create_group(app, &owner, "Keepers", &[friend.id]).await;
    let message = send(app, &friend, room, "m1", "worth keeping").await;
    (owner, friend, room, message)
}

async fn add(app: &TestApp, who: &Registered, message: i64, post: bool) -> reqwest::Response {
    let path = format!("/favorite/add?chatHistoryId={message}");
    if post {
        app.post(&path, Some(&who.token), &json!({})).await
    } else {
        app.get(&path, Some(&who.token)).await
    }
}

#[tokio::test]
async fn adding_is_idempotent_and_the_list_carries_message_and_room() {
    let app = spawn_app().await;
    let (owner, friend, room, message) = group_with_message(&app).await;
    let id = message["id"].as_i64().unwrap();

    let first = add(&app, &owner, id, false).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["chatHistoryId"], id);
    assert!(first["createTime"].as_str().unwrap().ends_with('Z'));
    let again = add(&app, &owner, id, true).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);

    // A second message kept later comes first; a direct room is named after the other person.
    let (_, direct_room) = direct(&app, &owner, &friend).await;
    let direct_room = direct_room["id"].as_i64().unwrap();
    let later = send(&app, &friend, direct_room, "d1", "psst").await;
    let later_id = later["id"].as_i64().unwrap();
    assert_eq!(
        add(&app, &owner, later_id, true).await.status(),
        StatusCode::CREATED
    );

    let list = get_json(&app, &owner, "/favorite/list").await;
    assert_eq!(list["total"], 2);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["message"]["id"], later_id);
    assert_eq!(items[0]["chatroom"]["id"], direct_room);
    assert_eq!(
        items[0]["chatroom"]["name"],
        format!("Nick {}", friend.username)
    );
    assert_eq!(items[1]["id"], first["id"]);
    assert_eq!(items[1]["message"]["content"], "worth keeping");
    assert_eq!(items[1]["message"]["sender"]["id"], friend.id);
    assert_eq!(items[1]["message"]["seq"], 1);
    assert_eq!(items[1]["chatroom"], json!({"id": room, "name": "Keepers"}));

    let second_page = get_json(&app, &owner, "/favorite/list?page=2&pageSize=1").await;
    assert_eq!(second_page["items"][0]["id"], first["id"]);
    assert_eq!(second_page["total"], 2);
    // The friend keeps nothing by the owner's adding.
    let theirs = get_json(&app, &friend, "/favorite/list").await;
    assert_eq!(theirs["total"], 0);
}

#[tokio::test]
async fn only_messages_of_your_rooms_and_only_your_favorites() {
    let app = spawn_app().await;
    let (owner, friend, room, message) = group_with_message(&app).await;
    let id = message["id"].as_i64().unwrap();
    let outsider = app.register("favout").await;

    assert_error(
        add(&app, &outsider, id, false).await,
        404,
        "message_not_found",
    )
    .await;
    assert_error(
        add(&app, &owner, id + 1000, true).await,
        404,
        "message_not_found",
    )
    .await;

    let kept: Value = add(&app, &owner, id, false).await.json().await.unwrap();
    let kept_id = kept["id"].as_i64().unwrap();
    for path in [
        format!("/favorite/delete?id={kept_id}"),
        format!("/favorite/{kept_id}"),
    ] {
        let response = app
            .client
            .delete(format!("{}{path}", app.base))
            .bearer_auth(&friend.token)
            .send()
            .await
            .unwrap();
        assert_error(response, 404, "favorite_not_found").await;
    }

    // Leaving the room: no new favorites from it, but the kept one stays the owner's.
    let friend_keeps = add(&app, &friend, id, false).await;
    assert_eq!(friend_keeps.status(), StatusCode::CREATED);
    let left = app
        .get(&format!("/chatroom/exit?id={room}"), Some(&friend.token))
        .await;
    assert_eq!(left.status(), StatusCode::OK);
    let later = send(&app, &owner, room, "m2", "after you left").await;
    assert_error(
        add(&app, &friend, later["id"].as_i64().unwrap(), false).await,
        404,
        "message_not_found",
    )
    .await;
    let theirs = get_json(&app, &friend, "/favorite/list").await;
    assert_eq!(theirs["total"], 1);
    assert_eq!(theirs["items"][0]["message"]["id"], id);

    let deleted = app
        .client
        .delete(format!("{}/favorite/{kept_id}", app.base))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(
        deleted.json::<Value>().await.unwrap(),
        json!({"deleted": true})
    );
    let mine = get_json(&app, &owner, "/favorite/list").await;
    assert_eq!(mine["total"], 0);
}

#[tokio::test]
async fn bad_favorite_input_is_400() {
    let app = spawn_app().await;
    let me = app.register("favbad").await;
    for path in [
        "/favorite/add",
        "/favorite/add?chatHistoryId=abc",
        "/favorite/add?chatHistoryId=0",
        "/favorite/add?chatHistoryId=-3",
        "/favorite/add?chatHistoryId=99999999999999999999",
        "/favorite/list?pageSize=101",
        "/favorite/list?page=0",
    ] {
        let body = assert_error(
            app.get(path, Some(&me.token)).await,
            400,
            "validation_failed",
        )
        .await;
        assert_eq!(error_fields(&body).len(), 1, "{path}: {body}");
    }
    for path in ["/favorite/delete?id=x", "/favorite/delete", "/favorite/1.5"] {
        let response = app
            .client
            .delete(format!("{}{path}", app.base))
            .bearer_auth(&me.token)
            .send()
            .await
            .unwrap();
        assert_error(response, 400, "validation_failed").await;
    }
    assert_error(
        app.get("/favorite/list", None).await,
        401,
        "unauthenticated",
    )
    .await;
}
