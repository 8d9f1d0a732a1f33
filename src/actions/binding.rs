//! Which server a queued action belongs to, and what happens to a queue when the server changes:
//! every action is bound to the RCON target it was queued for ([`ServerId`]); switching servers
//! (demo ↔ the streamer's world, or a new host:port) holds the old queue instead of sending it to
//! the new server. A held queue is shown until the streamer clears it or keeps it for its own
//! server, where it runs again once that server is back. Also the list of what did not run when
//! the executor stops ([`ShutdownReport`]).

use std::collections::VecDeque;
use std::fmt;

/// The identity of an RCON target: the demo's own server, the streamer's `host:port`, or none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum ServerId {
    /// No RCON server set up: commands fail, sounds and webhooks still run.
    #[default]
    NotSet,
    /// The demo's loopback server (its port changes every start; it is still the demo).
    Demo,
    /// The streamer's server as `host:port` (`[v6]:port`), host in lower case.
    Rcon(String),
    /// The streamer's Bedrock world, connected with `/connect 127.0.0.1:PORT`.
    Bedrock(u16),
}

impl ServerId {
    /// The identity of the server at `host` and `port`.
    pub fn rcon(host: &str, port: u16) -> Self {
        let host = host.trim().to_ascii_lowercase();
        Self::Rcon(super::host_port(&host, port))
    }
}

impl fmt::Display for ServerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSet => f.write_str("no server"),
            Self::Demo => f.write_str("the demo server"),
            Self::Rcon(address) => f.write_str(address),
            Self::Bedrock(port) => write!(f, "the Bedrock world (port {port})"),
        }
    }
}

/// Where a credited gift came from; decides the server its actions are bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The demo stream: its actions belong to the demo server only.
    Demo,
    /// The streamer's real stream: its actions belong to the streamer's server.
    Stream,
}

/// A queue held back because its server is not the current one.
#[derive(Debug)]
pub(crate) struct Held<T> {
    pub server: ServerId,
    pub items: VecDeque<T>,
    /// The streamer chose to keep it: it runs when its server is current again.
    pub kept: bool,
}

/// A held queue as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldQueue {
    pub server: ServerId,
    pub count: usize,
    /// Kept for its own server (runs when that server is current again); otherwise it waits for
    /// the streamer to choose.
    pub kept: bool,
    /// The first action waiting, e.g. `/summon tnt`.
    pub next: Option<String>,
}

/// All held queues, at most one per server.
#[derive(Debug)]
pub(crate) struct HeldQueues<T> {
    queues: Vec<Held<T>>,
}

impl<T> Default for HeldQueues<T> {
    fn default() -> Self {
        Self { queues: Vec::new() }
    }
}

impl<T> HeldQueues<T> {
    /// Actions held in all queues.
    pub fn len(&self) -> usize {
        self.queues.iter().map(|h| h.items.len()).sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Held<T>> {
        self.queues.iter()
    }

    fn entry(&mut self, server: &ServerId) -> &mut Held<T> {
        let index = match self.queues.iter().position(|h| &h.server == server) {
            Some(index) => index,
            None => {
                self.queues.push(Held {
                    server: server.clone(),
                    items: VecDeque::new(),
                    kept: false,
                });
                self.queues.len() - 1
            }
        };
        &mut self.queues[index]
    }

    /// Adds actions for `server` behind the ones already held for it.
    pub fn hold(&mut self, server: &ServerId, items: impl IntoIterator<Item = T>) {
        let mut items = items.into_iter().peekable();
        if items.peek().is_some() {
            self.entry(server).items.extend(items);
        }
    }

    /// Marks `server`'s queue as kept. Returns false when nothing is held for it.
    pub fn keep(&mut self, server: &ServerId) -> bool {
        match self.queues.iter_mut().find(|h| &h.server == server) {
            Some(held) => {
                held.kept = true;
                true
            }
            None => false,
        }
    }

    /// Removes `server`'s queue, returning its actions.
    pub fn take(&mut self, server: &ServerId) -> VecDeque<T> {
        match self.queues.iter().position(|h| &h.server == server) {
            Some(index) => self.queues.remove(index).items,
            None => VecDeque::new(),
        }
    }

    /// Removes `server`'s queue if the streamer kept it (it may run now).
    pub fn take_kept(&mut self, server: &ServerId) -> VecDeque<T> {
        match self
            .queues
            .iter()
            .position(|h| &h.server == server && h.kept)
        {
            Some(index) => self.queues.remove(index).items,
            None => VecDeque::new(),
        }
    }

    /// Removes every held queue.
    pub fn take_all(&mut self) -> Vec<Held<T>> {
        std::mem::take(&mut self.queues)
    }
}

/// The policy for a server switch: the current queue (for `old`) is held for `old`, and a queue
/// the streamer kept for `new` comes back. Returns the new current queue. Nothing ever moves from
/// one server to another.
pub(crate) fn switch_server<T>(
    held: &mut HeldQueues<T>,
    current: &mut VecDeque<T>,
    old: &ServerId,
    new: &ServerId,
) {
    if old == new {
        return;
    }
    held.hold(old, current.drain(..));
    *current = held.take_kept(new);
}

/// Puts `back` (older actions) in front of `queue`.
pub(crate) fn prepend<T>(queue: &mut VecDeque<T>, mut back: VecDeque<T>) {
    back.append(queue);
    *queue = back;
}

/// Consecutive actions that did not run, for the log and stderr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotRun {
    pub server: ServerId,
    pub action: String,
    pub count: usize,
}

