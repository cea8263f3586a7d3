//! The storage quota and the sweep of unused uploads (issue 16, item 8), on whichever store the
//! run uses.
use crate::helpers::*;
use crate::storage::{download, presign, upload};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// A bucket of the test's own on S3: other tests' users have the same ids (each test has its own
/// database), and the sweep judges every object of its bucket.
fn own_bucket(figment: figment::Figment) -> figment::Figment {
    figment.merge(("storage.s3_bucket", test_support::unique("upkeep-")))
}

async fn presign_status(app: &TestApp, who: &Registered, size: usize) -> (StatusCode, String) {
    let body = json!({"filename": "notes.txt", "contentType": "text/plain", "size": size,
        "purpose": "attachment"});
    let response = app.post("/storage/presign", Some(&who.token), &body).await;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn uploads_stop_at_the_quota_counting_what_is_presigned() {
    let app =
        spawn_app_with(|figment| own_bucket(figment).merge(("storage.upload_quota_bytes", 100)))
            .await;
    let me = app.register("quota").await;
    let other = app.register("roomy").await;

    // 60 stored; the upload is counted once although it is both stored and presigned.
    upload(&app, &me, "attachment", "a.txt", "text/plain", &[b'a'; 60]).await;
    // 30 presigned and never uploaded still count: 90 of 100.
    presign(&app, &me, "attachment", "b.txt", "text/plain", 30).await;
    let refused = (StatusCode::PAYLOAD_TOO_LARGE, "quota_exceeded".to_owned());
    assert_eq!(presign_status(&app, &me, 20).await, refused);
    // The refused 20 were handed back: 10 more fit exactly.
    assert_eq!(presign_status(&app, &me, 10).await.0, StatusCode::OK);
    assert_eq!(presign_status(&app, &me, 1).await, refused);
    // The quota is per user.
    assert_eq!(presign_status(&app, &other, 100).await.0, StatusCode::OK);
}

#[tokio::test]
async fn unused_uploads_are_swept_and_used_ones_stay() {
    let app = spawn_app_with(|figment| {
        own_bucket(figment)
            .merge(("storage.upload_sweep_secs", 2))
            .merge(("storage.upload_grace_secs", 3))
    })
    .await;
    let alice = app.register("sweep").await;
    let bob = app.register("kept").await;
    app.befriend(&alice, &bob).await;
    let (_, room) = direct(&app, &alice, &bob).await;
    let room = room["id"].as_i64().unwrap();

    let shown = upload(
        &app,
        &alice,
        "avatar",
        "me.png",
        "image/png",
        crate::storage::PNG,
    )
    .await;
    let replaced = upload(
        &app,
        &alice,
        "avatar",
        "old.png",
        "image/png",
        crate::storage::PNG,
    )
    .await;
    let body = json!({"headPic": shown});
    let updated = app.post("/user/update", Some(&alice.token), &body).await;
    assert_eq!(updated.status(), StatusCode::OK);
    let sent = upload(
        &app,
        &alice,
        "attachment",
        "cat.png",
        "image/png",
        crate::storage::PNG,
    )
    .await;
    let body = json!({"clientId": "sweep-1", "type": "image", "content": sent});
    let posted = app
        .post(
            &format!("/chatroom/{room}/messages"),
            Some(&alice.token),
            &body,
        )
        .await;
    assert_eq!(posted.status(), StatusCode::CREATED);
    let abandoned = upload(
        &app,
        &alice,
        "attachment",
        "draft.txt",
        "text/plain",
        b"draft",
    )
    .await;

    // Synchronised on the sweep's own counter: it removes the two unused uploads.
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.metric("chat_uploads_removed_total").await < 2.0 {
        assert!(Instant::now() < deadline, "the sweep removed nothing");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for gone in [&replaced, &abandoned] {
        assert_eq!(
            download(&app, gone).await.0,
            StatusCode::NOT_FOUND,
            "{gone}"
        );
    }
    // A later sweep leaves the used ones alone.
    let sweeps = app.metric("chat_upload_sweeps_total").await;
    while app.metric("chat_upload_sweeps_total").await < sweeps + 2.0 {
        assert!(Instant::now() < deadline, "no further sweep");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.metric("chat_uploads_removed_total").await, 2.0);
    for kept in [&shown, &sent] {
        assert_eq!(download(&app, kept).await.0, StatusCode::OK, "{kept}");
    }
}
