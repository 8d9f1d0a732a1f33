//! Turning a decision (or a fired trigger) into queue items: `count × mapping.repeat` runs of the
//! action list, each command `repeat` times, placeholders filled once, `Random` picking another
//! mapping, and the queue's room respected without building what would be dropped.

use std::sync::Arc;
use std::time::Instant;

use rand::seq::IndexedRandom as _;

use super::binding::ServerId;
use super::datapack::{FunctionWork, ReadyPack, compile};
use super::devices::Devices;
use super::keys::plan::typed_text;
use super::keys::{KeyStep, KeysAction, KeysLimits, plan};
use super::obs::ObsWork;
use super::outcome::ActionError;
use super::placeholders::{self, Values};
use super::queue::{Item, KeysWork, WebhookBody, Work};
use super::speak::{SpeakAction, WordFilter, utterance};
#[cfg(test)]
use crate::engine::Decision;
use crate::mappings::{Action, Mapping, MappingTable};
use crate::overlay::TextOverlay;

/// Which game's grammar a command is escaped for: the server it is bound to decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    Java,
    Bedrock,
}

impl Dialect {
    pub(super) fn of(server: &ServerId) -> Self {
        match server {
            ServerId::Bedrock(_) => Self::Bedrock,
            ServerId::NotSet | ServerId::Demo | ServerId::Rcon(_) => Self::Java,
        }
    }

    fn render(self, command: &str, values: &Values) -> Result<String, placeholders::RenderError> {
        match self {
            Self::Java => placeholders::render(command, values),
            Self::Bedrock => super::bedrock::escape::render(command, values),
        }
    }
}

/// Collects items up to the free room and counts the rest as dropped, without building them.
pub(super) struct Filler<'a> {
    pub(super) room: usize,
    pub(super) items: Vec<Item>,
    pub(super) dropped: u64,
    /// Of `dropped`: keys actions over their trigger's cap.
    pub(super) capped: u64,
    pub(super) now: Instant,
    pub(super) keys_limits: &'a KeysLimits,
    /// The keys cap and the speech word filter (`None`: neither, in unit tests).
    pub(super) devices: Option<&'a Devices>,
    pub(super) dialect: Dialect,
    /// The datapack written for the items' server: a batch of a trigger with a function there
    /// goes as one call.
    pub(super) pack: Option<Arc<ReadyPack>>,
}

impl Filler<'_> {
    fn full(&self) -> bool {
        self.items.len() >= self.room
    }

    fn push(&mut self, work: Work, summary: &Arc<str>) {
        if self.full() {
            self.dropped = self.dropped.saturating_add(1);
        } else {
            self.items.push(Item {
                work,
                summary: summary.clone(),
                enqueued: self.now,
                urgent: false,
            });
        }
    }

    /// A keys action takes a place under its trigger's cap, or is dropped and counted.
    fn push_keys(&mut self, plan: &Arc<super::keys::Plan>, summary: &Arc<str>, trigger: &str) {
        if self.full() {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        let ticket = match self.devices {
            None => None,
            Some(devices) => match devices.admit_keys(trigger) {
                Some(ticket) => Some(ticket),
                None => {
                    self.dropped = self.dropped.saturating_add(1);
                    self.capped = self.capped.saturating_add(1);
                    return;
                }
            },
        };
        let work = Work::Keys(KeysWork {
            plan: plan.clone(),
            ticket,
        });
        self.push(work, summary);
    }
}

/// How many queue entries one run of the action list makes (`Random` counted as one; `speak`,
/// said once per credit, not at all).
fn actions_per_run(mapping: &Mapping) -> u64 {
    mapping
        .actions
        .iter()
        .map(|a| match a {
            Action::Command { repeat, .. } => u64::from(*repeat),
            Action::Speak(_) | Action::Points { .. } => 0,
            _ => 1,
        })
        .sum()
}

/// What a decision's actions are made from: placeholder values, the webhook body, the run count.
pub(super) struct Source {
    pub(super) values: Values,
    pub(super) body: Arc<WebhookBody>,
    pub(super) count: u32,
}

