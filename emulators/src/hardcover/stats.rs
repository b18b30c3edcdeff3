//! Request counters, readable from Rust and over HTTP (`GET /__emulator/stats`).

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Stats {
    /// GraphQL requests received (including refused and faulted ones).
    pub requests: u64,
    /// Executed top-level fields by name (what Hardcover bills as requests).
    pub top_level_fields: BTreeMap<String, u64>,
    /// Answers by HTTP status code.
    pub status_codes: BTreeMap<u16, u64>,
    pub queries: u64,
    pub mutations: u64,
    pub faults_injected: u64,
}

impl Stats {
    pub fn field(&self, name: &str) -> u64 {
        self.top_level_fields.get(name).copied().unwrap_or(0)
    }

    pub fn status(&self, code: u16) -> u64 {
        self.status_codes.get(&code).copied().unwrap_or(0)
    }
}
