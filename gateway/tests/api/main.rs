//! API tests: a real server on port 0 per test, a fresh database per test, real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports
mod chatroom;
mod cluster;
mod errors;
mod favorite;
mod friendship;
mod helpers;
mod ops;
mod pipeline;
mod settings;
mod storage;
mod storage_upkeep;
mod user;
mod ws;
mod ws_client;
