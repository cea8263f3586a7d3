//! Every `/user` route, through HTTP.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use test_support::unique;

#[tokio::test]
async fn register_login_info_flow() {
    let app = spawn_app().await;
    let username = unique("flow");
    let email = format!("{username}@example.com");
    let code = app.register_code(&email).await;
    let body = json!({"username": username, "nickName": "Flow", "password": PASSWORD,
        "email": email.to_uppercase(), "captcha": code});
    let response = app.post("/user/register", None, &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let profile: Value = response.json().await.unwrap();
    assert_eq!(profile["username"], username.as_str());
    assert_eq!(profile["nickName"], "Flow");
    assert_eq!(profile["email"], email.as_str(), "stored lower-case");
    assert_eq!(profile["headPic"], "");
    assert!(profile["id"].is_i64());
    let created = profile["createTime"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok());
    assert_eq!(created.len(), "2026-11-26T04:49:27.123Z".len(), "{created}");

    let login = app
        .post(
            "/user/login",
            None,
            &json!({"username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let login: Value = login.json().await.unwrap();
    assert_eq!(login["user"], profile);
    let token = login["token"].as_str().unwrap();

    let info = app.get("/user/info", Some(token)).await;
    assert_eq!(info.status(), StatusCode::OK);
    let renewed = info.headers()["token"].to_str().unwrap().to_owned();
    assert_eq!(info.json::<Value>().await.unwrap(), profile);
    // The renewed token is a working token in its own right.
    let again = app.get("/user/info", Some(&renewed)).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.headers().contains_key("token"));
}

#[tokio::test]
async fn unauthenticated_responses_carry_no_token() {
    let app = spawn_app().await;
    let response = app.get("/health", None).await;
    assert!(!response.headers().contains_key("token"));
}

#[tokio::test]
async fn register_captcha_checks_the_address() {
    let app = spawn_app().await;
    let missing = assert_error(
        app.get("/user/register-captcha", None).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&missing), ["address"]);
    let bad = app
        .get("/user/register-captcha?address=not-an-address", None)
        .await;
    let bad = assert_error(bad, 400, "validation_failed").await;
    assert_eq!(error_fields(&bad), ["address"]);
}

#[tokio::test]
async fn a_second_code_within_the_interval_is_429_with_retry_after() {
    let app = spawn_app().await;
    let email = format!("{}@example.com", unique("often"));
    app.register_code(&email).await;
    let response = app
        .get(
            &format!("/user/register-captcha?address={}", email.to_uppercase()),
            None,
        )
        .await;
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_error(response, 429, "captcha_too_soon").await;
    // Each flow has its own interval.
    let reset = app
        .get(
            &format!("/user/update_password/captcha?address={email}"),
            None,
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
}

#[tokio::test]
async fn register_lists_every_bad_field() {
    let app = spawn_app().await;
    let empty = assert_error(
        app.post("/user/register", None, &json!({})).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(
        error_fields(&empty),
        ["username", "nickName", "password", "email", "captcha"]
    );
    let body = json!({"username": "a".repeat(33), "nickName": "n".repeat(51), "password": "12345",
        "email": format!("{}@example.com", "x".repeat(250)), "captcha": "12345a"});
    let bad = assert_error(
        app.post("/user/register", None, &body).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(
        error_fields(&bad),
        ["username", "nickName", "password", "email", "captcha"]
    );
    let body = json!({"username": "bad name!", "nickName": "   ", "password": "p".repeat(73),
        "email": "a@b@c", "captcha": ""});
    let bad = assert_error(
        app.post("/user/register", None, &body).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&bad).len(), 5);
}

#[tokio::test]
async fn register_with_a_wrong_code_or_a_taken_name_is_refused() {
    let app = spawn_app().await;
    let existing = app.register("taken").await;
    let email = format!("{}@example.com", unique("new"));
    let code = app.register_code(&email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let body = json!({"username": unique("n"), "nickName": "N", "password": PASSWORD,
        "email": email, "captcha": wrong});
    assert_error(
        app.post("/user/register", None, &body).await,
        400,
        "captcha_invalid",
    )
    .await;
    let body = json!({"username": existing.username.to_uppercase(), "nickName": "N",
        "password": PASSWORD, "email": email, "captcha": code});
    assert_error(
        app.post("/user/register", None, &body).await,
        409,
        "username_taken",
    )
    .await;
}

#[tokio::test]
async fn login_failures_look_the_same() {
    let app = spawn_app().await;
    let user = app.register("cred").await;
    let wrong = app
        .post(
            "/user/login",
            None,
            &json!({"username": user.username, "password": "wrong-pw"}),
        )
        .await;
    let wrong = assert_error(wrong, 400, "invalid_credentials").await;
    let unknown = app
        .post(
            "/user/login",
            None,
            &json!({"username": unique("ghost"), "password": PASSWORD}),
        )
        .await;
    let unknown = assert_error(unknown, 400, "invalid_credentials").await;
    assert_eq!(wrong, unknown);
    let missing = app
        .post("/user/login", None, &json!({"username": ""}))
        .await;
    let missing = assert_error(missing, 400, "validation_failed").await;
    assert_eq!(error_fields(&missing), ["username", "password"]);
    // A name no account could have is refused before any lookup or count.
    for odd in [
        "a".repeat(33),
        format!(" {} ", user.username),
        "bób".to_owned(),
    ] {
        let response = app
            .post(
                "/user/login",
                None,
                &json!({"username": odd, "password": PASSWORD}),
            )
            .await;
        let odd = assert_error(response, 400, "validation_failed").await;
        assert_eq!(error_fields(&odd), ["username"]);
    }
}

#[tokio::test]
async fn repeated_login_failures_are_throttled() {
    let app = spawn_app_with(|f| f.merge(("limits.login_failures_per_account_address", 2))).await;
    let user = app.register("throttle").await;
    let body = json!({"username": user.username, "password": "wrong-pw"});
    for _ in 0..2 {
        assert_error(
            app.post("/user/login", None, &body).await,
            400,
            "invalid_credentials",
        )
        .await;
    }
    let right = json!({"username": user.username, "password": PASSWORD});
    let response = app.post("/user/login", None, &right).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_error(response, 429, "too_many_attempts").await;
}

#[tokio::test]
async fn tokens_are_checked() {
    let secret = "s".repeat(40);
    let app = spawn_app_with(|f| f.merge(("jwt_secret", secret.clone()))).await;
    let user = app.register("tok").await;
    assert_error(app.get("/user/info", None).await, 401, "unauthenticated").await;
    assert_error(
        app.get("/user/info", Some("garbage")).await,
        401,
        "token_invalid",
    )
    .await;
    let basic = app
        .client
        .get(format!("{}/user/info", app.base))
        .header("authorization", format!("Basic {}", user.token))
        .send()
        .await
        .unwrap();
    assert_error(basic, 401, "token_invalid").await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": user.id.to_string(), "ver": 0, "iat": now - 100, "exp": now - 10});
    let expired = sign(&claims, &secret);
    assert_error(
        app.get("/user/info", Some(&expired)).await,
        401,
        "token_invalid",
    )
    .await;
    let claims = json!({"sub": user.id.to_string(), "ver": 0, "iat": now, "exp": now + 100});
    let forged = sign(&claims, &"x".repeat(40));
    assert_error(
        app.get("/user/info", Some(&forged)).await,
        401,
        "token_invalid",
    )
    .await;
    let good = sign(&claims, &secret);
    assert_eq!(
        app.get("/user/info", Some(&good)).await.status(),
        StatusCode::OK
    );
}

fn sign(claims: &Value, secret: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), claims, &key).unwrap()
}

#[tokio::test]
async fn update_profile_with_the_mailed_code() {
    let app = spawn_app().await;
    let user = app.register("upd").await;
    let token = Some(user.token.as_str());
    // API.md §7: nickname and avatar need no code.
    let foreign = format!("{}/storage/object/avatar/{}/x/a.png", app.base, user.id + 1);
    let bad = app
        .post(
            "/user/update",
            token,
            &json!({"headPic": foreign, "nickName": ""}),
        )
        .await;
    let bad = assert_error(bad, 400, "validation_failed").await;
    assert_eq!(error_fields(&bad), ["nickName", "headPic"]);
    let own = format!("{}/storage/object/avatar/{}/abc/me.png", app.base, user.id);
    let renamed = app
        .post(
            "/user/update",
            token,
            // A captcha with an update that keeps the email is ignored, whatever it holds.
            &json!({"nickName": "Renamed", "headPic": own, "email": user.email, "captcha": ""}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);

    // A new email needs the code mailed to that address, and nothing else.
    let new_email = format!("{}@example.org", unique("moved"));
    let no_code = app
        .post("/user/update", token, &json!({"email": new_email}))
        .await;
    assert_error(no_code, 400, "captcha_invalid").await;
    let sent = app
        .get(&format!("/user/update/captcha?address={new_email}"), token)
        .await;
    assert_eq!(sent.json::<Value>().await.unwrap(), json!({"sent": true}));
    let code = app.mailed_code(&new_email);
    let body = json!({"nickName": "Moved", "email": new_email, "captcha": code});
    let updated = app.post("/user/update", token, &body).await;
    assert_eq!(updated.status(), StatusCode::OK);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["nickName"], "Moved");
    assert_eq!(updated["headPic"], own.as_str());
    assert_eq!(updated["email"], new_email.as_str());
    let info: Value = app.get("/user/info", token).await.json().await.unwrap();
    assert_eq!(info, updated);
    // Someone else's address is a conflict as soon as the code is asked for.
    let other = app.register("other").await;
    let taken = app
        .get(
            &format!("/user/update/captcha?address={}", other.email),
            token,
        )
        .await;
    assert_error(taken, 409, "email_taken").await;
    let bad_address = app.get("/user/update/captcha?address=nope", token).await;
    let bad_address = assert_error(bad_address, 400, "validation_failed").await;
    assert_eq!(error_fields(&bad_address), ["address"]);
}

#[tokio::test]
async fn password_reset_revokes_old_tokens() {
    let app = spawn_app().await;
    let user = app.register("reset").await;
    let code = app.reset_code(&user.email).await;
    let body = json!({"username": user.username, "email": user.email, "password": "new-secret",
        "captcha": code});
    let reset = app.post("/user/update_password", None, &body).await;
    assert_eq!(
        reset.json::<Value>().await.unwrap(),
        json!({"updated": true})
    );
    assert_error(
        app.get("/user/info", Some(&user.token)).await,
        401,
        "token_invalid",
    )
    .await;
    let old = app
        .post(
            "/user/login",
            None,
            &json!({"username": user.username, "password": PASSWORD}),
        )
        .await;
    assert_error(old, 400, "invalid_credentials").await;
    let token = app.login(&user.username, "new-secret").await;
    assert_eq!(
        app.get("/user/info", Some(&token)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn password_reset_cannot_take_over_another_account() {
    let app = spawn_app().await;
    let victim = app.register("victim").await;
    let attacker = app.register("attacker").await;
    let code = app.reset_code(&attacker.email).await;
    let body = json!({"username": victim.username, "email": attacker.email,
        "password": "hijacked", "captcha": code});
    assert_error(
        app.post("/user/update_password", None, &body).await,
        400,
        "account_mismatch",
    )
    .await;
    assert_eq!(
        app.get("/user/info", Some(&victim.token)).await.status(),
        StatusCode::OK
    );
    app.login(&victim.username, PASSWORD).await;
}

#[tokio::test]
async fn reset_code_requests_answer_alike_for_unknown_addresses() {
    let app = spawn_app().await;
    let unknown = format!("{}@example.com", unique("nobody"));
    let response = app
        .get(
            &format!("/user/update_password/captcha?address={unknown}"),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"sent": true})
    );
    assert_eq!(app.mails_to(&unknown), 0);
}

#[tokio::test]
async fn search_finds_users_without_their_email() {
    let app = spawn_app().await;
    let me = app.register("seeker").await;
    let tag = unique("Zq");
    let mut found = Vec::new();
    for n in 0..3 {
        found.push(app.register(&format!("{tag}_{n}")).await.id);
    }
    let token = Some(me.token.as_str());
    let page = app
        .get(
            &format!("/user/search?q={}_&page=1&pageSize=2", tag.to_lowercase()),
            token,
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let page: Value = page.json().await.unwrap();
    assert_eq!(page["total"], 3);
    assert_eq!(page["page"], 1);
    assert_eq!(page["pageSize"], 2);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], found[0]);
    for item in items {
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 4, "{item}");
        for key in ["id", "username", "nickName", "headPic"] {
            assert!(keys.contains(&key), "{item}");
        }
    }
    let past_end: Value = app
        .get(&format!("/user/search?q={tag}&page=9"), token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(past_end["total"], 3);
    assert_eq!(past_end["items"], json!([]));
}

#[tokio::test]
async fn search_refuses_bad_pages_and_needs_a_login() {
    let app = spawn_app().await;
    let me = app.register("pager").await;
    let token = Some(me.token.as_str());
    assert_error(
        app.get("/user/search?q=a", None).await,
        401,
        "unauthenticated",
    )
    .await;
    let missing = assert_error(
        app.get("/user/search", token).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&missing), ["q"]);
    for query in [
        "page=0",
        "pageSize=0",
        "pageSize=101",
        "page=-1",
        "page=abc",
        "pageSize=1.5",
    ] {
        let response = app.get(&format!("/user/search?q=a&{query}"), token).await;
        let body = assert_error(response, 400, "validation_failed").await;
        assert_eq!(error_fields(&body).len(), 1, "{query}: {body}");
    }
    let huge = app
        .get(&format!("/user/search?q={}", "a".repeat(51)), token)
        .await;
    assert_error(huge, 400, "validation_failed").await;
}