/// Groups consecutive equal `(server, action)` pairs.
pub fn group_not_run(actions: impl IntoIterator<Item = (ServerId, String)>) -> Vec<NotRun> {
    let mut out: Vec<NotRun> = Vec::new();
    for (server, action) in actions {
        match out.last_mut() {
            Some(last) if last.server == server && last.action == action => last.count += 1,
            _ => out.push(NotRun {
                server,
                action,
                count: 1,
            }),
        }
    }
    out
}

/// What the executor's stop handshake found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    pub done: u64,
    pub failed: u64,
    /// Still queued or held when the executor stopped, in queue order, grouped.
    pub not_run: Vec<NotRun>,
    /// Queued after the stop began (refused).
    pub refused: u64,
    /// The action that was running when the deadline passed and was cut off.
    pub cut_off: Option<String>,
    /// The executor task finished by itself within the deadline (false: it was aborted).
    pub clean: bool,
}

impl ShutdownReport {
    /// Actions that never ran (or were cut off).
    pub fn not_run_count(&self) -> u64 {
        let listed: usize = self.not_run.iter().map(|n| n.count).sum();
        listed as u64 + self.refused + u64::from(self.cut_off.is_some())
    }

    /// One line per group, e.g. `5 × /summon tnt (for the demo server)`.
    pub fn not_run_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .not_run
            .iter()
            .map(|n| format!("{} × {} (for {})", n.count, n.action, n.server))
            .collect();
        if let Some(action) = &self.cut_off {
            lines.push(format!("1 × {action} (cut off while running)"));
        }
        if self.refused > 0 {
            lines.push(format!(
                "{} action(s) credited while stopping (not queued)",
                self.refused
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(items: &[&'static str]) -> VecDeque<&'static str> {
        items.iter().copied().collect()
    }

    #[test]
    fn server_identity_is_host_and_port_and_the_demo() {
        assert_eq!(
            ServerId::rcon(" MC.Example.com ", 25575),
            ServerId::rcon("mc.example.com", 25575)
        );
        assert_ne!(
            ServerId::rcon("127.0.0.1", 25575),
            ServerId::rcon("127.0.0.1", 25576)
        );
        assert_ne!(ServerId::rcon("127.0.0.1", 25575), ServerId::Demo);
        assert_eq!(ServerId::rcon("::1", 1).to_string(), "[::1]:1");
        assert_eq!(ServerId::Demo.to_string(), "the demo server");
    }

    #[test]
    fn a_switch_holds_the_old_queue_and_never_carries_it_across() {
        let real = ServerId::rcon("127.0.0.1", 25575);
        let mut held = HeldQueues::default();
        let mut current = q(&["tnt1", "tnt2"]);
        switch_server(&mut held, &mut current, &ServerId::Demo, &real);
        assert!(
            current.is_empty(),
            "nothing from the demo goes to the real server"
        );
        assert_eq!(held.len(), 2);
        // Back to the demo: not kept, so it stays held (the streamer has not chosen).
        current.push_back("real1");
        switch_server(&mut held, &mut current, &real, &ServerId::Demo);
        assert!(current.is_empty());
        assert_eq!(held.len(), 3);
        // Kept for the demo: it comes back when the demo is current again, in order.
        assert!(held.keep(&ServerId::Demo));
        switch_server(&mut held, &mut current, &ServerId::Demo, &real);
        switch_server(&mut held, &mut current, &real, &ServerId::Demo);
        assert_eq!(current, q(&["tnt1", "tnt2"]));
        assert_eq!(held.take(&real), q(&["real1"]));
        assert_eq!(held.len(), 0);
        assert!(!held.keep(&real), "nothing held for it any more");
    }

    #[test]
    fn same_server_switch_changes_nothing() {
        let mut held: HeldQueues<&str> = HeldQueues::default();
        let mut current = q(&["a"]);
        switch_server(&mut held, &mut current, &ServerId::Demo, &ServerId::Demo);
        assert_eq!(current, q(&["a"]));
        assert_eq!(held.len(), 0);
    }

    #[test]
    fn not_run_groups_consecutive_equal_actions() {
        let demo = |a: &str| (ServerId::Demo, a.to_owned());
        let groups = group_not_run([demo("/tnt"), demo("/tnt"), demo("/say"), demo("/tnt")]);
        assert_eq!(
            groups.iter().map(|g| g.count).collect::<Vec<_>>(),
            [2, 1, 1]
        );
        let report = ShutdownReport {
            not_run: groups,
            refused: 2,
            cut_off: Some("/x".into()),
            ..ShutdownReport::default()
        };
        assert_eq!(report.not_run_count(), 7);
        assert_eq!(report.not_run_lines()[0], "2 × /tnt (for the demo server)");
    }
}
