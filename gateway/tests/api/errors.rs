//! Bad requests of every kind get a 4xx in the API's error shape, never a 500.
use crate::helpers::*;
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
