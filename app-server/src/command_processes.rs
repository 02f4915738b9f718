//! The `command/exec` processes a connection drives, by their client-chosen `processId`: what
//! `command/exec/write`, `command/exec/resize` and `command/exec/terminate` reach, and what ends when the
//! connection closes. A process is registered by the message processor before its request runs, so a
//! `command/exec/write` sent right after its `command/exec` always finds it (what it writes waits for the
//! process to start).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::MutexGuard;

use codex_app_server_protocol::ClientRequest;
use codex_core::tools::exec::SessionInput;
use tokio::sync::mpsc;

use crate::error::RequestError;

/// One live process: how to reach it and what it accepts.
struct Entry {
    /// Tells this registration from a later one under the same id.
    generation: u64,
    input: mpsc::UnboundedSender<SessionInput>,
    /// What the `command/exec` handler takes to drive the process.
    pending: Option<mpsc::UnboundedReceiver<SessionInput>>,
    stdin: bool,
    tty: bool,
    /// Terminated before its `command/exec` claimed it: kept (with the kill queued) until that request
    /// runs, which then ends at once; unreachable by its id meanwhile.
    terminated: bool,
}

#[derive(Default)]
struct Registry {
    processes: HashMap<String, Entry>,
    next_generation: u64,
    /// Set when the connection closed: nothing new starts.
    closed: bool,
}

/// A connection's live `command/exec` processes.
#[derive(Default)]
pub struct CommandProcesses {
    registry: Mutex<Registry>,
}

/// What a registered process accepts besides `terminate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepts {
    pub stdin: bool,
    pub tty: bool,
}

/// A process's place in the registry, given up when dropped (the process exited or was abandoned).
pub struct Registration {
    processes: Arc<CommandProcesses>,
    process_id: String,
    generation: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut registry = self.processes.lock();
        if registry
            .processes
            .get(&self.process_id)
            .is_some_and(|entry| entry.generation == self.generation)
        {
            registry.processes.remove(&self.process_id);
        }
    }
}

impl CommandProcesses {
    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers the process of `request` when it is a `command/exec` with a `processId`; held until the
    /// request ends.
    pub fn register_request(
        self: &Arc<Self>,
        request: &ClientRequest,
    ) -> Result<Option<Registration>, RequestError> {
        let ClientRequest::CommandExec { params, .. } = request else {
            return Ok(None);
        };
        let Some(process_id) = &params.process_id else {
            return Ok(None);
        };
        let accepts = Accepts {
            stdin: params.tty || params.stream_stdin,
            tty: params.tty,
        };
        self.register(process_id, accepts).map(Some)
    }

    /// Registers a process under `process_id`; a live one with the same id is refused as upstream does.
    pub fn register(
        self: &Arc<Self>,
        process_id: &str,
        accepts: Accepts,
    ) -> Result<Registration, RequestError> {
        let mut registry = self.lock();
        if registry.closed {
            return Err(RequestError::Rejected("connection closed".to_string()));
        }
        if registry.processes.contains_key(process_id) {
            return Err(RequestError::Rejected(format!(
                "duplicate active command/exec process id: {process_id:?}"
            )));
        }
        let (input, pending) = mpsc::unbounded_channel();
        let generation = registry.next_generation;
        registry.next_generation += 1;
        registry.processes.insert(
            process_id.to_string(),
            Entry {
                generation,
                input,
                pending: Some(pending),
                stdin: accepts.stdin,
                tty: accepts.tty,
                terminated: false,
            },
        );
        Ok(Registration {
            processes: Arc::clone(self),
            process_id: process_id.to_string(),
            generation,
        })
    }

