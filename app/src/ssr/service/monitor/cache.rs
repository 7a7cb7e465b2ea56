//! What every ingest request needs and hardly ever changes, kept in memory: the live ingest
//! tokens (by hash), which client each heartbeat key belongs to, and each client's systems with
//! their effective targets and heartbeat keys. Changes made through
//! this server drop an entry at once; entries also expire after `TTL`, which bounds how long a
//! change made through another replica (a revoked token, a new target) goes unseen here.
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

use super::Targets;
use crate::ssr::entity::ingest_token;

pub const TTL: Duration = Duration::from_secs(10);
/// Past this many entries, expired ones are pruned when a new one goes in (once per `TTL`).
const PRUNE_AT: usize = 10_000;

/// A client's systems and the targets in force for each.
#[derive(Debug, Default)]
pub struct ClientTargets {
    pub targets: Targets,
    pub systems: HashSet<Uuid>,
    /// How many days a restore test proves the RTO (the MSP's setting).
    pub restore_test_days: i64,
    /// The system each current heartbeat key names.
    pub ping_keys: HashMap<String, Uuid>,
    /// An archived client is not monitored: its heartbeats are refused.
    pub archived: bool,
}

impl ClientTargets {
    /// A system's (RPO, RTO) in seconds; none for a system without targets.
    pub fn target(&self, system_id: Uuid) -> (Option<i64>, Option<i64>) {
        self.targets
            .get(&system_id)
            .copied()
            .unwrap_or((None, None))
    }
}

/// A map whose entries count only while younger than `TTL`, and when it pruned last.
struct Fresh<K, V>(Mutex<HashMap<K, (V, Instant)>>, Mutex<Instant>);

impl<K, V> Default for Fresh<K, V> {
    fn default() -> Self {
        Fresh(Mutex::new(HashMap::new()), Mutex::new(Instant::now()))
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> Fresh<K, V> {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<K, (V, Instant)>> {
        // A panic elsewhere while holding the lock leaves nothing half-written here.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.map()
            .get(key)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(v, _)| v.clone())
    }

    /// Past `PRUNE_AT` entries, expired ones go at most once per `TTL`: with more live entries
    /// than that (every heartbeat key of a large MSP), each insert does not scan them all.
    fn put(&self, key: K, value: V) {
        let mut map = self.map();
        if map.len() >= PRUNE_AT {
            let mut pruned = self.1.lock().unwrap_or_else(|e| e.into_inner());
            if pruned.elapsed() >= TTL {
                map.retain(|_, (_, at)| at.elapsed() < TTL);
                *pruned = Instant::now();
            }
        }
        map.insert(key, (value, Instant::now()));
    }
}

#[derive(Default)]
pub struct IngestCache {
    tokens: Fresh<String, ingest_token::Model>,
    clients: Fresh<Uuid, Arc<ClientTargets>>,
    /// Heartbeat key -> (MSP, client). Checked against the client's own `ping_keys` on every
    /// use, so a rotated key or a removed system counts no longer than the client's entry.
    pings: Fresh<String, (Uuid, Uuid)>,
}

impl IngestCache {
    /// The live token with this hash, if it was looked up within `TTL`.
    pub fn token(&self, hash: &str) -> Option<ingest_token::Model> {
        self.tokens.get(hash)
    }

    pub fn put_token(&self, hash: String, token: ingest_token::Model) {
        self.tokens.put(hash, token);
    }

    /// A token was revoked: look it up afresh next time.
    pub fn forget_token(&self, id: Uuid) {
        self.tokens.map().retain(|_, (t, _)| t.id != id);
    }

    /// The client is gone: none of its tokens counts any more, here at once.
    pub fn forget_tokens_of(&self, client_id: Uuid) {
        self.tokens
            .map()
            .retain(|_, (t, _)| t.client_id != client_id);
    }

    /// The token's use was recorded now; its cached copy says so too.
    pub fn touched(&self, id: Uuid, now: chrono::DateTime<chrono::Utc>) {
        for (t, _) in self.tokens.map().values_mut().filter(|(t, _)| t.id == id) {
            t.last_used_at = Some(now);
        }
    }

    pub fn client(&self, client_id: Uuid) -> Option<Arc<ClientTargets>> {
        self.clients.get(&client_id)
    }

    pub fn put_client(&self, client_id: Uuid, targets: Arc<ClientTargets>) {
        self.clients.put(client_id, targets);
    }

    /// The (MSP, client) whose system a heartbeat key named when last looked up.
    pub fn ping_client(&self, key: &str) -> Option<(Uuid, Uuid)> {
        self.pings.get(key)
    }

    pub fn put_ping_client(&self, key: &str, msp_id: Uuid, client_id: Uuid) {
        self.pings.put(key.to_string(), (msp_id, client_id));
    }

    pub fn forget_ping_key(&self, key: &str) {
        self.pings.map().remove(key);
    }

    /// The client's systems or targets changed.
    pub fn forget_client(&self, client_id: Uuid) {
        self.clients.map().remove(&client_id);
    }

    /// Forgets every client's targets (an MSP-wide setting changed).
    pub fn forget_clients(&self) {
        self.clients.map().clear();
    }
}
