//! Cost of filling a command template: placeholders escaped for the argument they land in (the
//! template is read with the command grammar, and the result re-read to check its shape).
//!
//! Run: `cargo bench --bench placeholders`.

use std::hint::black_box;
use std::time::Instant;

use giftdeck::actions::{Values, render};

const TEMPLATES: &[&str] = &[
    "say {nickname} sent {count} {gift}!",
    r#"tellraw @a {"text":"{nickname} sent {count}× {gift}","color":"gold"}"#,
    r#"title @a title {"text":"{nickname} sent a Lion!"}"#,
    "execute at @a run summon minecraft:tnt ~ ~5 ~",
    r#"summon zombie ~ ~ ~ {CustomName:'{"text":"{nickname}"}',CustomNameVisible:1b}"#,
    r#"tellraw @a {"text":"thanks","clickEvent":{"action":"run_command","value":"/say {nickname}"}}"#,
    "give {user} minecraft:diamond {count}",
    "tnt 2 0.1 2 {user}",
];

fn main() {
    let values = Values {
        user: "Steve_2".into(),
        nickname: "Bob \"the\" @e Builder 🔥\u{202E}".into(),
        gift: "Rose".into(),
        count: 7,
        diamonds: 1,
        total_diamonds: 7,
        ..Values::default()
    };
    let rounds = 20_000;
    for template in TEMPLATES {
        black_box(render(template, &values).ok());
    }
    let started = Instant::now();
    for _ in 0..rounds {
        for template in TEMPLATES {
            black_box(render(black_box(template), &values).ok());
        }
    }
    let renders = rounds * TEMPLATES.len();
    let per = started.elapsed().as_secs_f64() * 1e6 / renders as f64;
    println!(
        "placeholders: {renders} renders of {} templates, {per:.2} µs per render ({:.0} renders/s)",
        TEMPLATES.len(),
        1e6 / per
    );
}
