//! The real-time half: a WebSocket at `/chat` carrying every room of a user.
//! `handler` runs one connection, `hub` owns who is in which room on this gateway, `bus` fans
//! messages out across gateways (Redis pub/sub, or in-process), `protocol` types the frames.
mod budget;
pub mod bus;
pub mod catch_up;
pub mod handler;
pub mod hub;
pub mod hub_task;
pub mod protocol;
pub mod publish;
pub mod subscriptions;
pub mod user_sockets;
