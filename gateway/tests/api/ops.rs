//! Health, readiness, the OpenAPI document, Swagger UI, CORS and mail delivery.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use test_support::unique;

#[tokio::test]
async fn health_and_ready() {
    let app = spawn_app().await;
    let health: Value = app.get("/health", None).await.json().await.unwrap();
    assert_eq!(health, json!({"status": "ok"}));
    let ready = app.get("/ready", None).await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(
        ready.json::<Value>().await.unwrap(),
        json!({"status": "ready"})
    );
    // Once a shutdown begins, readiness goes first while everything else still answers.
    app.stop.start_draining();
    assert_error(app.get("/ready", None).await, 503, "not_ready").await;
    assert_eq!(app.get("/health", None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_document_declares_what_any_operation_can_answer() {
    let app = spawn_app().await;
    let doc: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let info = &doc["paths"]["/user/info"]["get"]["responses"];
    assert!(info.get("401").is_some(), "{info}");
    let login = &doc["paths"]["/user/login"]["post"]["responses"];
    assert!(login.get("400").is_some(), "{login}");
    assert!(login.get("401").is_some(), "a wrong password: {login}");
    let health = &doc["paths"]["/health"]["get"]["responses"];
    assert!(
        health.get("401").is_none() && health.get("400").is_none(),
        "{health}"
    );
    // A method a path does not take: 405 naming the ones it does (RFC 9110).
    let url = format!("{}/storage/object/avatar/1/x/y.png", app.base);
    let response = app.client.delete(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("HEAD"), "{allow}");
    let url = format!("{}/health", app.base);
    let response = app.client.put(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET");
    // A fixed path's other methods are its own 405, never a sibling `/{id}` route's.
    for (method, path, allow) in [
        (reqwest::Method::DELETE, "/favorite/add", "GET, POST"),
        (reqwest::Method::GET, "/chatroom/add", "POST"),
        (reqwest::Method::DELETE, "/friendship/list", "GET"),
        (reqwest::Method::PUT, "/favorite/5", "DELETE"),
    ] {
        let url = format!("{}{path}", app.base);
        let response = app
            .client
            .request(method.clone(), url)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "method_not_allowed");
    }
}

/// Routes enter the document as they are registered, so each documented operation is served:
/// none answers 405, nor the 404 of an unknown route.
#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn_app().await;
    let doc: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace(
                "{key}",
                "attachment/1/00000000-0000-0000-0000-000000000000/x.txt",
            )
            .replace("{id}", "1")
            .replace("{friendId}", "1");
        assert!(
            !concrete.contains('{'),
            "a parameter this test does not know: {path}"
        );
        for method in item.as_object().unwrap().keys() {
            let Ok(verb) = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue; // `parameters` and the like
            };
            let response = app
                .client
                .request(verb, format!("{}{concrete}", app.base))
                .send()
                .await
                .unwrap();
            let status = response.status();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            if status == StatusCode::NOT_FOUND && method != "head" {
                let body: Value = response.json().await.unwrap();
                assert_ne!(body["code"], "not_found", "{method} {path} is not served");
            }
            operations += 1;
        }
    }
    assert!(operations >= 45, "only {operations} operations documented");
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let app = spawn_app().await;
    let doc: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/user/register-captcha", "get"),
        ("/user/register", "post"),
        ("/user/login", "post"),
        ("/user/info", "get"),
        ("/user/update/captcha", "get"),
        ("/user/update", "post"),
        ("/user/update_password/captcha", "get"),
        ("/user/update_password", "post"),
        ("/user/search", "get"),
        ("/friendship/add", "post"),
        ("/friendship/list", "get"),
        ("/friendship/delete", "delete"),
        ("/friendship/{friendId}", "delete"),
        ("/friend_request/list", "get"),
        ("/friend_request/agree", "get"),
        ("/friend_request/agree", "post"),
        ("/friend_request/agree/{id}", "post"),
        ("/friend_request/reject", "post"),
        ("/friend_request/reject/{id}", "get"),
        ("/chatroom/add", "post"),
        ("/chatroom/create-one-to-one", "post"),
        ("/chatroom/create-group", "post"),
        ("/chatroom", "get"),
        ("/chatroom/list", "get"),
        ("/chatroom/direct", "get"),
        ("/chatroom/{id}", "get"),
        ("/chatroom/{id}/members", "get"),
        ("/chatroom/{id}/join", "post"),
        ("/chatroom/join", "get"),
        ("/chatroom/{id}/exit", "post"),
        ("/chatroom/exit", "get"),
        ("/chatroom/{id}/messages", "get"),
        ("/chatroom/{id}/messages", "post"),
        ("/chatroom/{id}/read", "post"),
        ("/favorite/add", "get"),
        ("/favorite/add", "post"),
        ("/favorite/delete", "delete"),
        ("/favorite/{id}", "delete"),
        ("/favorite/list", "get"),
        ("/storage/presign", "post"),
        ("/storage/upload/{key}", "put"),
        ("/storage/object/{key}", "get"),
        ("/storage/info/{key}", "get"),
        ("/health", "get"),
        ("/ready", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path}"
        );
    }
    let ui = app.get("/swagger-ui/", None).await;
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn cors_allows_configured_origins_and_exposes_the_token() {
    let app = spawn_app_with(|f| f.merge(("cors_origins", "http://web.example:5173"))).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/user/info", app.base))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let allowed = preflight("http://web.example:5173").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://web.example:5173"
    );
    let refused = preflight("http://evil.example").await.unwrap();
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );
    let user = app.register("cors").await;
    let response = app
        .client
        .get(format!("{}/user/info", app.base))
        .header("origin", "http://web.example:5173")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(exposed.contains("token"), "{exposed}");
}

