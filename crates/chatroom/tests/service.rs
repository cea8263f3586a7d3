//! The chatroom service on a fresh database: direct rooms, groups, members, exit.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

use chatroom::{
    ChatroomError, ChatroomService, GroupName, InitialMembers, RoomKind, SeaChatroomService,
};
use friendship::befriend;
use sea_orm::{EntityTrait, PaginatorTrait};
use test_support::{TestDb, create_user, fresh_db};
use user::{PageRequest, UserId, Username};

struct World {
    db: TestDb,
    rooms: SeaChatroomService,
    users: Vec<user::entity::Model>,
}

impl World {
    fn id(&self, n: usize) -> UserId {
        UserId::new(self.users[n].id)
    }

    fn name(&self, n: usize) -> Username {
        Username::parse(&self.users[n].username).unwrap()
    }
}

/// `count` users; user 0 is friends with every other one.
async fn world(count: usize) -> World {
    let db = fresh_db().await.unwrap();
    let mut users = Vec::new();
    for n in 0..count {
        users.push(create_user(&db.conn, &format!("u{n}")).await.unwrap());
    }
    for other in &users[1..] {
        befriend(&db.conn, UserId::new(users[0].id), UserId::new(other.id))
            .await
            .unwrap();
    }
    World {
        rooms: SeaChatroomService::new(db.conn.clone()),
        db,
        users,
    }
}

fn members(users: &[UserId]) -> InitialMembers {
    let ids: Vec<i64> = users.iter().map(|user| user.get()).collect();
    InitialMembers::parse(&ids).unwrap()
}

fn group(name: &str) -> GroupName {
    GroupName::parse(name).unwrap()
}

#[tokio::test]
async fn a_direct_room_is_created_once_and_named_after_the_other() {
    let w = world(2).await;
    let (first, created) = w.rooms.create_direct(w.id(0), w.id(1)).await.unwrap();
    assert!(created);
    assert_eq!(first.kind, RoomKind::Direct);
    assert_eq!(first.name, w.users[1].nick_name);
    assert_eq!((first.user_count, first.owner_id), (2, None));
    let (again, created) = w.rooms.create_direct(w.id(1), w.id(0)).await.unwrap();
    assert!(!created);
    assert_eq!(again.id, first.id);
    assert_eq!(again.name, w.users[0].nick_name);
    assert_eq!(
        w.rooms.direct_with(w.id(1), w.id(0)).await.unwrap().id,
        first.id
    );
}

#[tokio::test]
async fn racing_direct_creations_give_one_room() {
    for _ in 0..5 {
        let w = world(2).await;
        let (a, b) = tokio::join!(
            w.rooms.create_direct(w.id(0), w.id(1)),
            w.rooms.create_direct(w.id(1), w.id(0)),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.0.id, b.0.id);
        assert_eq!([a.1, b.1].iter().filter(|created| **created).count(), 1);
        let rooms = chatroom::entity::chatroom::Entity::find()
            .count(&w.db.conn)
            .await
            .unwrap();
        assert_eq!(rooms, 1);
    }
}

#[tokio::test]
async fn direct_rooms_need_a_friend() {
    let w = world(3).await;
    let strangers = w.rooms.create_direct(w.id(1), w.id(2)).await;
    assert!(
        matches!(strangers, Err(ChatroomError::NotAFriend)),
        "{strangers:?}"
    );
    let alone = w.rooms.create_direct(w.id(0), w.id(0)).await;
    assert!(matches!(alone, Err(ChatroomError::WithSelf)), "{alone:?}");
    let none = w.rooms.direct_with(w.id(0), w.id(1)).await;
    assert!(matches!(none, Err(ChatroomError::NotFound)), "{none:?}");
}

#[test]
fn a_group_starts_with_at_most_200_others_each_once() {
    let parsed = InitialMembers::parse(&[3, 2, 3]).unwrap();
    assert_eq!(
        parsed.with_owner(UserId::new(2)),
        vec![UserId::new(2), UserId::new(3)]
    );
    assert_eq!(
        parsed.with_owner(UserId::new(1)),
        vec![UserId::new(1), UserId::new(2), UserId::new(3)]
    );
    let many: Vec<i64> = (1..=201).collect();
    assert!(InitialMembers::parse(&many[..200]).is_ok());
    assert!(InitialMembers::parse(&many).is_err());
    assert!(InitialMembers::parse(&[1, 0]).is_err());
    assert!(InitialMembers::parse(&[-4]).is_err());
}

