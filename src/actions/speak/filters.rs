//! What is read aloud, and what never is: the word filter (whole words, any case, on messages and
//! nicknames), links and long emoji runs removed, the `!tts` command, audience, length and a
//! per-viewer cooldown, and a voice per viewer. Pure functions; the chat reader's only state is
//! when each viewer was last read ([`ChatReader`]).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::event::User;
use crate::mappings::{Audience, normalize_handle};
use crate::text;

use super::spec::{SpeakAction, Voice};

/// Whole words or phrases never spoken, case-insensitive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordFilter {
    /// Each entry as its lowercase words.
    entries: Vec<Vec<String>>,
}

/// A word's place in a text.
struct Word {
    start: usize,
    end: usize,
    lower: String,
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let in_word = c.is_alphanumeric() || (c == '\'' && start.is_some());
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let word = text[s..i].trim_end_matches('\'');
                out.push(Word {
                    start: s,
                    end: s + word.len(),
                    lower: word.to_lowercase(),
                });
                start = None;
            }
            _ => {}
        }
    }
    out
}

impl WordFilter {
    pub fn new<S: AsRef<str>>(list: &[S]) -> Self {
        let entries = list
            .iter()
            .map(|entry| {
                words(entry.as_ref())
                    .into_iter()
                    .map(|w| w.lower)
                    .collect::<Vec<_>>()
            })
            .filter(|entry| !entry.is_empty())
            .collect();
        Self { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `text` without the filtered words (and the spaces they leave collapsed).
    pub fn apply(&self, text: &str) -> String {
        if self.entries.is_empty() {
            return text.to_owned();
        }
        let found = words(text);
        let mut cut: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < found.len() {
            let hit = self.entries.iter().find(|entry| {
                found.len() - i >= entry.len()
                    && entry.iter().zip(&found[i..]).all(|(e, w)| *e == w.lower)
            });
            match hit {
                Some(entry) => {
                    cut.push((found[i].start, found[i + entry.len() - 1].end));
                    i += entry.len();
                }
                None => i += 1,
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut from = 0;
        for (start, end) in cut {
            out.push_str(&text[from..start]);
            from = end;
        }
        out.push_str(&text[from..]);
        collapse_spaces(&out)
    }
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True for a word that is a link: a scheme (`https://…`), `www.…`, or a host name ending in a
/// top-level domain (`example.com`, `bit.ly/x`).
pub fn is_link(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
    let lower = word.to_ascii_lowercase();
    if lower.contains("://") || lower.starts_with("www.") {
        return true;
    }
    let host = lower.split('/').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|tld| {
            (2..=24).contains(&tld.len()) && tld.chars().all(|c| c.is_ascii_alphabetic())
        })
}

/// True for characters that draw as (or join) emoji: pictographs, dingbats, symbols, flags'
/// regional indicators, skin tones, the variation selector and zero-width joiner.
fn is_emoji_part(c: char) -> bool {
    matches!(u32::from(c),
        0x1F000..=0x1FAFF
        | 0x2600..=0x27BF
        | 0x2B00..=0x2BFF
        | 0x2190..=0x21FF
        | 0x2300..=0x23FF
        | 0x3030 | 0x303D | 0x3297 | 0x3299
        | 0xFE0F | 0x200D | 0x20E3
        | 0xE0020..=0xE007F)
}

/// Counts an emoji once however many code points draw it (joiners, selectors, skin tones).
fn starts_emoji(c: char) -> bool {
    is_emoji_part(c)
        && !matches!(u32::from(c), 0xFE0F | 0x200D | 0x20E3 | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F)
}

/// `text` with every run of more than `max` emoji (spaces between them included) removed.
pub fn without_emoji_runs(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let mut count = 0usize;
    let mut joined = false;
    let flush = |run: &mut String, count: &mut usize, out: &mut String| {
        if *count <= max {
            out.push_str(run);
        } else {
            out.push(' ');
        }
        run.clear();
        *count = 0;
    };
    for c in text.chars() {
        if is_emoji_part(c) {
            if starts_emoji(c) && !joined {
                count += 1;
            }
            joined = c == '\u{200D}';
            run.push(c);
        } else if c.is_whitespace() && count > 0 {
            run.push(c);
        } else {
            flush(&mut run, &mut count, &mut out);
            joined = false;
            out.push(c);
        }
    }
    flush(&mut run, &mut count, &mut out);
    collapse_spaces(&out)
}

/// `text` cut to at most `max_chars` characters, at a word boundary when there is one.
pub fn cut(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let end = text
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    match head.rfind(' ') {
        Some(space) if space > 0 => head[..space].trim_end().to_owned(),
        _ => head.to_owned(),
    }
}

/// A chat message made fit to speak: one clean line, links and long emoji runs gone, filtered.
pub fn clean_message(message: &str, settings: &ReadChat, filter: &WordFilter) -> String {
    let line = text::one_line(message, 2_000);
    let line = if settings.skip_links {
        line.split(' ')
            .filter(|w| !is_link(w))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        line
    };
    let line = without_emoji_runs(&line, settings.max_emoji_run);
    filter.apply(&line)
}

/// What a `speak` action says: its template filled by `render_text` (placeholders; viewer values as
/// plain text), the word filter applied to all of it, cut to `max_chars` at a word. `None` when
/// nothing is left to say.
pub fn utterance(
    action: &SpeakAction,
    render_text: &dyn Fn(&str) -> String,
    filter: &WordFilter,
    max_chars: usize,
) -> Option<Utterance> {
    let text = filter.apply(&text::one_line(&render_text(&action.text), 2_000));
    let text = cut(&text, max_chars);
    (!text.is_empty()).then(|| Utterance {
        text,
        voice: Voice::new(action.voice.as_deref(), action.rate, action.volume),
    })
}

/// A viewer's voice, by @handle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerVoice {
    pub handle: String,
    pub voice: String,
}

/// The "read chat aloud" setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadChat {
    pub enabled: bool,
    /// Read only messages that start with [`ReadChat::command`] (the command itself not read).
    pub only_command: bool,
    pub command: String,
    pub audience: Audience,
    /// What is said: `{nickname}` and `{message}`.
    pub template: String,
    /// Longest spoken text, in characters (cut at a word).
    pub max_chars: usize,
    pub skip_links: bool,
    /// Runs of more emoji than this are skipped.
    pub max_emoji_run: usize,
    /// A viewer is read at most once per this many seconds (0: no limit).
    pub viewer_cooldown_seconds: u32,
    /// Words and phrases never spoken (whole words, any case), in messages and nicknames.
    pub word_filter: Vec<String>,
    pub voice: Option<String>,
    pub rate: Option<f32>,
    pub volume: Option<f32>,
    pub viewer_voices: Vec<ViewerVoice>,
}

impl Default for ReadChat {
    fn default() -> Self {
        Self {
            enabled: false,
            only_command: true,
            command: "!tts".into(),
            audience: Audience::Anyone,
            template: "{nickname} says {message}".into(),
            max_chars: 200,
            skip_links: true,
            max_emoji_run: 3,
            viewer_cooldown_seconds: 15,
            word_filter: Vec::new(),
            voice: None,
            rate: None,
            volume: None,
            viewer_voices: Vec::new(),
        }
    }
}

/// Why a chat message is not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotRead {
    Off,
    NotACommand,
    Audience,
    CoolingDown {
        remaining_millis: u64,
    },
    /// Nothing left after the filters.
    Empty,
}

/// One thing to say.
#[derive(Clone, Debug, PartialEq)]
pub struct Utterance {
    pub text: String,
    pub voice: Voice,
}

/// Most viewers whose last read time is remembered (cleared past it).
const MAX_REMEMBERED: usize = 50_000;

/// Reads chat by the [`ReadChat`] setting.
#[derive(Debug, Default)]
pub struct ChatReader {
    settings: ReadChat,
    filter: WordFilter,
    last_read_millis: HashMap<String, u64>,
}

fn admits(audience: &Audience, user: &User) -> bool {
    let identity = user.identity;
    match audience {
        Audience::Anyone => true,
        Audience::Followers => identity.follower || identity.subscriber || identity.moderator,
        Audience::Subscribers => identity.subscriber,
        Audience::Moderators => identity.moderator,
        Audience::Handles(handles) => {
            let handle = normalize_handle(&user.unique_id);
            !handle.is_empty() && handles.iter().any(|h| normalize_handle(h) == handle)
        }
        Audience::FanClubLevel(min) => identity.fan_club_level >= (*min).max(1),
        // The reader keeps no gift tally: only the trigger engine knows the session's top gifter.
        Audience::TopGifter => false,
        // Nor the viewers' ledger: the level and points audiences are the triggers'.
        Audience::Level(_) | Audience::Points(_) => false,
    }
}

/// The message after the command word, or `None` when it does not start with it.
fn after_command<'a>(message: &'a str, command: &str) -> Option<&'a str> {
    let message = message.trim_start();
    let command = command.trim();
    let head = message.get(..command.len())?;
    let rest = &message[command.len()..];
    (head.eq_ignore_ascii_case(command)
        && (rest.is_empty() || rest.starts_with(char::is_whitespace)))
    .then_some(rest)
}