#[cfg(test)]
impl Source {
    fn of(decision: &Decision) -> Self {
        Self {
            values: Values::from_gift(&decision.gift),
            body: Arc::new(WebhookBody::Gift(decision.gift.clone())),
            count: decision.gift.count,
        }
    }
}

pub(super) fn expand(
    source: &Source,
    mapping: &Mapping,
    table: &MappingTable,
    filler: &mut Filler,
) {
    let gift = &source.body;
    let values = &source.values;
    let runs = u64::from(source.count) * u64::from(mapping.repeat);
    if as_calls(source, mapping, runs, filler) {
        return;
    }
    let rules = Rules {
        keys_limits: filler.keys_limits,
        devices: filler.devices,
        dialect: filler.dialect,
    };
    let steps = prepare(mapping, values, gift, &rules);
    let mut rng = rand::rng();
    let mut random = |f: &mut Filler| {
        let candidates = table.random_candidates(&mapping.trigger);
        match candidates.choose(&mut rng) {
            Some(chosen) => {
                let chosen_steps = prepare(chosen, values, gift, &rules);
                // Candidates hold no Random action (no chains).
                push_runs(
                    f,
                    &chosen_steps,
                    u64::from(chosen.repeat),
                    actions_per_run(chosen),
                    &mut |_| {},
                );
            }
            None => f.push(
                Work::Invalid(ActionError::NothingToPick),
                &Arc::from("random mapping"),
            ),
        }
    };
    push_runs(filler, &steps, runs, actions_per_run(mapping), &mut random);
}

/// Queues the batch as datapack calls when its trigger has a function in the pack and the batch
/// is more than one command. Returns false when it must go command by command.
fn as_calls(source: &Source, mapping: &Mapping, runs: u64, filler: &mut Filler) -> bool {
    let Some(pack) = filler.pack.clone() else {
        return false;
    };
    if runs.saturating_mul(actions_per_run(mapping)) < 2 {
        return false;
    }
    let room = filler.room.saturating_sub(filler.items.len());
    let Ok(batch) = compile::batch(mapping, &source.values, runs, room) else {
        return false;
    };
    if !pack.names.contains(&batch.functions.name) {
        // The pack was written before this trigger changed: line by line until it is rewritten.
        return false;
    }
    // What runs instead if the pack changes before the call's turn (same rendering as below).
    let mut run: Vec<Arc<str>> = Vec::new();
    for action in &mapping.actions {
        if let Action::Command { command, repeat } = action {
            let Ok(text) = placeholders::render(command, &source.values) else {
                return false;
            };
            let text: Arc<str> = text.into();
            run.extend(std::iter::repeat_n(text, *repeat as usize));
        }
    }
    let run: Arc<[Arc<str>]> = run.into();
    let name: Arc<str> = batch.functions.name.as_str().into();
    let first = run.first().map_or("", |c| &**c);
    for call in batch.calls {
        let summary: Arc<str> = format!(
            "{} × {} as one call ({} command(s): /{first}…)",
            call.runs, mapping.trigger, call.commands
        )
        .into();
        let work = Work::Function(Arc::new(FunctionWork {
            line: call.line.into(),
            name: name.clone(),
            run: run.clone(),
            runs: call.runs,
        }));
        filler.push(work, &summary);
    }
    let per_run = run.len() as u64;
    filler.dropped = filler
        .dropped
        .saturating_add(batch.runs_left.saturating_mul(per_run));
    true
}

