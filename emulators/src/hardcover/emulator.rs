//! Building and starting a Hardcover emulator from Rust (tests, benchmarks, the binary).
//!
//! ```text
//! let hc = HardcoverEmulator::builder()
//!     .library(SeedSpec { books: 300, seed: 7, ..SeedSpec::default() })
//!     .today(NaiveDate::from_ymd_opt(2026, 6, 15).unwrap())
//!     .user("reader")
//!     .personal_token("hc_pat_test", ALL_SCOPES)
//!     .limits(Limits::unlimited())
//!     .start()
//!     .await?;
//! // point the client at hc.graphql_url(); inspect with hc.state().db(), hc.stats()
//! ```

use chrono::{NaiveDate, Utc};

use super::app::HardcoverState;
use super::knobs::Knobs;
use super::limits::Limits;
use super::seed::{SeedSpec, seed_catalog, seed_library};
use super::state::{AutoReadPolicy, Db};
use super::stats::Stats;
use super::tokens::TokenRegistry;
use crate::server::RunningServer;

/// Entry point: `HardcoverEmulator::builder()`.
pub struct HardcoverEmulator;

impl HardcoverEmulator {
    pub fn builder() -> HardcoverBuilder {
        HardcoverBuilder::default()
    }
}

#[derive(Default)]
pub struct HardcoverBuilder {
    library: Option<SeedSpec>,
    users: Vec<String>,
    tokens: Vec<(String, usize, Vec<String>)>,
    limits: Option<Limits>,
    today: Option<NaiveDate>,
    registry: Option<TokenRegistry>,
    extra: Vec<axum::Router>,
    port: u16,
    auto_read_policy: AutoReadPolicy,
}

impl HardcoverBuilder {
    /// Seed a catalog (and every user's shelf) from `spec`. Without it the catalog is empty.
    pub fn library(mut self, spec: SeedSpec) -> Self {
        self.library = Some(spec);
        self
    }

    /// Add a user; the first one gets the full seeded shelf, later ones a smaller one.
    pub fn user(mut self, username: &str) -> Self {
        self.users.push(username.to_string());
        self
    }

    /// A never-expiring personal token for the most recently added user (adding "reader" first
    /// when there is none).
    pub fn personal_token(mut self, token: &str, scopes: &[&str]) -> Self {
        if self.users.is_empty() {
            self.users.push("reader".into());
        }
        self.tokens.push((token.to_string(), self.users.len() - 1, scopes.iter().map(|s| s.to_string()).collect()));
        self
    }

    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// The emulator's "today" (defaults to the real UTC date).
    pub fn today(mut self, today: NaiveDate) -> Self {
        self.today = Some(today);
        self
    }

    /// Share a token registry with another emulator part (the OAuth server issues into it).
    pub fn token_registry(mut self, registry: TokenRegistry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Extra routes served on the same port (e.g. the OAuth router).
    pub fn extra_routes(mut self, router: axum::Router) -> Self {
        self.extra.push(router);
        self
    }

    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    pub fn auto_read_policy(mut self, policy: AutoReadPolicy) -> Self {
        self.auto_read_policy = policy;
        self
    }

    /// Seed the database and make the shared state, without serving it.
    pub fn build_state(&self) -> HardcoverState {
        let mut db = Db::new(self.today.unwrap_or_else(|| Utc::now().date_naive()));
        db.auto_read_policy = self.auto_read_policy;
        if let Some(spec) = &self.library {
            seed_catalog(&mut db, spec);
        }
        let users: Vec<String> = if self.users.is_empty() { vec!["reader".into()] } else { self.users.clone() };
        let ids: Vec<i64> = users.iter().map(|u| db.add_user(u)).collect();
        if let Some(spec) = &self.library {
            for (i, id) in ids.iter().enumerate() {
                let share = if i == 0 { spec.shelf_share } else { spec.shelf_share / 3.0 };
                seed_library(&mut db, *id, spec, share);
            }
        }
        let registry = self.registry.clone().unwrap_or_default();
        for (token, user_index, scopes) in &self.tokens {
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            registry.insert_personal(token.clone(), ids[*user_index], &scopes);
        }
        HardcoverState::new(db, registry, self.limits.clone().unwrap_or_default())
    }

    pub async fn start(self) -> std::io::Result<RunningHardcover> {
        let state = self.build_state();
        let mut router = super::http::router(state.clone());
        for extra in self.extra {
            router = router.merge(extra);
        }
        let server = RunningServer::serve(router, self.port).await?;
        Ok(RunningHardcover { server, state })
    }
}

/// A Hardcover emulator serving on loopback. Dropping it stops it.
pub struct RunningHardcover {
    server: RunningServer,
    state: HardcoverState,
}

impl RunningHardcover {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// `http://127.0.0.1:PORT/v1/graphql`, where Hardcover's API lives.
    pub fn graphql_url(&self) -> String {
        format!("{}{}", self.base_url(), super::http::GRAPHQL_PATH)
    }

    pub fn tokens(&self) -> TokenRegistry {
        self.state.tokens().clone()
    }

    pub fn state(&self) -> &HardcoverState {
        &self.state
    }

    pub fn stats(&self) -> Stats {
        self.state.stats()
    }

    pub fn knobs(&self) -> &Knobs {
        self.state.knobs()
    }

    pub fn set_today(&self, today: NaiveDate) {
        self.state.set_today(today);
    }

    pub fn set_limits(&self, limits: Limits) {
        self.state.set_limits(limits);
    }

    /// The id of a user by name.
    pub fn user_id(&self, username: &str) -> Option<i64> {
        self.state.user_id(username)
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }
}