    /// The input of the registered process `process_id`, for the one `command/exec` that runs it, with a
    /// registration of its own: dropping it before the answer is written makes the id unknown from then on.
    pub fn claim(
        self: &Arc<Self>,
        process_id: &str,
    ) -> Option<(mpsc::UnboundedReceiver<SessionInput>, Registration)> {
        let mut registry = self.lock();
        let entry = registry.processes.get_mut(process_id)?;
        let input = entry.pending.take()?;
        let registration = Registration {
            processes: Arc::clone(self),
            process_id: process_id.to_string(),
            generation: entry.generation,
        };
        Some((input, registration))
    }

    /// Sends `input` to the live process `process_id` once `check` accepts what it accepts.
    pub fn send(
        &self,
        process_id: &str,
        check: impl FnOnce(Accepts) -> Result<(), RequestError>,
        input: impl IntoIterator<Item = SessionInput>,
    ) -> Result<(), RequestError> {
        let registry = self.lock();
        let entry = registry
            .processes
            .get(process_id)
            .filter(|entry| !entry.terminated)
            .ok_or_else(|| no_active(process_id))?;
        check(Accepts {
            stdin: entry.stdin,
            tty: entry.tty,
        })?;
        for input in input {
            // A process that just exited no longer reads; its `command/exec` answers anyway.
            let _ = entry.input.send(input);
        }
        Ok(())
    }

    /// Kills the live process `process_id`; it is no longer reachable by its id. A process whose
    /// `command/exec` has not started it yet is killed as soon as it starts.
    pub fn terminate(&self, process_id: &str) -> Result<(), RequestError> {
        let mut registry = self.lock();
        let entry = registry
            .processes
            .get_mut(process_id)
            .filter(|entry| !entry.terminated)
            .ok_or_else(|| no_active(process_id))?;
        let _ = entry.input.send(SessionInput::Terminate);
        if entry.pending.is_some() {
            entry.terminated = true;
        } else {
            registry.processes.remove(process_id);
        }
        Ok(())
    }

    /// The connection closed: every live process is killed and no new one starts.
    pub fn close(&self) {
        let mut registry = self.lock();
        registry.closed = true;
        for entry in registry.processes.values_mut() {
            let _ = entry.input.send(SessionInput::Terminate);
            entry.terminated = true;
        }
        registry
            .processes
            .retain(|_, entry| entry.pending.is_some());
    }
}

fn no_active(process_id: &str) -> RequestError {
    RequestError::Rejected(format!(
        "no active command/exec for process id {process_id:?}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts() -> Accepts {
        Accepts {
            stdin: true,
            tty: false,
        }
    }

    /// A `terminate` read before its `command/exec` started the process: the kill waits in the process's
    /// input, the request still finds its process, and the id is unreachable meanwhile.
    #[test]
    fn a_process_terminated_before_it_started_is_killed_when_it_starts() {
        let processes = Arc::new(CommandProcesses::default());
        let _held = processes.register("p", accepts()).unwrap();
        processes.terminate("p").unwrap();
        let write = processes.send("p", |_| Ok(()), [SessionInput::CloseStdin]);
        assert!(matches!(write, Err(RequestError::Rejected(_))));
        assert!(matches!(
            processes.terminate("p"),
            Err(RequestError::Rejected(_))
        ));
        let (mut input, _claimed) = processes.claim("p").unwrap();
        assert!(matches!(input.try_recv(), Ok(SessionInput::Terminate)));
    }

    #[test]
    fn closing_the_connection_kills_started_and_unstarted_processes() {
        let processes = Arc::new(CommandProcesses::default());
        let _started = processes.register("started", accepts()).unwrap();
        let (mut started_input, _claimed) = processes.claim("started").unwrap();
        let _unstarted = processes.register("unstarted", accepts()).unwrap();
        processes.close();
        assert!(matches!(
            started_input.try_recv(),
            Ok(SessionInput::Terminate)
        ));
        let (mut unstarted_input, _claimed) = processes.claim("unstarted").unwrap();
        assert!(matches!(
            unstarted_input.try_recv(),
            Ok(SessionInput::Terminate)
        ));
        assert!(processes.register("new", accepts()).is_err());
    }
}
