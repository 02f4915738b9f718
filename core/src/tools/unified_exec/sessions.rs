//! A thread's unified exec sessions, by the id the model knows them by: random ids, at most
//! [`MAX_SESSIONS`] at once (starting one more ends one: an ended one, else the least recently used,
//! sparing the most recent few), listed and ended for the host (its background terminals), and all ended
//! with an interrupt or the thread.

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;

use super::process::ProcessEnd;
use super::process::ProcessOrigin;
use super::process::ProcessReporter;
use super::process::UnifiedExecProcess;
use crate::tools::exec::ExecParams;
use crate::tools::exec::SessionStdio;

/// The most sessions a thread keeps (upstream's limit).
pub const MAX_SESSIONS: usize = 64;
/// The most recently used sessions are never the ones ended to make room.
const SPARED_RECENT: usize = 8;
/// Session ids are drawn from this range, as upstream draws them.
const ID_RANGE: std::ops::Range<i32> = 1_000..100_000;

/// A running session as the host lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackgroundTerminal {
    /// The id of the `commandExecution` item of the `exec_command` that started it.
    pub item_id: String,
    /// The session id (the item's `processId`).
    pub process_id: String,
    /// The command as the model wrote it.
    pub command: String,
    pub cwd: String,
}

#[derive(Default)]
struct Registry {
    running: HashMap<i32, Arc<UnifiedExecProcess>>,
    /// Ids handed out for sessions about to start.
    reserved: HashSet<i32>,
}

/// One thread's sessions.
pub struct UnifiedExecSessions {
    registry: Mutex<Registry>,
    reporter: ProcessReporter,
}

impl UnifiedExecSessions {
    pub(crate) fn new(reporter: ProcessReporter) -> Self {
        UnifiedExecSessions {
            registry: Mutex::new(Registry::default()),
            reporter,
        }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh session id, held until [`Self::start`] or [`Self::release`].
    pub(crate) fn reserve_id(&self) -> i32 {
        let mut registry = self.registry();
        loop {
            let id = rand::random_range(ID_RANGE);
            if !registry.running.contains_key(&id) && registry.reserved.insert(id) {
                return id;
            }
        }
    }

    /// Gives back an id whose session will not start.
    pub(crate) fn release(&self, id: i32) {
        self.registry().reserved.remove(&id);
    }

    /// Starts a session under a reserved id; at the limit, another session is ended to make room.
    pub(crate) fn start(
        &self,
        id: i32,
        params: ExecParams,
        stdio: SessionStdio,
        origin: ProcessOrigin,
    ) -> Arc<UnifiedExecProcess> {
        let process = Arc::new(UnifiedExecProcess::start(
            id,
            params,
            stdio,
            origin,
            self.reporter.clone(),
        ));
        let victim = {
            let mut registry = self.registry();
            registry.reserved.remove(&id);
            let victim = if registry.running.len() >= MAX_SESSIONS {
                prune_candidate(&registry.running)
                    .and_then(|victim| registry.running.remove(&victim))
            } else {
                None
            };
            registry.running.insert(id, Arc::clone(&process));
            victim
        };
        if let Some(victim) = victim {
            tracing::debug!(
                session = victim.id,
                "too many unified exec sessions: ending one"
            );
            end_in_background(victim);
        }
        process
    }

    /// The session `id`, if the thread has it.
    pub(crate) fn get(&self, id: i32) -> Option<Arc<UnifiedExecProcess>> {
        self.registry().running.get(&id).cloned()
    }

    /// Forgets a session whose end the model has read.
    pub(crate) fn remove(&self, id: i32) {
        self.registry().running.remove(&id);
    }

    /// The sessions still running, by id.
    pub fn list(&self) -> Vec<BackgroundTerminal> {
        let mut running: Vec<Arc<UnifiedExecProcess>> = self
            .registry()
            .running
            .values()
            .filter(|process| process.end().is_none())
            .cloned()
            .collect();
        running.sort_by_key(|process| process.id);
        running
            .iter()
            .map(|process| BackgroundTerminal {
                item_id: process.origin.item_id().to_string(),
                process_id: process.id.to_string(),
                command: process.origin.model_command.clone(),
                cwd: process.origin.cwd.clone(),
            })
            .collect()
    }

    /// Ends the session `id`; `true` when it was running. Returns once its completed item was reported.
    pub async fn terminate(&self, id: i32) -> bool {
        let Some(process) = self.registry().running.remove(&id) else {
            return false;
        };
        let was_running = process.end().is_none();
        process.terminate();
        process.wait_end().await;
        was_running
    }

    /// Ends every session; returns once each one's completed item was reported.
    pub async fn terminate_all(&self) {
        let processes: Vec<Arc<UnifiedExecProcess>> = {
            let mut registry = self.registry();
            registry
                .running
                .drain()
                .map(|(_, process)| process)
                .collect()
        };
        for process in &processes {
            process.terminate();
        }
        for process in &processes {
            process.wait_end().await;
        }
    }

    /// How many sessions the thread holds (running or ended but not yet read).
    pub fn len(&self) -> usize {
        self.registry().running.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for UnifiedExecSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnifiedExecSessions")
            .field("sessions", &self.len())
            .finish()
    }
}

/// The session to end to make room: one that already ended, else the least recently used outside the
/// most recent few.
fn prune_candidate(running: &HashMap<i32, Arc<UnifiedExecProcess>>) -> Option<i32> {
    let mut by_use: Vec<&Arc<UnifiedExecProcess>> = running.values().collect();
    by_use.sort_by_key(|process| process.last_used());
    if let Some(ended) = by_use.iter().find(|process| process.end().is_some()) {
        return Some(ended.id);
    }
    let candidates = by_use.len().saturating_sub(SPARED_RECENT);
    by_use[..candidates].first().map(|process| process.id)
}

/// Ends a session nobody will read again, keeping it alive until its completed item is reported.
fn end_in_background(process: Arc<UnifiedExecProcess>) {
    process.terminate();
    tokio::spawn(async move {
        let end = process.wait_end().await;
        if let ProcessEnd::Failed(reason) = end {
            tracing::debug!(session = process.id, %reason, "pruned session had failed");
        }
    });
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
