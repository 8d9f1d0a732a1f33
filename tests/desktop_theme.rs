//! The desktop's light/dark setting, read the way giftdeck reads it on Linux: over D-Bus from a
//! portal serving `org.freedesktop.portal.Settings` as the XDG desktop portal documents it
//! (`ReadOne`, the `SettingChanged` signal), on a private bus of a real `dbus-daemon`.

#![cfg(target_os = "linux")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/real.rs"]
mod real;

use std::io::BufRead as _;
use std::time::{Duration, Instant};

use egui::Theme;
use zbus::zvariant::{OwnedValue, Value};

const PATH: &str = "/org/freedesktop/portal/desktop";
const INTERFACE: &str = "org.freedesktop.portal.Settings";

/// The portal's Settings interface, holding one `color-scheme`.
struct FakeSettings {
    scheme: u32,
}

#[zbus::interface(name = "org.freedesktop.portal.Settings")]
impl FakeSettings {
    fn read_one(&self, namespace: &str, key: &str) -> zbus::fdo::Result<OwnedValue> {
        if (namespace, key) == ("org.freedesktop.appearance", "color-scheme") {
            Ok(OwnedValue::from(self.scheme))
        } else {
            Err(zbus::fdo::Error::Failed("no such setting".into()))
        }
    }
}

fn wait_for(rx: &tokio::sync::watch::Receiver<Option<Theme>>, want: Option<Theme>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while *rx.borrow() != want {
        assert!(
            Instant::now() < deadline,
            "still {:?}, wanted {want:?}",
            *rx.borrow()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_desktop_theme_is_read_and_followed_from_the_portal() {
    if real::program("dbus-daemon", "apt-get install dbus").is_none() {
        return;
    }
    let mut daemon = std::process::Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut address = String::new();
    std::io::BufReader::new(daemon.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    let address = address.trim().to_owned();

    let portal = zbus::blocking::connection::Builder::address(address.as_str())
        .unwrap()
        .name("org.freedesktop.portal.Desktop")
        .unwrap()
        .serve_at(PATH, FakeSettings { scheme: 2 })
        .unwrap()
        .build()
        .unwrap();

    let (tx, rx) = tokio::sync::watch::channel(None);
    let follower_address = address.clone();
    let wakes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let woken = wakes.clone();
    std::thread::Builder::new()
        .name("theme-follower".into())
        .spawn(move || {
            giftdeck::ui::desktop_theme::portal::follow(Some(&follower_address), &tx, &move || {
                woken.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            })
        })
        .unwrap();
    wait_for(&rx, Some(Theme::Light));

    let changed = |namespace: &str, key: &str, scheme: u32| {
        portal
            .emit_signal(
                None::<()>,
                PATH,
                INTERFACE,
                "SettingChanged",
                &(namespace, key, Value::U32(scheme)),
            )
            .unwrap();
    };
    changed("org.freedesktop.appearance", "color-scheme", 1);
    wait_for(&rx, Some(Theme::Dark));
    // Another setting changing leaves the theme alone; "no preference" hands back to egui.
    changed("org.freedesktop.appearance", "accent-color", 2);
    changed("org.gnome.desktop.interface", "color-scheme", 2);
    changed("org.freedesktop.appearance", "color-scheme", 0);
    wait_for(&rx, None);
    assert_eq!(
        wakes.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "light, dark, no preference: one wake each, none for the other settings"
    );

    daemon.kill().unwrap();
    daemon.wait().unwrap();
}
