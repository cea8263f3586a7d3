//! `/storage`: presign, upload, download, on whichever store the run uses (the local store in
//! the embedded run, s3s-fs when `TEST_S3_ENDPOINT` is set).
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A tiny but real PNG (1×1, transparent).
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn on_s3() -> bool {
    std::env::var("TEST_S3_ENDPOINT").is_ok()
}

/// Asks for an upload of `bytes`; returns the presign answer.
pub async fn presign(
    app: &TestApp,
    who: &Registered,
    purpose: &str,
    filename: &str,
    content_type: &str,
    size: usize,
) -> Value {
    let body = json!({"filename": filename, "contentType": content_type, "size": size,
        "purpose": purpose});
    let response = app.post("/storage/presign", Some(&who.token), &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// PUTs `bytes` to an upload URL with `content_type`.
async fn put(app: &TestApp, url: &str, content_type: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.client
        .put(url)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

/// Presigns and uploads `bytes`; returns the object's `url`.
pub async fn upload(
    app: &TestApp,
    who: &Registered,
    purpose: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> String {
    let grant = presign(app, who, purpose, filename, content_type, bytes.len()).await;
    assert_eq!(grant["method"], "PUT");
    assert_eq!(grant["headers"]["Content-Type"], content_type);
    let uploaded = put(
        app,
        grant["uploadUrl"].as_str().unwrap(),
        content_type,
        bytes.to_vec(),
    )
    .await;
    assert!(uploaded.status().is_success(), "{:?}", uploaded.status());
    grant["url"].as_str().unwrap().to_owned()
}

/// GETs an object's url (following a redirect to S3): status, content type, bytes.
pub async fn download(app: &TestApp, url: &str) -> (StatusCode, String, Vec<u8>) {
    let response = app.client.get(url).send().await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn an_avatar_round_trips_and_becomes_the_head_pic() {
    let app = spawn_app().await;
    let me = app.register("avatar").await;
    let url = upload(&app, &me, "avatar", "me.png", "image/png", PNG).await;
    assert!(
        url.starts_with(&format!("{}/storage/object/avatar/{}/", app.base, me.id)),
        "{url}"
    );
    let (status, content_type, bytes) = download(&app, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "image/png");
    assert_eq!(bytes, PNG);

    // An avatar needs no code (API.md §7).
    let body = json!({"headPic": url});
    let updated = app.post("/user/update", Some(&me.token), &body).await;
    assert_eq!(updated.status(), StatusCode::OK);
    let info = get_json(&app, &me, "/user/info").await;
    assert_eq!(info["headPic"], url);
}

#[tokio::test]
async fn an_image_message_is_seen_by_the_other_side() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.befriend(&alice, &bob).await;
    let (_, room) = direct(&app, &alice, &bob).await;
    let room = room["id"].as_i64().unwrap();
    let url = upload(&app, &alice, "attachment", "cat.png", "image/png", PNG).await;
    let body = json!({"clientId": "img-1", "type": "image", "content": url});
    let sent = app
        .post(
            &format!("/chatroom/{room}/messages"),
            Some(&alice.token),
            &body,
        )
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED);

    let history = app.history(&bob, room).await;
    let message = &history["items"][0];
    assert_eq!(message["type"], "image");
    let seen = message["content"].as_str().unwrap();
    let (status, content_type, bytes) = download(&app, seen).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "image/png")
    );
    assert_eq!(bytes, PNG);
}

#[tokio::test]
async fn files_are_served_as_downloads_with_their_unicode_name() {
    let app = spawn_app().await;
    let me = app.register("files").await;
    let html = b"<script>alert(1)</script>".to_vec();
    let url = upload(&app, &me, "attachment", "报告 v2.html", "text/html", &html).await;
    assert!(url.ends_with("/%E6%8A%A5%E5%91%8A%20v2.html"), "{url}");
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = no_redirects.get(&url).send().await.unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    if on_s3() {
        assert_eq!(response.status(), StatusCode::FOUND);
    } else {
        assert_eq!(response.status(), StatusCode::OK);
        let disposition = response.headers()["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(
            disposition.contains("%E6%8A%A5%E5%91%8A%20v2.html"),
            "{disposition}"
        );
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    let (status, _, bytes) = download(&app, &url).await;
    assert_eq!((status, bytes), (StatusCode::OK, html));
}

#[tokio::test]
async fn a_file_keeps_the_spaces_of_its_name_and_tells_its_size() {
    let app = spawn_app().await;
    let me = app.register("sizes").await;
    let bytes = vec![7u8; 1234];
    let name = " Trip\tphotos  (2).zip";
    let url = upload(&app, &me, "attachment", name, "application/zip", &bytes).await;
    assert!(url.ends_with("/Trip%20photos%20(2).zip"), "{url}");
    let info_url = url.replace("/storage/object/", "/storage/info/");
    let response = app.client.get(&info_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let info: Value = response.json().await.unwrap();
    assert_eq!(
        info,
        json!({"name": "Trip photos (2).zip", "size": 1234, "contentType": "application/zip"})
    );
    // Presigned but never uploaded, and a key the server could not have made: both unknown.
    let presigned = presign(&app, &me, "attachment", "later.txt", "text/plain", 3).await;
    let pending = presigned["url"].as_str().unwrap();
    let pending = pending.replace("/storage/object/", "/storage/info/");
    for unknown in [
        pending,
        format!("{}/storage/info/attachment/1/x/y.txt", app.base),
    ] {
        let response = app.client.get(&unknown).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{unknown}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "object_not_found", "{unknown}");
    }
}

#[tokio::test]
async fn uploads_must_match_what_was_declared() {
    let app = spawn_app().await;
    let me = app.register("declared").await;
    let grant = presign(
        &app,
        &me,
        "attachment",
        "a.bin",
        "application/octet-stream",
        10,
    )
    .await;
    let target = grant["uploadUrl"].as_str().unwrap();
    for (content_type, size) in [
        ("application/octet-stream", 11),
        ("application/octet-stream", 9),
        ("text/plain", 10),
    ] {
        let refused = put(&app, target, content_type, vec![b'x'; size]).await;
        assert!(
            refused.status().is_client_error(),
            "{content_type} {size}: {:?}",
            refused.status()
        );
    }
    // None of the refused bodies was stored.
    let url = grant["url"].as_str().unwrap();
    assert_eq!(download(&app, url).await.0, StatusCode::NOT_FOUND);

    let mut tampered = target.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    let refused = put(&app, &tampered, "application/octet-stream", vec![b'x'; 10]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let stored = put(&app, target, "application/octet-stream", vec![b'x'; 10]).await;
    assert!(stored.status().is_success());
    assert_eq!(download(&app, url).await.2, vec![b'x'; 10]);
}

#[tokio::test]
async fn the_local_store_refuses_a_larger_declared_size_an_expired_url_and_a_second_upload() {
    if on_s3() {
        return; // the local store's own rules; S3 enforces its own signature
    }
    let app = spawn_app().await;
    let me = app.register("local").await;
    let grant = presign(&app, &me, "attachment", "a.txt", "text/plain", 4).await;
    let target = grant["uploadUrl"].as_str().unwrap();
    for forged in [
        target.replace("sig=", "sig=zz"),
        target.replace("&expires=", "&expired="),
        format!("{target}&size=4"),
        target.replace("size=4", "size=four"),
    ] {
        let refused = put(&app, &forged, "text/plain", b"abcd".to_vec()).await;
        assert_error(refused, 403, "upload_url_invalid").await;
    }
    let bigger = target.replace("size=4", "size=5");
    assert_error(
        put(&app, &bigger, "text/plain", b"abcde".to_vec()).await,
        403,
        "upload_url_invalid",
    )
    .await;
    assert_error(
        put(&app, target, "text/plain", b"abcde".to_vec()).await,
        413,
        "payload_too_large",
    )
    .await;
    assert!(
        put(&app, target, "text/plain", b"abcd".to_vec())
            .await
            .status()
            .is_success()
    );
    assert_error(
        put(&app, target, "text/plain", b"abcd".to_vec()).await,
        409,
        "already_uploaded",
    )
    .await;

    // A URL signed with the service's key but already past its expiry.
    let secret = std::fs::read_to_string(app.data_dir().join("jwt_secret")).unwrap();
    let signer = storage::signed_url::UploadSigner::new(secret.trim().as_bytes()).unwrap();
    let key = grant["key"].as_str().unwrap().replace("a.txt", "b.txt");
    let expired = chrono::Utc::now().timestamp() - 1;
    let sig = signer.sign(&key, 4, "text/plain", expired).unwrap();
    let url = format!(
        "{}/storage/upload/{key}?size=4&type=text%2Fplain&expires={expired}&sig={sig}",
        app.base
    );
    assert_error(
        put(&app, &url, "text/plain", b"abcd".to_vec()).await,
        403,
        "upload_url_expired",
    )
    .await;
}

#[tokio::test]
async fn keys_are_made_by_the_server_per_user() {
    let app = spawn_app().await;
    let a = app.register("keya").await;
    let b = app.register("keyb").await;
    let first = presign(&app, &a, "attachment", "../../x.png", "image/png", 10).await;
    let second = presign(&app, &b, "attachment", "../../x.png", "image/png", 10).await;
    let again = presign(&app, &a, "attachment", "../../x.png", "image/png", 10).await;
    let keys = [&first, &second, &again].map(|g| g["key"].as_str().unwrap().to_owned());
    assert!(
        keys[0].starts_with(&format!("attachment/{}/", a.id)),
        "{}",
        keys[0]
    );
    assert!(
        keys[1].starts_with(&format!("attachment/{}/", b.id)),
        "{}",
        keys[1]
    );
    assert!(
        keys.iter()
            .all(|key| key.ends_with("/x.png") && !key.contains(".."))
    );
    assert_ne!(keys[0], keys[2]);

    // b cannot wear a's avatar.
    let url = upload(&app, &a, "avatar", "a.png", "image/png", PNG).await;
    let body = json!({"headPic": url});
    let refused = app.post("/user/update", Some(&b.token), &body).await;
    let body = assert_error(refused, 400, "validation_failed").await;
    assert_eq!(error_fields(&body), ["headPic"]);
}

#[tokio::test]
async fn bad_presigns_and_object_paths_are_refused() {
    let app = spawn_app().await;
    let me = app.register("badpresign").await;
    let cases = [
        (
            json!({"filename": "a.pdf", "contentType": "application/pdf", "size": 10, "purpose": "avatar"}),
            vec!["contentType"],
        ),
        (
            json!({"filename": "a.png", "contentType": "image/png", "size": 2 * 1024 * 1024 + 1, "purpose": "avatar"}),
            vec!["size"],
        ),
        (
            json!({"filename": "a.bin", "contentType": "application/zip", "size": 20 * 1024 * 1024 + 1, "purpose": "attachment"}),
            vec!["size"],
        ),
        (
            json!({"filename": "", "contentType": "nonsense", "size": 0, "purpose": "attachment"}),
            vec!["filename", "contentType", "size"],
        ),
        (
            json!({}),
            vec!["purpose", "filename", "contentType", "size"],
        ),
    ];
    for (body, fields) in cases {
        let response = app.post("/storage/presign", Some(&me.token), &body).await;
        let error = assert_error(response, 400, "validation_failed").await;
        assert_eq!(error_fields(&error), fields, "{body}");
    }
    let wrong_type =
        json!({"filename": "a", "contentType": "a/b", "size": "ten", "purpose": "attachment"});
    let response = app
        .post("/storage/presign", Some(&me.token), &wrong_type)
        .await;
    assert_error(response, 400, "invalid_body").await;
    let unknown = json!({"filename": "a", "contentType": "a/b", "size": 1, "purpose": "cover"});
    let response = app
        .post("/storage/presign", Some(&me.token), &unknown)
        .await;
    assert_error(response, 400, "invalid_body").await;
    let anonymous = app.post("/storage/presign", None, &json!({})).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    for path in [
        "/storage/object/avatar/1/nope/x.png",
        "/storage/object/avatar/1/00000000-0000-4000-8000-000000000000/x.png",
        "/storage/object/avatar/1/00000000-0000-4000-8000-000000000000/..%2F..%2Fjwt_secret",
        "/storage/object/../jwt_secret",
        "/storage/object/",
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