impl ChatReader {
    pub fn new(settings: ReadChat) -> Self {
        Self {
            filter: WordFilter::new(&settings.word_filter),
            settings,
            last_read_millis: HashMap::new(),
        }
    }

    pub fn settings(&self) -> &ReadChat {
        &self.settings
    }

    /// The word filter, for `speak` actions' text too.
    pub fn filter(&self) -> &WordFilter {
        &self.filter
    }

    /// Decides whether and how a chat message is read.
    pub fn hear(
        &mut self,
        user: &User,
        message: &str,
        now_millis: u64,
    ) -> Result<Utterance, NotRead> {
        let settings = &self.settings;
        if !settings.enabled {
            return Err(NotRead::Off);
        }
        let body = if settings.only_command {
            after_command(message, &settings.command).ok_or(NotRead::NotACommand)?
        } else {
            after_command(message, &settings.command).unwrap_or(message)
        };
        if !admits(&settings.audience, user) {
            return Err(NotRead::Audience);
        }
        let viewer = crate::triggers::viewer_key(user);
        let cooldown = u64::from(settings.viewer_cooldown_seconds) * 1_000;
        if let Some(&last) = self.last_read_millis.get(&viewer) {
            let since = now_millis.saturating_sub(last);
            if cooldown > 0 && since < cooldown {
                return Err(NotRead::CoolingDown {
                    remaining_millis: cooldown - since,
                });
            }
        }
        let message = clean_message(body, settings, &self.filter);
        if message.is_empty() {
            return Err(NotRead::Empty);
        }
        let nickname = self.filter.apply(&without_emoji_runs(
            &text::one_line(&user.nickname, 60),
            settings.max_emoji_run,
        ));
        let nickname = if nickname.is_empty() {
            "someone".to_owned()
        } else {
            nickname
        };
        let spoken = settings
            .template
            .replace("{nickname}", &nickname)
            .replace("{message}", &message);
        let handle = normalize_handle(&user.unique_id);
        let viewer_voice = settings
            .viewer_voices
            .iter()
            .find(|v| !handle.is_empty() && normalize_handle(&v.handle) == handle)
            .map(|v| v.voice.as_str());
        let voice = Voice::new(
            viewer_voice.or(settings.voice.as_deref()),
            settings.rate,
            settings.volume,
        );
        if self.last_read_millis.len() >= MAX_REMEMBERED {
            self.last_read_millis.clear();
        }
        self.last_read_millis.insert(viewer, now_millis);
        Ok(Utterance {
            text: cut(&spoken, settings.max_chars),
            voice,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Identity;

    fn user(handle: &str, nickname: &str) -> User {
        User {
            user_id: 7,
            unique_id: handle.into(),
            nickname: nickname.into(),
            identity: Identity::default(),
        }
    }

    fn reader(edit: impl FnOnce(&mut ReadChat)) -> ChatReader {
        let mut settings = ReadChat {
            enabled: true,
            viewer_cooldown_seconds: 0,
            ..ReadChat::default()
        };
        edit(&mut settings);
        ChatReader::new(settings)
    }

    #[test]
    fn word_filter_takes_whole_words_in_any_case() {
        let filter = WordFilter::new(&["darn", "Bad Word"]);
        assert_eq!(filter.apply("Darn it, DARN!"), "it, !");
        assert_eq!(filter.apply("darning is fine"), "darning is fine");
        assert_eq!(filter.apply("a bad   WORD here"), "a here");
        assert_eq!(filter.apply("bad is ok"), "bad is ok");
        assert_eq!(WordFilter::new(&[" ", ""]).apply("x  y"), "x  y");
        assert_eq!(filter.apply("Ünïcode darn"), "Ünïcode");
    }

    #[test]
    fn links_are_recognized() {
        for link in [
            "https://x.io/a",
            "www.example.com",
            "bit.ly/abc",
            "Example.COM,",
            "http://1.2",
        ] {
            assert!(is_link(link), "{link}");
        }
        for word in ["hello", "e.g.", "3.14", "ok.", "...", "a.b"] {
            assert!(!is_link(word), "{word}");
        }
    }

    #[test]
    fn long_emoji_runs_go_short_ones_stay() {
        assert_eq!(without_emoji_runs("hi 🔥🔥 there", 3), "hi 🔥🔥 there");
        assert_eq!(without_emoji_runs("hi 🔥🔥🔥🔥 there", 3), "hi there");
        assert_eq!(without_emoji_runs("🔥 🔥 🔥 🔥 🔥", 3), "");
        // A family emoji (joined) and a thumbs up with a skin tone count as one each.
        assert_eq!(without_emoji_runs("👨‍👩‍👧 👍🏽 ok", 2), "👨‍👩‍👧 👍🏽 ok");
        assert_eq!(without_emoji_runs("❤️❤️❤️❤️ love", 3), "love");
    }

    #[test]
    fn cut_stops_at_a_word() {
        assert_eq!(cut("one two three", 9), "one two");
        assert_eq!(cut("one two", 20), "one two");
        assert_eq!(cut("abcdefgh", 3), "abc");
    }

    #[test]
    fn only_tts_commands_by_default() {
        let mut r = reader(|_| {});
        let bob = user("bob", "Bob");
        assert_eq!(r.hear(&bob, "hello", 0), Err(NotRead::NotACommand));
        assert_eq!(r.hear(&bob, "!ttsx hello", 0), Err(NotRead::NotACommand));
        assert_eq!(
            r.hear(&bob, "!TTS hello there", 0).unwrap().text,
            "Bob says hello there"
        );
        let mut all = reader(|s| s.only_command = false);
        assert_eq!(all.hear(&bob, "hello", 0).unwrap().text, "Bob says hello");
        assert_eq!(all.hear(&bob, "!tts hi", 0).unwrap().text, "Bob says hi");
        let mut off = reader(|s| s.enabled = false);
        assert_eq!(off.hear(&bob, "!tts hello", 0), Err(NotRead::Off));
    }

    #[test]
    fn the_filter_applies_to_messages_and_nicknames() {
        let mut r = reader(|s| s.word_filter = vec!["heck".into(), "Spam Lord".into()]);
        let said = r
            .hear(
                &user("x", "Spam Lord Heck"),
                "!tts what the HECK is this",
                0,
            )
            .unwrap();
        assert_eq!(said.text, "someone says what the is this");
        let said = r
            .hear(
                &user("y", "Ann"),
                "!tts https://evil.example/x hi www.a.com",
                0,
            )
            .unwrap();
        assert_eq!(said.text, "Ann says hi");
        assert_eq!(
            r.hear(&user("z", "Zed"), "!tts heck", 0),
            Err(NotRead::Empty)
        );
        assert_eq!(
            r.hear(&user("z", "Zed"), "!tts 🔥🔥🔥🔥🔥", 0),
            Err(NotRead::Empty)
        );
    }

    #[test]
    fn audience_cooldown_length_and_viewer_voice() {
        let mut r = reader(|s| {
            s.audience = Audience::Subscribers;
            s.viewer_cooldown_seconds = 10;
            s.max_chars = 20;
            s.voice = Some("default-voice".into());
            s.viewer_voices = vec![ViewerVoice {
                handle: "@Vip".into(),
                voice: "robot".into(),
            }];
        });
        let mut fan = user("vip", "Vip");
        assert_eq!(r.hear(&fan, "!tts hi", 0), Err(NotRead::Audience));
        fan.identity.subscriber = true;
        let said = r
            .hear(&fan, "!tts a rather long message indeed", 1_000)
            .unwrap();
        assert_eq!(said.text, "Vip says a rather");
        assert_eq!(said.voice.name.as_deref(), Some("robot"));
        assert_eq!(
            r.hear(&fan, "!tts again", 4_000),
            Err(NotRead::CoolingDown {
                remaining_millis: 7_000
            })
        );
        assert!(r.hear(&fan, "!tts again", 11_000).is_ok());
        let mut other = user("other", "O");
        other.user_id = 8;
        other.identity.subscriber = true;
        assert_eq!(
            r.hear(&other, "!tts hey", 11_500)
                .unwrap()
                .voice
                .name
                .as_deref(),
            Some("default-voice")
        );
    }

    #[test]
    fn a_speak_action_is_filled_filtered_and_cut() {
        let action: SpeakAction = serde_json::from_str(
            r#"{"text":"{nickname} sent {count} {gift}","voice":"en","rate":2.0}"#,
        )
        .unwrap();
        let filter = WordFilter::new(&["jerk"]);
        let render = |t: &str| {
            t.replace("{nickname}", "Big\nJERK")
                .replace("{count}", "5")
                .replace("{gift}", "Roses")
        };
        let said = utterance(&action, &render, &filter, 200).unwrap();
        assert_eq!(said.text, "Big sent 5 Roses");
        assert_eq!(said.voice.name.as_deref(), Some("en"));
        assert_eq!(said.voice.rate, 2.0);
        assert_eq!(
            utterance(&action, &render, &filter, 9).unwrap().text,
            "Big sent"
        );
        let empty = SpeakAction {
            text: "jerk".into(),
            ..SpeakAction::default()
        };
        assert_eq!(utterance(&empty, &|t| t.to_owned(), &filter, 200), None);
    }

    #[test]
    fn settings_written_without_new_keys_still_load() {
        let settings: ReadChat = serde_json::from_str(r#"{"enabled":true}"#).unwrap();
        assert!(settings.enabled && settings.only_command);
        assert_eq!(settings.command, "!tts");
    }
}
