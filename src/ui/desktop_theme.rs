//! The desktop's light or dark preference on Linux, which winit does not report on X11: the XDG
//! desktop portal's `org.freedesktop.appearance` `color-scheme` (0 no preference, 1 dark, 2
//! light), read over the session bus at start and followed while the app runs, on a thread of its
//! own. Elsewhere eframe reports the system's theme itself and nothing is read here. No portal (or
//! no session bus) is no preference: egui's own reading of the system applies.

use egui::Theme;
use tokio::sync::watch;

/// The portal's `color-scheme` value as a theme (`None`: no preference, or a value a newer
/// portal may add).
pub fn theme_of(color_scheme: u32) -> Option<Theme> {
    match color_scheme {
        1 => Some(Theme::Dark),
        2 => Some(Theme::Light),
        _ => None,
    }
}

/// The desktop's theme as latest-value state; `wake` is called when it changes.
pub fn watch_desktop_theme(
    wake: std::sync::Arc<dyn Fn() + Send + Sync>,
) -> watch::Receiver<Option<Theme>> {
    let (tx, rx) = watch::channel(None);
    #[cfg(target_os = "linux")]
    {
        let started = std::thread::Builder::new()
            .name("desktop-theme".into())
            .spawn(move || {
                if let Err(err) = portal::follow(None, &tx, &*wake) {
                    tracing::debug!("the desktop's light/dark setting is not followed: {err}");
                }
            });
        if let Err(err) = started {
            tracing::debug!("cannot start the desktop-theme thread: {err}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    drop((tx, wake));
    rx
}

#[cfg(target_os = "linux")]
pub mod portal {
    //! The portal's Settings interface over zbus (blocking; on its own thread).

    use zbus::zvariant::{OwnedValue, Value};

    use super::{Theme, theme_of};

    const DESTINATION: &str = "org.freedesktop.portal.Desktop";
    const PATH: &str = "/org/freedesktop/portal/desktop";
    const INTERFACE: &str = "org.freedesktop.portal.Settings";
    const NAMESPACE: &str = "org.freedesktop.appearance";
    const KEY: &str = "color-scheme";

    /// A `color-scheme` value: a `u32`, inside as many variants as the portal wrapped it in
    /// (the older `Read` wraps it twice).
    fn scheme(value: &Value<'_>) -> Option<u32> {
        match value {
            Value::U32(n) => Some(*n),
            Value::Value(inner) => scheme(inner),
            _ => None,
        }
    }

    /// Reads the setting and sends every change into `tx` until the bus goes away. `address`:
    /// a bus of its own (tests); `None`: the session bus.
    pub fn follow(
        address: Option<&str>,
        tx: &tokio::sync::watch::Sender<Option<Theme>>,
        wake: &(dyn Fn() + Send + Sync),
    ) -> zbus::Result<()> {
        let conn = match address {
            Some(address) => zbus::blocking::connection::Builder::address(address)?.build()?,
            None => zbus::blocking::Connection::session()?,
        };
        let proxy = zbus::blocking::Proxy::new(&conn, DESTINATION, PATH, INTERFACE)?;
        // Subscribed before reading, so a change in between is not lost.
        let changes = proxy.receive_signal("SettingChanged")?;
        let now: zbus::Result<OwnedValue> = proxy.call("ReadOne", &(NAMESPACE, KEY));
        let now = match now {
            Ok(value) => value,
            // Portals before version 2 only have Read.
            Err(_) => proxy.call("Read", &(NAMESPACE, KEY))?,
        };
        let send = |theme: Option<Theme>| {
            if tx.send_replace(theme) != theme {
                wake();
            }
        };
        send(scheme(&now).and_then(theme_of));
        for message in changes {
            let (namespace, key, value): (String, String, OwnedValue) =
                message.body().deserialize()?;
            if namespace == NAMESPACE && key == KEY {
                send(scheme(&value).and_then(theme_of));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portals_values_read_as_themes() {
        assert_eq!(theme_of(0), None, "no preference");
        assert_eq!(theme_of(1), Some(Theme::Dark));
        assert_eq!(theme_of(2), Some(Theme::Light));
        assert_eq!(theme_of(7), None, "a value from a newer portal");
    }
}
