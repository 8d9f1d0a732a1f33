//! `giftdeck` without a subcommand: sets up logging (a daily file in [`log_dir`], warnings on
//! stderr) and the tokio runtime, then runs the window until it closes.

use std::process::ExitCode;

use crate::ui::{AppOptions, GiftdeckApp, log_dir};

/// Daily log files kept in [`log_dir`].
const LOG_DAYS: usize = 14;

/// Logs to a daily file in [`log_dir`] (and stderr). Returns the guard that flushes the file.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::prelude::*;
    let filter = || {
        crate::keystore::quiet_log_filter(
            tracing_subscriber::EnvFilter::try_from_env("GIFTDECK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,giftdeck=debug")),
        )
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(tracing_subscriber::EnvFilter::new("warn"));
    let dir = log_dir();
    // A new file each day; the oldest beyond LOG_DAYS are deleted, so months of streaming do not
    // fill the disk.
    let appender = |dir: &std::path::Path| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("giftdeck.log")
            .max_log_files(LOG_DAYS)
            .build(dir)
            .map_err(std::io::Error::other)
    };
    let opened = dir.as_ref().map(|d| {
        let appender = std::fs::create_dir_all(d).and_then(|()| appender(d));
        (d, appender)
    });
    let (file_layer, guard) = match opened {
        Some((_, Ok(appender))) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            (Some(layer), Some(guard))
        }
        Some((dir, Err(err))) => {
            eprintln!("giftdeck: cannot write logs in {}: {err}", dir.display());
            (None, None)
        }
        None => (None, None),
    };
    if let Err(err) = tracing_subscriber::registry()
        .with(stderr)
        .with(file_layer)
        .try_init()
    {
        eprintln!("giftdeck: logging is already set up: {err}");
    }
    guard
}

/// Runs the desktop app until its window closes.
pub fn run(demo: bool, overlay_port: Option<u16>) -> ExitCode {
    let _log_guard = init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("giftdeck-rt")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("giftdeck: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(demo, "giftdeck {} starting", env!("CARGO_PKG_VERSION"));
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default()
            .with_title("giftdeck — TikTok LIVE gifts → Minecraft")
            .with_inner_size([1280.0, 720.0])
            .with_min_inner_size([900.0, 600.0])
            .with_icon(crate::ui::app_icon())
            // WM_CLASS on X11 / app_id on Wayland: matches assets/giftdeck.desktop, so the
            // taskbar groups the window under the installed launcher.
            .with_app_id("giftdeck"),
        persist_window: true,
        // Dithering only hides banding in gradients, and the window draws none; per pixel it
        // is noise maths on every fragment, which a machine rendering in software pays for.
        dithering: false,
        ..Default::default()
    };
    let overlays = runtime.block_on(super::start_overlays("giftdeck", overlay_port));
    if let Some(Err(err)) = &overlays {
        eprintln!("giftdeck: overlays are off: {err}");
        tracing::warn!("overlays are off: {err}");
    }
    let app_options = AppOptions {
        settings_path: crate::settings::default_path(),
        runtime: runtime.handle().clone(),
        demo,
        secrets: crate::settings::SecretsHome::Keyring,
    };
    let result = eframe::run_native(
        "giftdeck",
        options,
        Box::new(move |_cc| Ok(Box::new(GiftdeckApp::with_overlays(app_options, overlays)))),
    );
    // Background tasks (session, executor, saver) end with the runtime.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("the window failed: {err}");
            eprintln!("giftdeck: the window could not run: {err}");
            ExitCode::FAILURE
        }
    }
}
