//! Helpers shared by the integration tests; each test file uses only some of them.
#![allow(dead_code)]

pub mod ct2_model;
pub mod http_server;
