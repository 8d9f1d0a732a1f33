//! The gift picture cache against a real HTTP server on loopback: PNG and WebP served, fetched
//! once and then read from disk, the size bound evicting, and every bad answer (404, a cut-off
//! body, too many bytes, bogus bytes, a redirect elsewhere, a host that is not allowed) a clear
//! error the window shows as a placeholder. And the alert overlay, in a real headless Chromium,
//! showing the catalog's picture for a gift whose message carries none.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/chromium.rs"]
mod chromium;
#[path = "support/real.rs"]
mod real;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use image::{ImageEncoder as _, Rgba, RgbaImage};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use giftdeck::catalog::{Catalog, CatalogGift};
use giftdeck::engine::{Decision, Output};
use giftdeck::event::CreditedGift;
use giftdeck::overlay::{HubConfig, Overlays};
use giftdeck::pictures::{
    HostPolicy, MAX_DOWNLOAD_BYTES, Origin, Picture, PictureCache, PictureConfig, PictureError,
    disk,
};

/// Requests served, per path.
#[derive(Default)]
struct Hits(Mutex<HashMap<String, usize>>);

impl Hits {
    fn add(&self, path: &str) {
        *self.0.lock().unwrap().entry(path.to_owned()).or_default() += 1;
    }

    fn get(&self, path: &str) -> usize {
        self.0.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

fn png(width: u32, height: u32, rgba: [u8; 4]) -> Vec<u8> {
    let img = RgbaImage::from_pixel(width, height, Rgba(rgba));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn webp(width: u32, height: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(width, height, |x, _| Rgba([x as u8 * 8, 120, 200, 255]));
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

/// What the server answers for a path: status, headers, body, and whether to cut the body off.
struct Route {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    cut_at: Option<usize>,
}

fn ok(body: Vec<u8>, content_type: &str) -> Route {
    Route {
        status: 200,
        headers: vec![("Content-Type", content_type.to_owned())],
        body,
        cut_at: None,
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 (one request per connection), counting hits per path.
async fn serve(routes: HashMap<&'static str, Route>) -> (String, Arc<Hits>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(Hits::default());
    let routes = Arc::new(routes);
    let counted = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (routes, hits) = (routes.clone(), counted.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    let Ok(n) = socket.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                }
                let text = String::from_utf8_lossy(&request);
                let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
                hits.add(&path);
                let not_found = Route {
                    status: 404,
                    headers: Vec::new(),
                    body: b"not here".to_vec(),
                    cut_at: None,
                };
                let route = routes.get(path.as_str()).unwrap_or(&not_found);
                let mut head = format!(
                    "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    route.status,
                    route.body.len()
                );
                for (name, value) in &route.headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let body = &route.body[..route.cut_at.unwrap_or(route.body.len())];
                socket.write_all(head.as_bytes()).await.ok();
                socket.write_all(body).await.ok();
                socket.shutdown().await.ok();
            });
        }
    });
    (base, hits)
}

fn config(base: &str, dir: &std::path::Path, limit_bytes: u64) -> PictureConfig {
    PictureConfig {
        cache_dir: Some(dir.to_owned()),
        cache_limit_bytes: limit_bytes,
        hosts: HostPolicy::nothing().with_origin(base),
        fetch_timeout: Duration::from_secs(10),
    }
}

fn start(config: PictureConfig) -> (PictureCache, Arc<AtomicUsize>) {
    let wakes = Arc::new(AtomicUsize::new(0));
    let counted = wakes.clone();
    let cache = PictureCache::start(&tokio::runtime::Handle::current(), config, move || {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    (cache, wakes)
}

async fn get(cache: &mut PictureCache, url: &str) -> Picture {
    assert!(cache.request(url));
    tokio::time::timeout(Duration::from_secs(20), cache.recv())
        .await
        .expect("an answer within 20 s")
        .expect("the task is running")
}

#[tokio::test]
async fn pictures_are_fetched_once_then_read_from_disk() {
    let rose = png(120, 120, [220, 20, 60, 255]);
    let (base, hits) = serve(HashMap::from([
        ("/rose.png", ok(rose.clone(), "image/png")),
        ("/lion.webp", ok(webp(32, 16), "image/webp")),
    ]))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (mut cache, wakes) = start(config(&base, dir.path(), 50 * 1024 * 1024));

    let url = format!("{base}/rose.png");
    let first = get(&mut cache, &url).await;
    assert_eq!(first.url, url);
    let (picture, origin) = first.result.unwrap();
    assert_eq!(origin, Origin::Network);
    // Scaled down to the window's size, colours kept.
    assert_eq!((picture.width_px, picture.height_px), (96, 96));
    assert_eq!(&picture.rgba[..4], &[220, 20, 60, 255]);
    assert!(wakes.load(Ordering::SeqCst) >= 1, "the window was woken");
    assert_eq!(
        std::fs::read(disk::path_for(dir.path(), &url)).unwrap(),
        rose,
        "kept on disk as fetched"
    );

    let webp_url = format!("{base}/lion.webp");
    let (lion, _) = get(&mut cache, &webp_url).await.result.unwrap();
    assert_eq!((lion.width_px, lion.height_px), (32, 16));

    // A new start (the next app run) reads the disk, not the server.
    drop(cache);
    let (mut again, _) = start(config(&base, dir.path(), 50 * 1024 * 1024));
    let (_, origin) = get(&mut again, &url).await.result.unwrap();
    assert_eq!(origin, Origin::Disk);
    assert_eq!(hits.get("/rose.png"), 1, "fetched once");
    assert_eq!(hits.get("/lion.webp"), 1);
}

#[tokio::test]
async fn the_size_bound_evicts_the_least_recently_used() {
    let a = png(64, 64, [1, 2, 3, 255]);
    let b = png(64, 64, [4, 5, 6, 255]);
    let (base, hits) = serve(HashMap::from([
        ("/a.png", ok(a.clone(), "image/png")),
        ("/b.png", ok(b.clone(), "image/png")),
    ]))
    .await;
    let dir = tempfile::tempdir().unwrap();
    // Room for one of the two.
    let limit = a.len().max(b.len()) as u64 + 10;
    let (mut cache, _) = start(config(&base, dir.path(), limit));
    let (url_a, url_b) = (format!("{base}/a.png"), format!("{base}/b.png"));
    get(&mut cache, &url_a).await.result.unwrap();
    get(&mut cache, &url_b).await.result.unwrap();
    assert!(
        !disk::path_for(dir.path(), &url_a).exists(),
        "a was evicted"
    );
    assert!(
        disk::path_for(dir.path(), &url_b).exists(),
        "b, the newest, stays"
    );
    assert!(disk::size_bytes(dir.path()) <= limit);
    let (_, origin) = get(&mut cache, &url_a).await.result.unwrap();
    assert_eq!(
        origin,
        Origin::Network,
        "an evicted picture is fetched again"
    );
    assert_eq!(hits.get("/a.png"), 2);
}

#[tokio::test]
async fn bad_answers_are_clear_errors_and_nothing_is_cached() {
    let whole = png(64, 64, [9, 9, 9, 255]);
    let mut truncated = ok(whole.clone(), "image/png");
    truncated.cut_at = Some(whole.len() / 2);
    let oversized = ok(vec![0u8; MAX_DOWNLOAD_BYTES as usize + 1], "image/png");
    let (base, hits) = serve(HashMap::from([
        ("/truncated.png", truncated),
        ("/oversized.png", oversized),
        (
            "/bogus.png",
            ok(b"<html>surprise</html>".to_vec(), "image/png"),
        ),
        (
            "/elsewhere.png",
            Route {
                status: 302,
                headers: vec![("Location", "http://169.254.169.254/latest".to_owned())],
                body: Vec::new(),
                cut_at: None,
            },
        ),
    ]))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (mut cache, _) = start(config(&base, dir.path(), 50 * 1024 * 1024));

    let missing = get(&mut cache, &format!("{base}/missing.png")).await;
    assert!(
        matches!(
            &missing.result,
            Err(PictureError::Status { status: 404, .. })
        ),
        "{:?}",
        missing.result
    );
    let cut = get(&mut cache, &format!("{base}/truncated.png")).await;
    assert!(
        matches!(
            &cut.result,
            Err(PictureError::Network { .. } | PictureError::Decode { .. })
        ),
        "{:?}",
        cut.result
    );
    let big = get(&mut cache, &format!("{base}/oversized.png")).await;
    assert!(
        matches!(&big.result, Err(PictureError::TooLarge { .. })),
        "{:?}",
        big.result
    );
    let bogus = get(&mut cache, &format!("{base}/bogus.png")).await;
    let Err(err) = &bogus.result else {
        panic!("bogus bytes decoded")
    };
    assert!(matches!(err, PictureError::Decode { .. }), "{err:?}");
    assert!(
        err.to_string().contains("not a PNG or WebP picture"),
        "{err}"
    );
    let redirected = get(&mut cache, &format!("{base}/elsewhere.png")).await;
    assert!(
        matches!(&redirected.result, Err(PictureError::Network { .. })),
        "a redirect off the allowed hosts is not followed: {:?}",
        redirected.result
    );
    // Not an allowed host: refused without a request.
    let foreign = get(&mut cache, "http://127.0.0.2:9/x.png").await;
    assert!(matches!(
        &foreign.result,
        Err(PictureError::NotAllowed { .. })
    ));
    let sneaky = get(&mut cache, &format!("{base}@evil.example/x.png")).await;
    assert!(sneaky.result.is_err());
    assert_eq!(hits.get("/x.png"), 0);
    assert_eq!(disk::size_bytes(dir.path()), 0, "nothing bad was kept");
}

#[tokio::test]
async fn before_connecting_to_tiktok_its_pictures_come_from_the_disk_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let cached = "https://p16-webcast.tiktokcdn.com/img/rose~tplv-obj.png";
    disk::write(dir.path(), cached, &png(32, 32, [220, 20, 60, 255])).unwrap();
    // The app's policy before a connection: TikTok's hosts known, not fetched from.
    let config = PictureConfig {
        cache_dir: Some(dir.path().to_owned()),
        cache_limit_bytes: 50 * 1024 * 1024,
        hosts: HostPolicy::default().with_tiktok_fetch(false),
        fetch_timeout: Duration::from_secs(10),
    };
    let (mut cache, _) = start(config);
    let (picture, origin) = get(&mut cache, cached).await.result.unwrap();
    assert_eq!((origin, picture.width_px), (Origin::Disk, 32));
    let uncached = get(&mut cache, "https://p16-webcast.tiktokcdn.com/img/lion.png").await;
    assert!(
        matches!(&uncached.result, Err(PictureError::NotYet { .. })),
        "{:?}",
        uncached.result
    );
}

/// A credited Rose whose message carried no picture.
fn rose_without_picture() -> Output {
    Output::Credit(Decision {
        gift: CreditedGift {
            count: 3,
            ..giftdeck::testkit::outputs::rose()
        },
        mapping: None,
    })
}

const ALERT_PICTURE: &str = "(() => { const c = document.querySelector('.alert-card:not(.leaving)'); \
    if (!c) return null; const img = c.querySelector('img.gift-image'); \
    return { text: c.querySelector('.alert-text').textContent, icon: !!c.querySelector('.gift-icon'), \
    src: img ? img.src : null, width: img ? img.naturalWidth : 0, \
    hidden: img ? img.classList.contains('hidden') : null }; })()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alert_overlay_shows_the_catalog_s_picture_when_the_message_has_none() {
    let Some(binary) = chromium::chromium() else {
        return;
    };
    let (base, hits) = serve(HashMap::from([(
        "/rose.png",
        ok(png(48, 48, [220, 20, 60, 255]), "image/png"),
    )]))
    .await;
    // The catalog has the Rose's picture from the room's gift list.
    let picture = format!("{base}/rose.png");
    let mut catalog = Catalog::built_in();
    catalog.merge_room_list([CatalogGift {
        name: "Rose".into(),
        id: Some(5655),
        diamonds: 1,
        picture_url: Some(picture.clone()),
    }]);

    let overlays = Overlays::start(0, HubConfig::default()).await.unwrap();
    let port = overlays.server.port();
    let url = format!("http://127.0.0.1:{port}/alerts?width=900&height=200");
    let mut browser = chromium::Browser::open(&binary, &url, 900, 200).await;
    browser
        .wait_for(
            "document.body.dataset.connected",
            Duration::from_secs(20),
            |v| v == "yes",
        )
        .await;
    overlays
        .hub
        .set_gift_pictures(Arc::new(catalog.pictures_by_id()));
    overlays.hub.send_output(&rose_without_picture());
    let shown = browser
        .wait_for(ALERT_PICTURE, Duration::from_secs(20), |v| {
            v["width"].as_u64() == Some(48)
        })
        .await;
    assert_eq!(shown["text"], "Alice sent 3 × Rose");
    assert_eq!(shown["src"], picture.as_str());
    assert_eq!(shown["icon"], false, "the picture, not the 🎁 stand-in");
    assert_eq!(shown["hidden"], false);
    assert!(hits.get("/rose.png") >= 1, "the browser loaded it");
    drop(browser);
    overlays.stop().await;
}