/// Pushes `runs` runs of `steps`; once the queue is full the rest is only counted.
fn push_runs(
    filler: &mut Filler,
    steps: &[Prepared],
    runs: u64,
    per_run: u64,
    random: &mut dyn FnMut(&mut Filler),
) {
    for run in 0..runs {
        if filler.full() {
            let first = if run == 0 {
                steps
                    .iter()
                    .filter(|s| matches!(s, Prepared::PerCredit(..)))
                    .count() as u64
            } else {
                0
            };
            filler.dropped = filler
                .dropped
                .saturating_add((runs - run).saturating_mul(per_run))
                .saturating_add(first);
            return;
        }
        for step in steps {
            match step {
                Prepared::Once(work, summary) => filler.push(work.clone_work(), summary),
                Prepared::PerCredit(work, summary) if run == 0 => {
                    filler.push(work.clone_work(), summary);
                }
                Prepared::PerCredit(..) => {}
                Prepared::Repeat(work, summary, times) => {
                    for i in 0..*times {
                        if filler.full() {
                            filler.dropped = filler.dropped.saturating_add(u64::from(times - i));
                            break;
                        }
                        filler.push(work.clone_work(), summary);
                    }
                }
                Prepared::Random => random(filler),
                Prepared::Keys {
                    plan,
                    summary,
                    trigger,
                } => filler.push_keys(plan, summary, trigger),
            }
        }
    }
}

/// An action with its placeholders filled in, ready to copy into the queue.
enum Prepared {
    Once(Work, Arc<str>),
    /// Once per credit whatever the count (`speak`: "{nickname} sent {count} {gift}" is said
    /// once, not once per rose).
    PerCredit(Work, Arc<str>),
    Repeat(Work, Arc<str>, u32),
    Random,
    /// Each copy takes its own place under `trigger`'s cap.
    Keys {
        plan: Arc<super::keys::Plan>,
        summary: Arc<str>,
        trigger: Arc<str>,
    },
}

/// What preparing keys and speak actions needs besides the values.
struct Rules<'a> {
    keys_limits: &'a KeysLimits,
    devices: Option<&'a Devices>,
    /// Whose command grammar placeholders are escaped for.
    dialect: Dialect,
}

impl Work {
    fn clone_work(&self) -> Work {
        match self {
            Work::Command(c) => Work::Command(c.clone()),
            Work::Sound { path, volume } => Work::Sound {
                path: path.clone(),
                volume: *volume,
            },
            Work::Webhook {
                url,
                timeout_millis,
                gift,
            } => Work::Webhook {
                url: url.clone(),
                timeout_millis: *timeout_millis,
                gift: gift.clone(),
            },
            Work::OverlayText(t) => Work::OverlayText(t.clone()),
            Work::Obs(work) => Work::Obs(work.clone()),
            // Copies of a template: a copy in the queue gets its own place (`push_keys`).
            Work::Keys(keys) => Work::Keys(KeysWork {
                plan: keys.plan.clone(),
                ticket: None,
            }),
            Work::Speak(utterance) => Work::Speak(utterance.clone()),
            Work::Counter { name, op } => Work::Counter {
                name: name.clone(),
                op: *op,
            },
            Work::StreamTimer(op) => Work::StreamTimer(*op),
            Work::Function(call) => Work::Function(call.clone()),
            Work::Invalid(e) => Work::Invalid(e.clone()),
        }
    }
}

/// Scene and source names are the streamer's own and are used as written (no placeholders).
fn obs_step(work: ObsWork, action: &Action) -> Prepared {
    Prepared::Once(Work::Obs(Arc::new(work)), action.summary().into())
}

/// A keys action's events: key names are the streamer's; placeholders fill only typed text.
fn keys_step(keys: &KeysAction, trigger: &str, rules: &Rules<'_>, values: &Values) -> Prepared {
    let render = |text: &str| placeholders::render_text(text, values);
    // The log shows what is typed, not the template.
    let shown = KeysAction {
        steps: keys
            .steps
            .iter()
            .map(|step| match step {
                KeyStep::TypeText(text) => {
                    KeyStep::TypeText(typed_text(&render(text), rules.keys_limits.max_text_chars))
                }
                other => other.clone(),
            })
            .collect(),
        ..keys.clone()
    };
    let summary: Arc<str> = shown.summary().into();
    match plan(keys, &render, rules.keys_limits) {
        Ok(plan) => Prepared::Keys {
            plan: Arc::new(plan),
            summary,
            trigger: trigger.into(),
        },
        Err(err) => Prepared::Once(Work::Invalid(ActionError::KeysPlan(err)), summary),
    }
}