#[tokio::test]
async fn same_origin_posts_are_accepted_without_configuration() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/user/login", app.base))
        .header("origin", format!("http://127.0.0.1:{}", app.port))
        .json(&json!({"username": "nobody-here", "password": "whatever"}))
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "invalid_credentials").await;
}

/// In the real-services run the mail goes through SMTP to the sink; embedded, the test's outbox
/// holds it (and the log has the line a newcomer reads).
#[tokio::test]
async fn captcha_mail_is_delivered() {
    let app = spawn_app().await;
    let email = format!("{}@example.com", unique("mail"));
    let code = app.register_code(&email).await;
    assert_eq!(code.len(), 6);
    match app.outbox() {
        Some(outbox) => {
            let mail = outbox.newest_to(&email).expect("mail in the outbox");
            assert_eq!(mail.subject, "Your registration code");
            assert!(
                mail.body.contains(&format!("Your code: {code}")),
                "{}",
                mail.body
            );
        }
        None => {
            let message = maildir_message(&email).expect("delivered to the SMTP sink");
            assert!(
                message.contains("Subject: Your registration code"),
                "{message}"
            );
            assert!(message.contains(&format!("Your code: {code}")), "{message}");
        }
    }
}

#[tokio::test]
async fn production_refuses_to_start_on_embedded_stand_ins() {
    let message = refused_start(|f| f.merge(("env", "production"))).await;
    for name in [
        "CHAT_JWT_SECRET",
        "CHAT_DATABASE_URL",
        "CHAT_REDIS_URL",
        "CHAT_SMTP_URL",
        "CHAT_S3_ENDPOINT",
    ] {
        assert!(message.contains(name), "{message}");
    }
}

/// A value that cannot work is a start-up error naming the setting, never quietly replaced.
#[test]
fn settings_that_cannot_work_are_refused_by_name() {
    use gateway::settings::Settings;
    let refused = |figment: figment::Figment, key: &str| {
        let err = figment.extract::<Settings>().unwrap_err().to_string();
        assert!(err.contains(key), "{key}: {err}");
        err
    };
    for (key, value) in [
        ("ws.queue", 0),
        ("write.writers", 0),
        ("storage.upload_url_ttl_secs", 0),
        ("storage.upload_url_ttl_secs", 604_801),
    ] {
        let err = refused(Settings::figment().merge((key, value)), key);
        assert!(!err.contains("invalid type"), "{key}={value}: {err}");
    }
    let err = refused(
        Settings::figment().merge(("ws.send_burst", 0.5)),
        "ws.send_burst",
    );
    assert!(err.contains("must be 1 or more"), "{err}");
    // The limits themselves are accepted.
    let fine = Settings::figment()
        .merge(("ws.queue", 1))
        .merge(("storage.upload_url_ttl_secs", 604_800))
        .merge(("ws.send_burst", 1.0));
    assert!(fine.extract::<Settings>().is_ok());
}

