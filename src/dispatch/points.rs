//! The points actions (`{"type":"points","add":"{count}"}`) of a credit or a fired trigger, as the
//! ledger's adjustments (pure). An amount is a product of factors split on `*` in the *template*,
//! each factor a whole number or a placeholder filled afterwards: a viewer's text in `{args}` can
//! be a number, never another factor or a sign the streamer did not write.

use crate::actions::placeholders::{Values, render_text};
use crate::engine::Output;
use crate::ledger::{Adjustment, Viewer};
use crate::mappings::{Action, Mapping};

/// The most points one action gives or takes.
pub const MAX_POINTS_PER_ACTION: i64 = 1_000_000_000;

/// Why an amount could not be read, with the text that failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("\"{0}\" is not a whole number of points")]
    NotANumber(String),
}

/// The points `template` means with `values` (`""` is 0). Factors are split on `*` before
/// placeholders are filled; the product saturates, then is capped at
/// [`MAX_POINTS_PER_ACTION`].
pub fn amount(template: &str, values: &Values) -> Result<i64, AmountError> {
    if template.trim().is_empty() {
        return Ok(0);
    }
    let mut product: i64 = 1;
    for factor in template.split('*') {
        let filled = render_text(factor, values);
        let number: i64 = filled
            .trim()
            .parse()
            .map_err(|_| AmountError::NotANumber(filled.trim().to_owned()))?;
        product = product.saturating_mul(number);
    }
    Ok(product.clamp(-MAX_POINTS_PER_ACTION, MAX_POINTS_PER_ACTION))
}

/// What a points action adds (negative: takes away): `add` minus `remove`.
pub fn net_points(add: &str, remove: &str, values: &Values) -> Result<i64, AmountError> {
    Ok(amount(add, values)?.saturating_sub(amount(remove, values)?))
}

/// The output's viewer, credit key, placeholder values and the mapping it ran (if any).
fn ran(output: &Output) -> Option<(i64, Viewer, Values, &Mapping)> {
    match output {
        Output::Credit(decision) => {
            let g = &decision.gift;
            let viewer = Viewer {
                user_id: g.user_id,
                unique_id: g.unique_id.clone(),
                nickname: g.nickname.clone(),
            };
            Some((
                g.msg_id,
                viewer,
                Values::from_gift(g),
                decision.mapping.as_ref()?,
            ))
        }
        Output::Fired(fired) => {
            let line = &fired.line;
            let viewer = Viewer {
                user_id: line.user_id,
                unique_id: line.unique_id.clone(),
                nickname: line.nickname.clone(),
            };
            Some((
                line.msg_id,
                viewer,
                Values::from_event(line),
                fired.mapping.as_ref()?,
            ))
        }
        Output::Event(_) | Output::Likes(_) => None,
    }
}

/// The credit key slot of the `index`th action of `mapping`: the same for the same mapping and
/// place in every run (a replay, a restart), different for the several mappings one event fires
/// (FNV-1a of the trigger, its kind and the place; never 0, the event's own points).
pub fn slot_for(mapping: &Mapping, index: usize) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let kind = serde_json::to_string(&mapping.on).unwrap_or_default();
    let bytes = mapping
        .trigger
        .bytes()
        .chain([0])
        .chain(kind.bytes())
        .chain([0])
        .chain(index.to_le_bytes());
    for byte in bytes {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash.max(1)
}

/// The adjustments the points actions of `output`'s mapping make, keyed by the output's message
/// id and each action's [`slot_for`], so the same output always gets the same keys. Amounts that
/// cannot be read come back as errors.
pub fn adjustments(output: &Output, at_millis: u64) -> Vec<Result<Adjustment, AmountError>> {
    let Some((msg_id, viewer, values, mapping)) = ran(output) else {
        return Vec::new();
    };
    if viewer.user_id == 0 || !mapping.enabled {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (index, action) in mapping.actions.iter().enumerate() {
        let Action::Points { add, remove } = action else {
            continue;
        };
        let slot = slot_for(mapping, index);
        let points = match net_points(add, remove, &values) {
            Ok(0) => continue,
            Ok(points) => points,
            Err(err) => {
                out.push(Err(err));
                continue;
            }
        };
        out.push(Ok(Adjustment {
            msg_id,
            slot,
            viewer: viewer.clone(),
            points,
            reason: format!("{}: {}", mapping.trigger, action.summary()),
            at_millis,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Decision;
    use crate::testkit::outputs::{credit, viewer};

    fn values(count: u32, args: &str) -> Values {
        Values {
            count,
            args: args.into(),
            ..Values::default()
        }
    }

    #[test]
    fn amounts_are_numbers_placeholders_and_products() {
        assert_eq!(amount("{count}", &values(7, "")), Ok(7));
        assert_eq!(amount("10*{count}", &values(7, "")), Ok(70));
        assert_eq!(amount(" 25 ", &values(1, "")), Ok(25));
        assert_eq!(amount("", &values(1, "")), Ok(0));
        assert_eq!(net_points("{count}", "3", &values(5, "")), Ok(2));
        assert_eq!(
            amount("99999999999*99999999999", &values(1, "")),
            Ok(MAX_POINTS_PER_ACTION)
        );
    }

    #[test]
    fn a_viewers_text_is_one_number_or_nothing() {
        assert_eq!(amount("{args}", &values(1, "40")), Ok(40));
        assert!(amount("{args}", &values(1, "40*1000")).is_err());
        assert!(amount("{args}", &values(1, "lots")).is_err());
        assert!(amount("5*{args}", &values(1, "2*2")).is_err());
    }

    fn with_points(add: &str, remove: &str) -> Mapping {
        let mut mapping = Mapping::new("Rose", Vec::new());
        mapping.actions = vec![
            Action::command("say hi"),
            Action::Points {
                add: add.into(),
                remove: remove.into(),
            },
            Action::Points {
                add: "oops".into(),
                remove: String::new(),
            },
            Action::Points {
                add: "1".into(),
                remove: String::new(),
            },
        ];
        mapping
    }

    #[test]
    fn each_points_action_of_a_credit_takes_its_own_slot() {
        let Output::Credit(decision) = credit(7, &viewer(42, "amy"), 1, 5) else {
            unreachable!()
        };
        let output = Output::Credit(Decision {
            mapping: Some(with_points("2*{count}", "")),
            ..decision
        });
        let got = adjustments(&output, 9);
        assert_eq!(got.len(), 3);
        let first = got[0].as_ref().unwrap();
        assert_eq!((first.points, first.viewer.user_id), (10, 42));
        assert!(got[1].is_err());
        let third = got[2].as_ref().unwrap();
        assert_ne!(first.slot, third.slot);
        assert!(first.slot != 0 && third.slot != 0);
        assert_eq!(
            adjustments(&output, 10)[0].as_ref().unwrap().slot,
            first.slot,
            "the same output gets the same key"
        );
        let other = Mapping::new("Lion", Vec::new());
        assert_ne!(slot_for(&other, 1), first.slot);
    }

    #[test]
    fn nothing_without_a_mapping_or_a_viewer_id() {
        assert!(adjustments(&credit(7, &viewer(42, "amy"), 1, 5), 0).is_empty());
        let Output::Credit(mut decision) = credit(8, &viewer(0, "anon"), 1, 5) else {
            unreachable!()
        };
        decision.mapping = Some(with_points("5", ""));
        assert!(adjustments(&Output::Credit(decision), 0).is_empty());
    }
}