/// What a speak action says, through the chat word filter (none in unit tests).
fn speak_step(speak: &SpeakAction, rules: &Rules<'_>, values: &Values) -> Prepared {
    let render = |text: &str| placeholders::render_text(text, values);
    let said = match rules.devices {
        Some(devices) => devices.speak_text(speak, &render),
        None => utterance(speak, &render, &WordFilter::default(), 200),
    };
    match said {
        Some(said) => {
            let summary = SpeakAction {
                text: said.text.clone(),
                ..speak.clone()
            }
            .summary();
            Prepared::PerCredit(Work::Speak(Arc::new(said)), summary.into())
        }
        None => Prepared::PerCredit(
            Work::Invalid(ActionError::NothingToSay),
            speak.summary().into(),
        ),
    }
}

fn prepare(
    mapping: &Mapping,
    values: &Values,
    gift: &Arc<WebhookBody>,
    rules: &Rules<'_>,
) -> Vec<Prepared> {
    mapping
        .actions
        .iter()
        .filter_map(|action| {
            Some(match action {
                // Points are the ledger's (`dispatch::ToLedger`): nothing for the queue.
                Action::Points { .. } => return None,
                Action::Command { command, repeat } => {
                    match rules.dialect.render(command, values) {
                        Ok(text) => {
                            let summary: Arc<str> = format!("/{text}").into();
                            Prepared::Repeat(Work::Command(text.into()), summary, *repeat)
                        }
                        Err(err) => Prepared::Repeat(
                            Work::Invalid(ActionError::Render(err)),
                            format!("/{command}").into(),
                            *repeat,
                        ),
                    }
                }
                Action::Sound { path, volume } => Prepared::Once(
                    Work::Sound {
                        path: Arc::new(path.clone()),
                        volume: *volume,
                    },
                    action.summary().into(),
                ),
                Action::Webhook {
                    url,
                    timeout_millis,
                } => Prepared::Once(
                    Work::Webhook {
                        url: url.as_str().into(),
                        timeout_millis: *timeout_millis,
                        gift: gift.clone(),
                    },
                    action.summary().into(),
                ),
                Action::Random => Prepared::Random,
                Action::OverlayText {
                    title,
                    subtitle,
                    seconds,
                } => {
                    let text = TextOverlay {
                        title: placeholders::render_text(title, values),
                        subtitle: placeholders::render_text(subtitle, values),
                        seconds: *seconds,
                    };
                    let summary = Action::OverlayText {
                        title: text.title.clone(),
                        subtitle: text.subtitle.clone(),
                        seconds: text.seconds,
                    }
                    .summary();
                    Prepared::Once(Work::OverlayText(Arc::new(text)), summary.into())
                }
                Action::ObsScene { scene } => obs_step(
                    ObsWork::Scene {
                        scene: scene.trim().to_owned(),
                    },
                    action,
                ),
                Action::ObsShowSource {
                    scene,
                    source,
                    seconds,
                } => obs_step(
                    ObsWork::Show {
                        scene: scene.trim().to_owned(),
                        source: source.trim().to_owned(),
                        seconds: *seconds,
                    },
                    action,
                ),
                Action::Keys(keys) => keys_step(keys, &mapping.trigger, rules, values),
                Action::Speak(speak) => speak_step(speak, rules, values),
                Action::Counter(counter) => Prepared::Once(
                    match counter.op() {
                        Ok(op) => Work::Counter {
                            name: counter.name.trim().into(),
                            op,
                        },
                        Err(err) => Work::Invalid(ActionError::CounterAction(err)),
                    },
                    action.summary().into(),
                ),
                Action::StreamTimer(timer) => Prepared::Once(
                    match timer.op() {
                        Ok(op) => Work::StreamTimer(op),
                        Err(err) => Work::Invalid(ActionError::CounterAction(err)),
                    },
                    action.summary().into(),
                ),
                Action::ObsText { source, text } => {
                    let text = placeholders::render_text(text, values);
                    let summary = Action::ObsText {
                        source: source.clone(),
                        text: text.clone(),
                    }
                    .summary();
                    Prepared::Once(
                        Work::Obs(Arc::new(ObsWork::Text {
                            source: source.trim().to_owned(),
                            text,
                        })),
                        summary.into(),
                    )
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