#[tokio::test]
async fn the_generated_secret_is_kept_and_private() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    let user = app.register("keep").await;
    let path = app.data_dir().join("jwt_secret");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(std::fs::read_to_string(&path).unwrap().trim().len() >= 32);
    assert_eq!(
        app.get("/user/info", Some(&user.token)).await.status(),
        StatusCode::OK
    );
}

fn page(app: &TestApp, path: &str) -> reqwest::RequestBuilder {
    app.client
        .get(format!("{}{path}", app.base))
        .header("accept", "text/html,application/xhtml+xml")
}

/// The client is built into the binary only where npm was at build time: the embedded run
/// shows this as a skip, the real-services run (`--include-ignored`) requires the client.
#[tokio::test]
#[ignore = "needs the web client built into the binary (npm at build time): the real-services run includes it"]
async fn the_web_client_is_served_with_a_fallback_for_its_routes() {
    assert!(
        gateway::web_client::available(),
        "the web client was not built"
    );
    let app = spawn_app().await;
    for path in ["/", "/chats/12", "/friends"] {
        let response = page(&app, path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(response.text().await.unwrap().contains("<div id=\"root\">"));
    }
    // API.md §7: scripts and styles go compressed to browsers that accept it.
    let html = page(&app, "/").send().await.unwrap().text().await.unwrap();
    let script = html
        .split('"')
        .find(|part| part.starts_with("/assets/") && part.ends_with(".js"))
        .expect("the page loads a script");
    let compressed = app
        .client
        .get(format!("{}{script}", app.base))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), StatusCode::OK);
    let encoding = compressed.headers()["content-encoding"].to_str().unwrap();
    assert!(["gzip", "br"].contains(&encoding), "{encoding}");
}

/// Whether or not the client is built, API clients keep the JSON 404 and API routes keep their
/// answers, also for a browser's page request.
#[tokio::test]
async fn api_routes_and_unknown_paths_keep_their_json_answers() {
    let app = spawn_app().await;
    let missing = app.get("/no/such/route", None).await;
    assert_error(missing, 404, "not_found").await;
    let api = page(&app, "/user/info").send().await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    let posted = app.post("/chats/12", None, &serde_json::json!({})).await;
    assert_error(posted, 404, "not_found").await;
}

#[tokio::test]
async fn metrics_show_live_figures() {
    let app = spawn_app().await;
    let alice = app.register("metric").await;
    let bob = app.register("metric").await;
    app.befriend(&alice, &bob).await;
    let room = create_group(&app, &alice, "counted", &[bob.id]).await;
    let mut socket = app.socket(&alice.token).await;
    socket.join(room, None).await;
    // Counted before it is published: once it arrives here, the counter has it.
    send(&app, &bob, room, "counted-1", "one").await;
    let repeat = post_text(&app, &bob, room, "counted-1", "again").await;
    assert_eq!(repeat.status(), StatusCode::OK);
    socket.expect("message").await;
    app.get("/chatroom/12345", Some(&alice.token)).await;

    let text = app.get("/metrics", None).await.text().await.unwrap();
    let value = |name: &str| -> f64 {
        text.lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing in:\n{text}"))
    };
    assert_eq!(value("chat_sockets_open "), 1.0);
    assert_eq!(value("chat_bus_connected "), 1.0);
    // The repeat of a clientId is answered with the first message, not stored again.
    assert_eq!(value("chat_messages_posted_total "), 1.0);
    // HTTP requests by route pattern and status, with a latency histogram.
    assert!(
        text.contains(
            r#"chat_http_requests_total{endpoint="/chatroom/{id}",method="GET",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("chat_http_requests_duration_seconds_bucket"));
}
