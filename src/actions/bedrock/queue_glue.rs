//! The queue's use of a Bedrock link: the runner sends each command in its turn (keeping the gap
//! between sends) and goes on while the game works, up to the link's window; each reply is logged
//! when it arrives, exactly like an RCON reply, and counted done or failed. A command the game
//! refused as "too many" goes back to the head of the queue and is sent again. Commands wait while
//! no game is connected, as they wait while RCON is down.

use std::sync::Arc;
use std::time::Duration;

use super::{BedrockError, BedrockLink, Done, GameState, Reply};
use crate::actions::binding::ServerId;
use crate::actions::outcome::ActionError;
use crate::actions::queue::{Inner, Item, RconState, Work};

/// How often a wait re-checks the game when nothing else wakes it (stale actions are skipped).
const RECHECK: Duration = Duration::from_secs(2);

/// The game's connection as the queue's status shows it.
pub(crate) fn queue_state(link: &BedrockLink) -> RconState {
    match link.state() {
        GameState::Connected { .. } => RconState::Connected,
        _ => RconState::WaitingForGame { port: link.port() },
    }
}

fn set_state(inner: &Inner, link: &BedrockLink) {
    inner.lock().status.rcon = queue_state(link);
    inner.publish();
}

/// Nothing to send: waits for new work or a change of the game's state, keeping the status true.
pub(crate) async fn idle(
    inner: &Inner,
    link: &BedrockLink,
    notified: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
) {
    set_state(inner, link);
    let mut state = link.state_watch();
    state.borrow_and_update();
    tokio::select! {
        () = notified => {}
        _ = state.changed() => {}
    }
    set_state(inner, link);
}

/// Whether the game can take a command now. If not, says what the queue waits for and waits
/// (for the game, a free place in the window, new work, or a while), then returns false.
pub(crate) async fn ensure_ready(
    inner: &Inner,
    link: &BedrockLink,
    notified: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
) -> bool {
    set_state(inner, link);
    if link.is_ready() {
        return true;
    }
    {
        let mut shared = inner.lock();
        let head = shared.queue.front().map(|i| i.summary.to_string());
        shared.status.running = head.map(|summary| {
            if link.state().is_connected() {
                format!("waiting for the game's answers: {summary}")
            } else {
                format!("waiting for the game to connect: {summary}")
            }
        });
    }
    inner.publish();
    tokio::select! {
        () = link.ready() => {}
        () = notified => {}
        () = tokio::time::sleep(RECHECK) => {}
    }
    inner.lock().status.running = None;
    set_state(inner, link);
    false
}

/// Sends `item` (a command) to the game. Its reply is logged when it arrives; when the game
/// cannot take it now, it goes back to the head of the queue.
pub(crate) fn send(inner: &Arc<Inner>, link: &BedrockLink, item: Item) {
    let Work::Command(command) = &item.work else {
        return;
    };
    let command = command.clone();
    let server = ServerId::Bedrock(link.port());
    {
        let mut shared = inner.lock();
        shared.awaiting += 1;
        shared.requeued = shared.requeued.saturating_sub(1);
        shared.status.running = None;
    }
    let done_inner = inner.clone();
    let port = link.port();
    let done: Done = Box::new(move |outcome| finish(&done_inner, item, &server, port, outcome));
    if let Err(done) = link.try_send(&command, done) {
        // The game went away (or the window filled) since the check: back to the head.
        done(Err(BedrockError::NotConnected { port }));
    }
    inner.publish();
}

/// A sent command came to `outcome`: logged and counted, or back in the queue to be sent again.
fn finish(
    inner: &Inner,
    item: Item,
    server: &ServerId,
    port: u16,
    outcome: Result<Reply, BedrockError>,
) {
    let result = match outcome {
        Err(BedrockError::TooMany { .. } | BedrockError::NotConnected { .. }) => {
            requeue(inner, item, server);
            return;
        }
        Ok(reply) if reply.status_code >= 0 => Ok(reply.message),
        Ok(reply) => Err(ActionError::bedrock(
            port,
            BedrockError::Refused {
                code: reply.status_code,
                message: reply.message,
            },
        )),
        Err(error) => Err(ActionError::bedrock(port, error)),
    };
    {
        let mut shared = inner.lock();
        shared.awaiting = shared.awaiting.saturating_sub(1);
    }
    inner.record(&item.summary, result);
    inner.work.notify_one();
}

/// Puts a command the game did not take back at the head of its server's queue, behind the ones
/// put back before it (so they go again in the order they were first sent).
fn requeue(inner: &Inner, item: Item, server: &ServerId) {
    {
        let mut shared = inner.lock();
        shared.awaiting = shared.awaiting.saturating_sub(1);
        if item.urgent && shared.config.server() == *server {
            shared.urgent.push_front(item);
        } else if shared.config.server() == *server {
            let at = shared.requeued.min(shared.queue.len());
            shared.queue.insert(at, item);
            shared.requeued = at + 1;
        } else {
            shared.held.hold(server, [item]);
        }
    }
    inner.work.notify_one();
    inner.publish();
}
