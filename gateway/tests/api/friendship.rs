//! `/friendship` and `/friend_request` through HTTP.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn send_request(app: &TestApp, from: &Registered, to: &Registered) -> Value {
    let body = json!({"username": to.username, "reason": "let's chat"});
    let response = app.post("/friendship/add", Some(&from.token), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn friends_of(app: &TestApp, user: &Registered, query: &str) -> Value {
    let response = app
        .get(&format!("/friendship/list{query}"), Some(&user.token))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn request_agree_list_and_remove() {
    let app = spawn_app().await;
    let (alice, bob) = (app.register("alice").await, app.register("bob").await);
    let request = send_request(&app, &alice, &bob).await;
    assert_eq!(request["status"], 0);
    assert_eq!(request["reason"], "let's chat");
    assert_eq!(request["fromUser"]["id"], alice.id);
    assert_eq!(request["toUser"]["id"], bob.id);
    assert!(request["fromUser"].get("email").is_none());

    let lists: Value = app
        .get("/friend_request/list", Some(&bob.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lists["totalToMe"], 1);
    assert_eq!(lists["toMe"][0]["id"], request["id"]);
    assert_eq!(lists["fromMe"], json!([]));
    assert_eq!(
        (lists["page"].clone(), lists["pageSize"].clone()),
        (json!(1), json!(20))
    );
    assert!(!lists.to_string().contains("@example.com"));

    let id = request["id"].as_i64().unwrap();
    let agreed = app
        .post(
            &format!("/friend_request/agree?id={id}"),
            Some(&bob.token),
            &json!({}),
        )
        .await;
    assert_eq!(agreed.status(), StatusCode::OK);
    assert_eq!(agreed.json::<Value>().await.unwrap()["status"], 1);
    assert_eq!(ids(&friends_of(&app, &alice, "").await), [bob.id]);
    assert_eq!(ids(&friends_of(&app, &bob, "").await), [alice.id]);

    let removed = app
        .client
        .delete(format!(
            "{}/friendship/delete?friendId={}",
            app.base, alice.id
        ))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        removed.json::<Value>().await.unwrap(),
        json!({"deleted": true})
    );
    assert_eq!(friends_of(&app, &alice, "").await["total"], 0);
    assert_eq!(friends_of(&app, &bob, "").await["total"], 0);
    let again = app
        .client
        .delete(format!("{}/friendship/{}", app.base, bob.id))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_error(again, 404, "not_friends").await;
    // Either side may ask again.
    send_request(&app, &bob, &alice).await;
}

#[tokio::test]
async fn agree_and_reject_by_path_and_by_get() {
    let app = spawn_app().await;
    let (a, b, c) = (
        app.register("a").await,
        app.register("b").await,
        app.register("c").await,
    );
    let to_b = send_request(&app, &a, &b).await["id"].as_i64().unwrap();
    let to_c = send_request(&app, &a, &c).await["id"].as_i64().unwrap();
    let agreed = app
        .get(&format!("/friend_request/agree/{to_b}"), Some(&b.token))
        .await;
    assert_eq!(agreed.json::<Value>().await.unwrap()["status"], 1);
    let rejected = app
        .post(
            &format!("/friend_request/reject/{to_c}"),
            Some(&c.token),
            &json!({}),
        )
        .await;
    assert_eq!(rejected.json::<Value>().await.unwrap()["status"], 2);
    let late = app
        .get(&format!("/friend_request/reject?id={to_b}"), Some(&b.token))
        .await;
    assert_error(late, 409, "request_decided").await;
    assert_eq!(ids(&friends_of(&app, &a, "").await), [b.id]);
}

#[tokio::test]
async fn only_the_addressee_may_decide() {
    let app = spawn_app().await;
    let (a, b, c) = (
        app.register("a").await,
        app.register("b").await,
        app.register("c").await,
    );
    let id = send_request(&app, &a, &b).await["id"].as_i64().unwrap();
    for (who, path) in [(&a, "agree"), (&c, "agree"), (&c, "reject"), (&a, "reject")] {
        let response = app
            .post(
                &format!("/friend_request/{path}/{id}"),
                Some(&who.token),
                &json!({}),
            )
            .await;
        assert_error(response, 404, "request_not_found").await;
    }
    let unknown = app
        .post("/friend_request/agree/999999", Some(&b.token), &json!({}))
        .await;
    assert_error(unknown, 404, "request_not_found").await;
}

#[tokio::test]
async fn sending_rules() {
    let app = spawn_app().await;
    let (a, b) = (app.register("a").await, app.register("b").await);
    let to_self = app
        .post(
            "/friendship/add",
            Some(&a.token),
            &json!({"username": a.username}),
        )
        .await;
    assert_error(to_self, 400, "cannot_add_self").await;
    let unknown = app
        .post(
            "/friendship/add",
            Some(&a.token),
            &json!({"username": "no-such-user"}),
        )
        .await;
    assert_error(unknown, 404, "user_not_found").await;
    send_request(&app, &a, &b).await;
    let twice = app
        .post(
            "/friendship/add",
            Some(&a.token),
            &json!({"username": b.username}),
        )
        .await;
    assert_error(twice, 409, "request_pending").await;
    // Asking back agrees the pending request.
    let back = app
        .post(
            "/friendship/add",
            Some(&b.token),
            &json!({"username": a.username}),
        )
        .await;
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(back.json::<Value>().await.unwrap()["status"], 1);
    let friends = app
        .post(
            "/friendship/add",
            Some(&a.token),
            &json!({"username": b.username}),
        )
        .await;
    assert_error(friends, 409, "already_friends").await;
}

#[tokio::test]
async fn bad_input_is_400() {
    let app = spawn_app().await;
    let a = app.register("a").await;
    let token = Some(a.token.as_str());
    let missing = assert_error(
        app.post("/friendship/add", token, &json!({})).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&missing), ["username"]);
    let long = json!({"username": "someone", "reason": "r".repeat(101)});
    let long = assert_error(
        app.post("/friendship/add", token, &long).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&long), ["reason"]);
    let wrong_type = app
        .post("/friendship/add", token, &json!({"username": 42}))
        .await;
    assert_error(wrong_type, 400, "invalid_body").await;
    for path in [
        "/friend_request/agree?id=abc",
        "/friend_request/agree/abc",
        "/friend_request/agree",
        "/friend_request/reject?id=-3",
        "/friend_request/reject/1.5",
    ] {
        let response = app.post(path, token, &json!({})).await;
        let body = assert_error(response, 400, "validation_failed").await;
        assert_eq!(error_fields(&body), ["id"], "{path}");
    }
    for query in ["?friendId=x", "", "?friendId=0"] {
        let response = app
            .client
            .delete(format!("{}/friendship/delete{query}", app.base))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap();
        assert_error(response, 400, "validation_failed").await;
    }
    let nan = app
        .client
        .delete(format!("{}/friendship/abc", app.base))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_error(nan, 400, "validation_failed").await;
    for query in ["?page=0", "?pageSize=101", "?page=x"] {
        assert_error(
            app.get(&format!("/friendship/list{query}"), token).await,
            400,
            "validation_failed",
        )
        .await;
        assert_error(
            app.get(&format!("/friend_request/list{query}"), token)
                .await,
            400,
            "validation_failed",
        )
        .await;
    }
    assert_error(
        app.get("/friendship/list", None).await,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn the_friend_filter_is_literal_and_case_insensitive() {
    let app = spawn_app().await;
    let me = app.register("me").await;
    let mut friends = Vec::new();
    // "UnderXscore" would match "r_s" if `_` were a wildcard.
    for prefix in ["Under_score", "UnderXscore", "plain"] {
        let friend = app.register(prefix).await;
        let id = send_request(&app, &me, &friend).await["id"]
            .as_i64()
            .unwrap();
        app.post(
            &format!("/friend_request/agree/{id}"),
            Some(&friend.token),
            &json!({}),
        )
        .await;
        friends.push(friend);
    }
    let under = friends_of(&app, &me, "?name=R_S").await;
    assert_eq!(ids(&under), [friends[0].id]);
    let percent = friends_of(&app, &me, "?name=%25").await;
    assert_eq!(percent["total"], 0, "a literal % matches nobody here");
    let upper = friends_of(
        &app,
        &me,
        &format!("?name={}", friends[2].username.to_uppercase()),
    )
    .await;
    assert_eq!(ids(&upper), [friends[2].id]);
    let paged = friends_of(&app, &me, "?page=2&pageSize=2").await;
    assert_eq!(
        (
            paged["total"].clone(),
            paged["items"].as_array().unwrap().len()
        ),
        (json!(3), 1)
    );
    let past = friends_of(&app, &me, "?page=5&pageSize=2").await;
    assert_eq!(past["items"], json!([]));
    assert!(
        !friends_of(&app, &me, "")
            .await
            .to_string()
            .contains("@example.com")
    );
}
