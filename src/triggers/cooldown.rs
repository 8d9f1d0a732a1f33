//! Cooldowns: a mapping fires at most once per N seconds globally and once per M seconds per viewer.
//! A trigger that is cooling down is reported as skipped (never silently lost). Pure: time is passed
//! in as milliseconds.

use std::collections::HashMap;

use crate::event::Skip;

/// Per-viewer entries kept at most; the oldest are dropped past it (a viewer then fires again early,
/// which is the safe direction for a cooldown to fail).
const MAX_VIEWER_ENTRIES: usize = 100_000;

/// Last fire times, keyed by mapping (its kind and trigger text) and by (mapping, viewer).
#[derive(Debug, Default)]
pub struct Cooldowns {
    global: HashMap<String, u64>,
    per_viewer: HashMap<(String, String), u64>,
}

impl Cooldowns {
    /// Checks and, when allowed, records a fire at `now_millis`.
    pub fn check(
        &mut self,
        mapping_key: &str,
        viewer_key: &str,
        global_seconds: u32,
        viewer_seconds: u32,
        now_millis: u64,
    ) -> Result<(), Skip> {
        let global_millis = u64::from(global_seconds) * 1_000;
        let viewer_millis = u64::from(viewer_seconds) * 1_000;
        if global_millis > 0
            && let Some(&last) = self.global.get(mapping_key)
            && now_millis.saturating_sub(last) < global_millis
        {
            return Err(Skip::Cooldown);
        }
        let viewer_entry = (mapping_key.to_owned(), viewer_key.to_owned());
        if viewer_millis > 0
            && let Some(&last) = self.per_viewer.get(&viewer_entry)
            && now_millis.saturating_sub(last) < viewer_millis
        {
            return Err(Skip::ViewerCooldown);
        }
        if global_millis > 0 {
            self.global.insert(mapping_key.to_owned(), now_millis);
        }
        if viewer_millis > 0 {
            if self.per_viewer.len() >= MAX_VIEWER_ENTRIES {
                self.forget_oldest_viewers();
            }
            self.per_viewer.insert(viewer_entry, now_millis);
        }
        Ok(())
    }

    fn forget_oldest_viewers(&mut self) {
        let mut times: Vec<u64> = self.per_viewer.values().copied().collect();
        let half = times.len() / 2;
        let (_, &mut cut, _) = times.select_nth_unstable(half);
        self.per_viewer.retain(|_, &mut at| at > cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_cooldown_skips_then_allows() {
        let mut c = Cooldowns::default();
        assert_eq!(c.check("m", "alice", 10, 0, 0), Ok(()));
        assert_eq!(c.check("m", "bob", 10, 0, 9_999), Err(Skip::Cooldown));
        assert_eq!(c.check("other", "bob", 10, 0, 9_999), Ok(()));
        assert_eq!(c.check("m", "bob", 10, 0, 10_000), Ok(()));
    }

    #[test]
    fn per_viewer_cooldown_is_per_viewer() {
        let mut c = Cooldowns::default();
        assert_eq!(c.check("m", "alice", 0, 60, 0), Ok(()));
        assert_eq!(
            c.check("m", "alice", 0, 60, 30_000),
            Err(Skip::ViewerCooldown)
        );
        assert_eq!(c.check("m", "bob", 0, 60, 30_000), Ok(()));
        assert_eq!(c.check("m", "alice", 0, 60, 60_000), Ok(()));
    }

    #[test]
    fn a_skipped_fire_does_not_restart_the_cooldown() {
        let mut c = Cooldowns::default();
        c.check("m", "a", 10, 0, 0).unwrap();
        assert!(c.check("m", "a", 10, 0, 5_000).is_err());
        assert_eq!(c.check("m", "a", 10, 0, 10_000), Ok(()));
    }

    #[test]
    fn no_cooldown_never_skips() {
        let mut c = Cooldowns::default();
        for t in 0..5 {
            assert_eq!(c.check("m", "a", 0, 0, t), Ok(()));
        }
    }
}
