//! The panic button's words and rules: which cleanup lines are sent (the streamer's list,
//! `executor.panic_cleanup`, tidied), and what one press did ([`PanicReport`]), as the window
//! and the log say it. The press itself is [`ExecutorHandle::panic`](super::ExecutorHandle::panic).

use super::binding::ServerId;
use super::devices::Released;

/// The cleanup a fresh settings file runs on panic: every primed TNT in the world is removed.
pub const DEFAULT_PANIC_CLEANUP: &[&str] = &["kill @e[type=tnt]"];

/// The commands to send for the streamer's cleanup list: each line trimmed, a leading `/` taken
/// off (the game's chat needs it, RCON does not), empty lines and lines with a line break or a
/// NUL (which RCON cannot send as one command) left out. Order kept, duplicates kept (a streamer
/// may mean to run one twice).
pub fn cleanup_commands(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let line = line.trim();
            line.strip_prefix('/').unwrap_or(line).trim().to_owned()
        })
        .filter(|line| !line.is_empty() && !line.contains(['\n', '\r', '\0']))
        .collect()
}

/// What one press of the panic button did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PanicReport {
    /// Actions that waited in the current queue (paused, or held while the streamer's player is
    /// dead), thrown away.
    pub cleared: usize,
    /// Actions held for other servers, thrown away.
    pub cleared_held: usize,
    /// Keys let go, speech stopped.
    pub released: Released,
    /// Cleanup commands put in the urgent lane.
    pub cleanup: usize,
    /// The server the cleanup runs on (`NotSet`: none is set up, so none was sent).
    pub server: ServerId,
}

impl PanicReport {
    /// Every action the press threw away.
    pub fn cleared_total(&self) -> usize {
        self.cleared + self.cleared_held
    }
}

impl std::fmt::Display for PanicReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "queue paused; {} waiting action(s) cleared",
            self.cleared_total()
        )?;
        if self.cleared_held > 0 {
            write!(f, " ({} held for another server)", self.cleared_held)?;
        }
        if self.released.keys {
            f.write_str("; every held key let go")?;
        }
        if self.released.speech {
            f.write_str("; speech stopped")?;
        }
        match (self.cleanup, &self.server) {
            (0, ServerId::NotSet) => f.write_str("; no cleanup sent (no Minecraft server set up)"),
            (0, _) => f.write_str("; no cleanup commands set"),
            (n, server) => write!(f, "; {n} cleanup command(s) sent to {server}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn cleanup_lines_are_trimmed_and_lose_their_slash() {
        assert_eq!(
            cleanup_commands(&lines(&[
                "  /kill @e[type=tnt] ",
                "",
                "   ",
                "weather clear"
            ])),
            ["kill @e[type=tnt]", "weather clear"]
        );
    }

    #[test]
    fn a_line_that_is_not_one_command_is_left_out() {
        assert_eq!(
            cleanup_commands(&lines(&[
                "say a\nop me",
                "say b\0",
                "/",
                "kill @e[type=creeper]"
            ])),
            ["kill @e[type=creeper]"]
        );
    }

    #[test]
    fn the_default_cleanup_removes_tnt() {
        let default: Vec<String> = DEFAULT_PANIC_CLEANUP
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(cleanup_commands(&default), ["kill @e[type=tnt]"]);
    }

    #[test]
    fn the_report_says_what_was_cleared_and_where_the_cleanup_went() {
        let report = PanicReport {
            cleared: 30,
            cleared_held: 7,
            released: Released {
                dropped: 0,
                keys: true,
                speech: false,
            },
            cleanup: 1,
            server: ServerId::Demo,
        };
        assert_eq!(report.cleared_total(), 37);
        let text = report.to_string();
        assert!(
            text.contains("37 waiting action(s) cleared (7 held"),
            "{text}"
        );
        assert!(text.contains("key let go"), "{text}");
        assert!(!text.contains("speech"), "{text}");
        assert!(text.contains("1 cleanup command(s) sent to"), "{text}");
        let nothing = PanicReport::default();
        assert!(nothing.to_string().contains("no Minecraft server set up"));
    }
}
