//! The friendship service on a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

use friendship::{FriendshipError, FriendshipService, SeaFriendshipService, befriend};
use sea_orm::{EntityTrait, PaginatorTrait};
use test_support::{create_user, fresh_db};
use user::{PageRequest, SearchText, UserId};

fn page(page: u64, size: u64) -> PageRequest {
    PageRequest::parse(Some(&page.to_string()), Some(&size.to_string())).unwrap()
}

#[tokio::test]
async fn befriend_writes_both_directions_once() {
    let db = fresh_db().await.unwrap();
    let (a, b) = (
        create_user(&db.conn, "a").await.unwrap(),
        create_user(&db.conn, "b").await.unwrap(),
    );
    let (a, b) = (UserId::new(a.id), UserId::new(b.id));
    befriend(&db.conn, a, b).await.unwrap();
    befriend(&db.conn, b, a).await.unwrap();
    let rows = friendship::entity::Entity::find()
        .count(&db.conn)
        .await
        .unwrap();
    assert_eq!(rows, 2);
    let service = SeaFriendshipService::new(db.conn.clone());
    assert!(service.are_friends(a, b).await.unwrap());
    assert!(service.are_friends(b, a).await.unwrap());
}

#[tokio::test]
async fn list_filters_literally_and_pages_by_nickname() {
    let db = fresh_db().await.unwrap();
    let me = UserId::new(create_user(&db.conn, "me").await.unwrap().id);
    let mut friends = Vec::new();
    for prefix in ["zed_", "amy%", "Bob"] {
        let user = create_user(&db.conn, prefix).await.unwrap();
        befriend(&db.conn, me, UserId::new(user.id)).await.unwrap();
        friends.push(user);
    }
    let stranger = create_user(&db.conn, "amy").await.unwrap();
    let service = SeaFriendshipService::new(db.conn.clone());

    let all = service.list(me, None, page(1, 2)).await.unwrap();
    assert_eq!(all.total, 3);
    let names: Vec<&str> = all.items.iter().map(|u| u.nick_name.as_str()).collect();
    assert_eq!(
        names,
        [friends[1].nick_name.as_str(), friends[2].nick_name.as_str()]
    );
    let rest = service.list(me, None, page(2, 2)).await.unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].id, friends[0].id);

    let matching = |text: &'static str| {
        let service = &service;
        async move {
            let text = SearchText::parse(text).unwrap();
            service
                .list(me, Some(&text), PageRequest::default())
                .await
                .unwrap()
        }
    };
    let ids =
        |page: user::Page<user::UserSummary>| page.items.iter().map(|u| u.id).collect::<Vec<_>>();
    assert_eq!(ids(matching("Y%").await), [friends[1].id]);
    assert_eq!(ids(matching("D_").await), [friends[0].id]);
    let found = matching("bOB").await;
    assert_eq!(found.total, 1);
    assert!(!found.items.iter().any(|u| u.id == stranger.id));
}

#[tokio::test]
async fn remove_ends_both_directions_and_then_is_not_found() {
    let db = fresh_db().await.unwrap();
    let (a, b) = (
        create_user(&db.conn, "a").await.unwrap(),
        create_user(&db.conn, "b").await.unwrap(),
    );
    let (a, b) = (UserId::new(a.id), UserId::new(b.id));
    befriend(&db.conn, a, b).await.unwrap();
    let service = SeaFriendshipService::new(db.conn.clone());
    service.remove(b, a).await.unwrap();
    assert!(!service.are_friends(a, b).await.unwrap());
    assert!(!service.are_friends(b, a).await.unwrap());
    assert_eq!(
        friendship::entity::Entity::find()
            .count(&db.conn)
            .await
            .unwrap(),
        0
    );
    let again = service.remove(a, b).await;
    assert!(
        matches!(again, Err(FriendshipError::NotFriends)),
        "{again:?}"
    );
}
