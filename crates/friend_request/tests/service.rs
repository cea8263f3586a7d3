//! The friend request service on a fresh database, including the race of two people asking
//! each other at the same moment.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

use friend_request::{
    FriendRequestError, FriendRequestService, Reason, SeaFriendRequestService, SendOutcome,
};
use friendship::{FriendshipService, SeaFriendshipService};
use sea_orm::{EntityTrait, PaginatorTrait};
use test_support::{TestDb, create_user, fresh_db};
use user::{PageRequest, UserId, Username};

struct Pair {
    db: TestDb,
    requests: SeaFriendRequestService,
    friendships: SeaFriendshipService,
    a: (UserId, Username),
    b: (UserId, Username),
}

async fn pair() -> Pair {
    let db = fresh_db().await.unwrap();
    let person = |user: user::entity::Model| {
        (
            UserId::new(user.id),
            Username::parse(&user.username).unwrap(),
        )
    };
    let a = person(create_user(&db.conn, "a").await.unwrap());
    let b = person(create_user(&db.conn, "b").await.unwrap());
    Pair {
        requests: SeaFriendRequestService::new(db.conn.clone()),
        friendships: SeaFriendshipService::new(db.conn.clone()),
        db,
        a,
        b,
    }
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

fn sent(outcome: SendOutcome) -> friend_request::FriendRequestView {
    match outcome {
        SendOutcome::Sent(view) => view,
        other => panic!("expected a new request, got {other:?}"),
    }
}

#[tokio::test]
async fn send_then_agree_makes_friends() {
    let p = pair().await;
    let request = sent(
        p.requests
            .send(p.a.0, &p.b.1, reason("hi there"))
            .await
            .unwrap(),
    );
    assert_eq!(
        (request.from_user.id, request.to_user.id),
        (p.a.0.get(), p.b.0.get())
    );
    assert_eq!((request.status, request.reason.as_str()), (0, "hi there"));
    assert!(!p.friendships.are_friends(p.a.0, p.b.0).await.unwrap());
    let agreed = p.requests.agree(p.b.0, request.id).await.unwrap();
    assert_eq!(agreed.status, 1);
    assert!(p.friendships.are_friends(p.a.0, p.b.0).await.unwrap());
    assert!(p.friendships.are_friends(p.b.0, p.a.0).await.unwrap());
    let again = p.requests.send(p.b.0, &p.a.1, Reason::empty()).await;
    assert!(
        matches!(again, Err(FriendRequestError::AlreadyFriends)),
        "{again:?}"
    );
}

#[tokio::test]
async fn the_rules_of_sending() {
    let p = pair().await;
    let to_self = p.requests.send(p.a.0, &p.a.1, Reason::empty()).await;
    assert!(
        matches!(to_self, Err(FriendRequestError::ToSelf)),
        "{to_self:?}"
    );
    let ghost = Username::parse("nobody-at-all").unwrap();
    let unknown = p.requests.send(p.a.0, &ghost, Reason::empty()).await;
    assert!(
        matches!(unknown, Err(FriendRequestError::UserNotFound)),
        "{unknown:?}"
    );
    p.requests
        .send(p.a.0, &p.b.1, Reason::empty())
        .await
        .unwrap();
    let twice = p.requests.send(p.a.0, &p.b.1, Reason::empty()).await;
    assert!(
        matches!(twice, Err(FriendRequestError::AlreadyPending)),
        "{twice:?}"
    );
}

#[tokio::test]
async fn asking_back_agrees_the_pending_request() {
    let p = pair().await;
    let first = sent(
        p.requests
            .send(p.a.0, &p.b.1, Reason::empty())
            .await
            .unwrap(),
    );
    match p
        .requests
        .send(p.b.0, &p.a.1, Reason::empty())
        .await
        .unwrap()
    {
        SendOutcome::AgreedTheirs(view) => assert_eq!((view.id, view.status), (first.id, 1)),
        other => panic!("expected the pending request agreed, got {other:?}"),
    }
    assert!(p.friendships.are_friends(p.a.0, p.b.0).await.unwrap());
}

#[tokio::test]
async fn only_the_addressee_decides_and_only_once() {
    let p = pair().await;
    let third = UserId::new(create_user(&p.db.conn, "c").await.unwrap().id);
    let request = sent(
        p.requests
            .send(p.a.0, &p.b.1, Reason::empty())
            .await
            .unwrap(),
    );
    for outsider in [p.a.0, third] {
        let agree = p.requests.agree(outsider, request.id).await;
        assert!(
            matches!(agree, Err(FriendRequestError::NotFound)),
            "{agree:?}"
        );
        let reject = p.requests.reject(outsider, request.id).await;
        assert!(
            matches!(reject, Err(FriendRequestError::NotFound)),
            "{reject:?}"
        );
    }
    let rejected = p.requests.reject(p.b.0, request.id).await.unwrap();
    assert_eq!(rejected.status, 2);
    let late = p.requests.agree(p.b.0, request.id).await;
    assert!(
        matches!(late, Err(FriendRequestError::AlreadyDecided)),
        "{late:?}"
    );
    assert!(!p.friendships.are_friends(p.a.0, p.b.0).await.unwrap());
    // A rejected request does not block a new one.
    sent(
        p.requests
            .send(p.a.0, &p.b.1, Reason::empty())
            .await
            .unwrap(),
    );
}

#[tokio::test]
async fn after_removal_either_side_may_ask_again() {
    let p = pair().await;
    let request = sent(
        p.requests
            .send(p.a.0, &p.b.1, Reason::empty())
            .await
            .unwrap(),
    );
    p.requests.agree(p.b.0, request.id).await.unwrap();
    p.friendships.remove(p.a.0, p.b.0).await.unwrap();
    let again = sent(
        p.requests
            .send(p.b.0, &p.a.1, Reason::empty())
            .await
            .unwrap(),
    );
    assert_eq!(again.status, 0);
}

#[tokio::test]
async fn two_people_asking_each_other_at_once_become_friends_once() {
    for _ in 0..5 {
        let p = pair().await;
        let (ra, rb) = tokio::join!(
            p.requests.send(p.a.0, &p.b.1, Reason::empty()),
            p.requests.send(p.b.0, &p.a.1, Reason::empty()),
        );
        let outcomes = [ra.unwrap(), rb.unwrap()];
        let sent = outcomes
            .iter()
            .filter(|o| matches!(o, SendOutcome::Sent(_)))
            .count();
        assert_eq!(sent, 1, "{outcomes:?}");
        assert!(p.friendships.are_friends(p.a.0, p.b.0).await.unwrap());
        let requests = friend_request::entity::Entity::find()
            .count(&p.db.conn)
            .await
            .unwrap();
        assert_eq!(requests, 1);
        let rows = friendship::entity::Entity::find()
            .count(&p.db.conn)
            .await
            .unwrap();
        assert_eq!(rows, 2);
    }
}

#[tokio::test]
async fn lists_show_both_sides_newest_first_without_email() {
    let p = pair().await;
    let c = create_user(&p.db.conn, "c").await.unwrap();
    let c_name = Username::parse(&c.username).unwrap();
    let to_a = sent(
        p.requests
            .send(p.b.0, &p.a.1, reason("from b"))
            .await
            .unwrap(),
    );
    let from_a_1 = sent(
        p.requests
            .send(p.a.0, &c_name, reason("to c"))
            .await
            .unwrap(),
    );
    let lists = p
        .requests
        .list(p.a.0, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        lists.to_me.iter().map(|r| r.id).collect::<Vec<_>>(),
        [to_a.id]
    );
    assert_eq!(
        lists.from_me.iter().map(|r| r.id).collect::<Vec<_>>(),
        [from_a_1.id]
    );
    assert_eq!((lists.total_to_me, lists.total_from_me), (1, 1));
    assert_eq!(lists.from_me[0].to_user.id, c.id);
    let json = serde_json::to_string(&lists).unwrap();
    assert!(!json.contains("@example.com"), "{json}");
    let second = PageRequest::parse(Some("2"), Some("1")).unwrap();
    let past = p.requests.list(p.a.0, second).await.unwrap();
    assert!(past.to_me.is_empty() && past.from_me.is_empty());
    assert_eq!((past.total_to_me, past.total_from_me), (1, 1));
}
