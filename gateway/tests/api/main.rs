//! API tests: a real server on port 0 per test, a fresh database per test, real HTTP.
mod errors;
mod helpers;
mod ops;
mod user;