#[tokio::test]
async fn groups_take_friends_only() {
    let w = world(4).await;
    let room = w
        .rooms
        .create_group(
            w.id(0),
            group(" Team "),
            members(&[w.id(1), w.id(2), w.id(1), w.id(0)]),
        )
        .await
        .unwrap();
    assert_eq!((room.name.as_str(), room.kind), ("Team", RoomKind::Group));
    assert_eq!((room.user_count, room.owner_id), (3, Some(w.id(0).get())));
    let not_friends = w
        .rooms
        .create_group(w.id(1), group("x"), members(&[w.id(2)]))
        .await;
    assert!(
        matches!(not_friends, Err(ChatroomError::NotAFriend)),
        "{not_friends:?}"
    );
    let unknown = w
        .rooms
        .create_group(w.id(0), group("x"), members(&[UserId::new(987_654)]))
        .await;
    assert!(
        matches!(unknown, Err(ChatroomError::NotAFriend)),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn invite_rules() {
    let w = world(4).await;
    let room = w
        .rooms
        .create_group(w.id(0), group("g"), members(&[w.id(1)]))
        .await
        .unwrap();
    let (info, added) = w.rooms.invite(w.id(0), room.id, &w.name(2)).await.unwrap();
    assert_eq!((info.user_count, added), (3, w.id(2)));
    let again = w.rooms.invite(w.id(0), room.id, &w.name(2)).await;
    assert!(
        matches!(again, Err(ChatroomError::AlreadyMember)),
        "{again:?}"
    );
    // Member 1 is not a friend of member 3.
    let stranger = w.rooms.invite(w.id(1), room.id, &w.name(3)).await;
    assert!(
        matches!(stranger, Err(ChatroomError::NotAFriend)),
        "{stranger:?}"
    );
    let outsider = w.rooms.invite(w.id(3), room.id, &w.name(0)).await;
    assert!(
        matches!(outsider, Err(ChatroomError::NotFound)),
        "{outsider:?}"
    );
    let ghost = Username::parse("no-such-user").unwrap();
    let unknown = w.rooms.invite(w.id(0), room.id, &ghost).await;
    assert!(
        matches!(unknown, Err(ChatroomError::UserNotFound)),
        "{unknown:?}"
    );
    let (direct, _) = w.rooms.create_direct(w.id(0), w.id(1)).await.unwrap();
    let into_direct = w.rooms.invite(w.id(0), direct.id, &w.name(2)).await;
    assert!(
        matches!(into_direct, Err(ChatroomError::DirectRoom)),
        "{into_direct:?}"
    );
}

#[tokio::test]
async fn members_list_the_owner_first_then_by_join_time() {
    let w = world(4).await;
    let room = w
        .rooms
        .create_group(w.id(0), group("g"), members(&[]))
        .await
        .unwrap();
    w.rooms.invite(w.id(0), room.id, &w.name(3)).await.unwrap();
    w.rooms.invite(w.id(0), room.id, &w.name(1)).await.unwrap();
    let members = w
        .rooms
        .members(w.id(3), room.id, PageRequest::default())
        .await
        .unwrap();
    let ids: Vec<i64> = members.items.iter().map(|m| m.id).collect();
    assert_eq!(ids, [w.id(0).get(), w.id(3).get(), w.id(1).get()]);
    assert_eq!(members.total, 3);
    let outsider = w
        .rooms
        .members(w.id(2), room.id, PageRequest::default())
        .await;
    assert!(
        matches!(outsider, Err(ChatroomError::NotFound)),
        "{outsider:?}"
    );
}

#[tokio::test]
async fn exit_passes_ownership_and_keeps_an_empty_group() {
    let w = world(3).await;
    let room = w
        .rooms
        .create_group(w.id(0), group("g"), members(&[]))
        .await
        .unwrap();
    w.rooms.invite(w.id(0), room.id, &w.name(2)).await.unwrap();
    w.rooms.invite(w.id(0), room.id, &w.name(1)).await.unwrap();
    w.rooms.exit(w.id(0), room.id).await.unwrap();
    let info = w.rooms.info(w.id(1), room.id).await.unwrap();
    assert_eq!((info.owner_id, info.user_count), (Some(w.id(2).get()), 2));
    let gone = w.rooms.info(w.id(0), room.id).await;
    assert!(matches!(gone, Err(ChatroomError::NotFound)), "{gone:?}");
    w.rooms.exit(w.id(2), room.id).await.unwrap();
    assert_eq!(
        w.rooms.info(w.id(1), room.id).await.unwrap().owner_id,
        Some(w.id(1).get())
    );
    w.rooms.exit(w.id(1), room.id).await.unwrap();
    let kept = chatroom::entity::chatroom::Entity::find_by_id(room.id.get())
        .one(&w.db.conn)
        .await
        .unwrap();
    assert_eq!(kept.unwrap().owner_id, None);
    let (direct, _) = w.rooms.create_direct(w.id(0), w.id(1)).await.unwrap();
    let leave_direct = w.rooms.exit(w.id(0), direct.id).await;
    assert!(
        matches!(leave_direct, Err(ChatroomError::DirectRoom)),
        "{leave_direct:?}"
    );
}
