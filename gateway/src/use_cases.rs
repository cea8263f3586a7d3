//! The changes other people's sockets must hear of, each as one function: commit through the
//! service, then publish (`ws/publish.rs`), in a task of its own. actix drops a handler's future
//! when its client hangs up, and that must never fall between a commit and its publication.
//! Route handlers parse, call one of these, and map the answer; messages take the write
//! pipeline instead, which publishes what it commits.
use crate::error::ApiError;
use crate::state::AppState;
use crate::ws::bus::BusEvent;
use crate::ws::protocol::ServerFrame;
use ::chatroom::RoomId;
use chatroom::{GroupName, InitialMembers, RoomInfo};
use friend_request::{FriendRequestView, Reason, SendOutcome};
use std::future::Future;
use std::sync::Arc;
use user::{ResetPasswordInput, UserId, Username};

/// Runs `work` to the end in a task of its own, whatever happens to the caller.
async fn detached<T: 'static>(
    work: impl Future<Output = Result<T, ApiError>> + 'static,
) -> Result<T, ApiError> {
    actix_web::rt::spawn(work)
        .await
        .map_err(|err| ApiError::internal(&err))?
}

/// The direct room with a friend, created on first use (`true` then); the two people's sockets
/// join a new one.
pub async fn open_direct_room(
    state: Arc<AppState>,
    me: UserId,
    friend: UserId,
) -> Result<(RoomInfo, bool), ApiError> {
    detached(async move {
        let (room, created) = state.chatrooms.create_direct(me, friend).await?;
        if created {
            state
                .publish_members_added(room.id.get(), &[me, friend], me)
                .await;
        }
        Ok((room, created))
    })
    .await
}

/// A new group; every member's sockets join it, in one event naming the creator.
pub async fn create_group(
    state: Arc<AppState>,
    me: UserId,
    name: GroupName,
    members: InitialMembers,
) -> Result<RoomInfo, ApiError> {
    detached(async move {
        let everyone = members.with_owner(me);
        let room = state.chatrooms.create_group(me, name, members).await?;
        state
            .publish_members_added(room.id.get(), &everyone, me)
            .await;
        Ok(room)
    })
    .await
}

/// Adds a friend of mine to a group I am in; their sockets join it.
pub async fn invite(
    state: Arc<AppState>,
    me: UserId,
    room: RoomId,
    username: Username,
) -> Result<RoomInfo, ApiError> {
    detached(async move {
        let (info, added) = state.chatrooms.invite(me, room, &username).await?;
        state
            .publish_members_added(room.get(), &[added], added)
            .await;
        Ok(info)
    })
    .await
}

/// Leaves a group: my sockets leave it, the others hear `exitRoom`.
pub async fn leave_room(state: Arc<AppState>, me: UserId, room: RoomId) -> Result<(), ApiError> {
    detached(async move {
        state.chatrooms.exit(me, room).await?;
        state.publish_member_left(room.get(), me).await;
        Ok(())
    })
    .await
}

/// A friend request: the addressee hears `friendRequest`, or, when they had asked me already,
/// we are friends and both hear `friendAdded`.
pub async fn request_friendship(
    state: Arc<AppState>,
    me: UserId,
    username: Username,
    reason: Reason,
) -> Result<SendOutcome, ApiError> {
    detached(async move {
        let outcome = state.friend_requests.send(me, &username, reason).await?;
        match &outcome {
            SendOutcome::Sent(request) => {
                let frame = ServerFrame::FriendRequest {
                    request: request.clone(),
                };
                let addressee = UserId::new(request.to_user.id);
                state.publish_to_users(&[addressee], &frame).await;
            }
            SendOutcome::AgreedTheirs(request) => {
                state
                    .publish_friends_added(&request.from_user, &request.to_user)
                    .await;
            }
        }
        Ok(outcome)
    })
    .await
}

/// Agrees a request to me: we are friends, and both hear `friendAdded`.
pub async fn agree_friend_request(
    state: Arc<AppState>,
    me: UserId,
    request: i64,
) -> Result<FriendRequestView, ApiError> {
    detached(async move {
        let view = state.friend_requests.agree(me, request).await?;
        state
            .publish_friends_added(&view.from_user, &view.to_user)
            .await;
        Ok(view)
    })
    .await
}

/// Ends a friendship: both hear `friendRemoved`, each naming the other.
pub async fn remove_friend(
    state: Arc<AppState>,
    me: UserId,
    friend: UserId,
) -> Result<(), ApiError> {
    detached(async move {
        state.friendships.remove(me, friend).await?;
        for (to, other) in [(me, friend), (friend, me)] {
            let frame = ServerFrame::FriendRemoved {
                user_id: other.get(),
            };
            state.publish_to_users(&[to], &frame).await;
        }
        Ok(())
    })
    .await
}

/// A new password through the mailed code: every earlier token is revoked, and the user's open
/// sockets close on every gateway, not at their expiry.
pub async fn reset_password(
    state: Arc<AppState>,
    input: ResetPasswordInput,
) -> Result<(), ApiError> {
    detached(async move {
        let user = state.users.reset_password(input).await?;
        state
            .bus
            .publish(BusEvent::Revoked { user: user.get() })
            .await;
        Ok(())
    })
    .await
}
