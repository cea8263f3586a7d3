//! Bad requests of every kind get a 4xx in the API's error shape, never a 500.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn unknown_routes_are_404_in_the_error_shape() {
    let app = spawn_app().await;
    assert_error(app.get("/no/such/route", None).await, 404, "not_found").await;
}

#[tokio::test]
async fn wrong_methods_are_405_in_the_error_shape() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(format!("{}/user/login", app.base))
        .send()
        .await
        .unwrap();
    assert_error(response, 405, "method_not_allowed").await;
    let response = app.post("/health", None, &json!({})).await;
    assert_error(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    for body in [
        "{",
        "not json",
        "",
        "{\"username\": \"a\"} trailing",
        "[1,2]",
    ] {
        let response = app.post_raw("/user/login", body).await;
        assert_error(response, 400, "invalid_body").await;
    }
}

#[tokio::test]
async fn wrong_types_name_the_field() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/user/register",
            None,
            &json!({"username": 5, "password": "x"}),
        )
        .await;
    let body = assert_error(response, 400, "invalid_body").await;
    assert_eq!(error_fields(&body), ["username"]);
    let response = app
        .post(
            "/user/login",
            None,
            &json!({"username": ["a"], "password": {}}),
        )
        .await;
    assert_error(response, 400, "invalid_body").await;
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = spawn_app().await;
    let huge = format!("{{\"username\": \"{}\"}}", "a".repeat(70 * 1024));
    let response = app.post_raw("/user/login", huge).await;
    assert_error(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn every_response_has_a_request_id() {
    let app = spawn_app().await;
    let response = app.get("/no/such/route", None).await;
    assert!(!response.headers()["x-request-id"].is_empty());
    let response = app
        .client
        .get(format!("{}/health", app.base))
        .header("x-request-id", "my-trace-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "my-trace-1");
}

#[tokio::test]
async fn huge_page_numbers_are_400_not_a_crash() {
    let app = spawn_app().await;
    let user = app.register("pages").await;
    let token = Some(user.token.as_str());
    let huge = app
        .get(
            "/user/search?q=a&page=100000000000000000&pageSize=100",
            token,
        )
        .await;
    assert_error(huge, 400, "validation_failed").await;
    let last = app
        .get("/user/search?q=a&page=10000000&pageSize=100", token)
        .await;
    assert_eq!(last.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn cross_origin_errors_keep_their_cors_headers() {
    let app = spawn_app_with(|f| f.merge(("cors_origins", "http://web.example"))).await;
    let response = app
        .client
        .get(format!("{}/no/such/route", app.base))
        .header("origin", "http://web.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "http://web.example"
    );
    assert_error(response, 404, "not_found").await;
}

#[tokio::test]
async fn paths_that_climb_out_of_the_avatar_prefix_are_refused() {
    let app = spawn_app().await;
    let user = app.register("dots").await;
    let sneaky = format!(
        "{}/storage/object/avatar/{}/../../avatar/1/x/a.png",
        app.base, user.id
    );
    let body = json!({"headPic": sneaky});
    let response = app.post("/user/update", Some(&user.token), &body).await;
    let error = assert_error(response, 400, "validation_failed").await;
    assert_eq!(error_fields(&error), ["headPic"]);
}

#[tokio::test]
async fn request_rate_limits_apply_when_on() {
    let app = spawn_app_with(|f| f.merge(("limits.rate_limits", "on"))).await;
    // A malformed form costs nothing; a well-formed attempt (here with a wrong code) counts.
    for _ in 0..12 {
        let response = app.post("/user/register", None, &json!({})).await;
        assert_error(response, 400, "validation_failed").await;
    }
    for _ in 0..10 {
        let response = app.post("/user/register", None, &wrong_code()).await;
        assert_error(response, 400, "captcha_invalid").await;
    }
    let response = app.post("/user/register", None, &wrong_code()).await;
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    assert_error(response, 429, "rate_limited").await;
}

#[tokio::test]
async fn login_and_captcha_limits_are_settings() {
    let app = spawn_app_with(|f| {
        f.merge(("limits.rate_limits", "on"))
            .merge(("limits.login", "2/1m"))
            .merge(("limits.captcha", "1/1h"))
    })
    .await;
    let login = json!({"username": "nobody", "password": "wrong-password"});
    for _ in 0..2 {
        let response = app.post("/user/login", None, &login).await;
        assert_error(response, 400, "invalid_credentials").await;
    }
    let limited = app.post("/user/login", None, &login).await;
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_error(limited, 429, "rate_limited").await;

    // One mailed code per client address an hour here, whatever the target address.
    let first = app
        .get("/user/register-captcha?address=a@example.com", None)
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .get("/user/register-captcha?address=b@example.com", None)
        .await;
    assert_error(second, 429, "rate_limited").await;
    let reset = app
        .get("/user/update_password/captcha?address=c@example.com", None)
        .await;
    assert_error(reset, 429, "rate_limited").await;
}

#[tokio::test]
async fn a_malformed_limit_setting_stops_the_start() {
    let err = refused_start(|f| f.merge(("limits.send", "lots"))).await;
    assert!(err.contains("limits.send"), "{err}");
    assert!(err.contains("CHAT_LIMIT_SEND"), "{err}");
}

/// A well-formed registration whose code is wrong.
fn wrong_code() -> serde_json::Value {
    json!({"username": "limited", "nickName": "L", "password": "secret-pw",
        "email": "limited@example.com", "captcha": "000000"})
}

#[tokio::test]
async fn request_rate_limits_are_off_for_test_suites() {
    let app = spawn_app().await;
    for _ in 0..12 {
        let response = app.post("/user/register", None, &json!({})).await;
        assert_error(response, 400, "validation_failed").await;
    }
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let app = spawn_app_with(|f| {
        f.merge(("limits.rate_limits", "on"))
            .merge(("trusted_proxies", "127.0.0.1"))
    })
    .await;
    let register = |client: &'static str| {
        app.client
            .post(format!("{}/user/register", app.base))
            .header("x-forwarded-for", format!("203.0.113.9, {client}"))
            .json(&wrong_code())
            .send()
    };
    // Behind the trusted proxy, each client has its own budget of 10 an hour.
    for _ in 0..10 {
        assert_error(
            register("198.51.100.1").await.unwrap(),
            400,
            "captcha_invalid",
        )
        .await;
    }
    assert_error(register("198.51.100.1").await.unwrap(), 429, "rate_limited").await;
    assert_error(
        register("198.51.100.2").await.unwrap(),
        400,
        "captcha_invalid",
    )
    .await;
}

#[tokio::test]
async fn deeply_nested_json_is_a_clean_400() {
    let app = spawn_app().await;
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let body = format!(r#"{{"username": "x", "password": {deep}}}"#);
    let response = app.post_raw("/user/login", body).await;
    assert_error(response, 400, "invalid_body").await;
}

#[tokio::test]
async fn creating_rooms_is_limited_per_user() {
    let app = spawn_app_with(|f| {
        f.merge(("limits.rate_limits", "on"))
            .merge(("limits.room_create", "2/1m"))
    })
    .await;
    let owner = app.register("roomy").await;
    for name in ["one", "two"] {
        create_group(&app, &owner, name, &[]).await;
    }
    let body = json!({"name": "three"});
    let refused = app
        .post("/chatroom/create-group", Some(&owner.token), &body)
        .await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_error(refused, 429, "rate_limited").await;
}
