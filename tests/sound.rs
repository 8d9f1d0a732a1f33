//! Sound actions played into real sinks, and the samples that came out checked: ALSA's `file`
//! device (through libasound loaded at run time) and a PulseAudio null sink (through our pure-Rust
//! client of its native protocol). Each plays in a child process with its own environment.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly, helpers included"
)]

#[path = "support/real.rs"]
mod real;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use giftdeck::actions::SoundPlayer;
use giftdeck::actions::sound::write_test_wav;

const TONE_HZ: f32 = 440.0;
const TONE_MILLIS: u32 = 300;
const VOLUME: f32 = 0.8;
/// `write_test_wav` writes at half scale; the player applies the volume on top.
const EXPECTED_PEAK: f32 = 0.5 * VOLUME * i16::MAX as f32;

/// Kills a helper process (sound server, recorder) when the test ends, also on a failed assert.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Runs [`sound_child_process`] with `env`: it plays the tone and waits for it to end.
fn play_in_child(tone: &Path, home: &Path, env: &[(&str, &str)]) {
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "--exact",
            "sound_child_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HOME", home)
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("PULSE_SERVER")
        .env_remove("PULSE_RUNTIME_PATH")
        .env("GIFTDECK_SOUND_CHILD", tone);
    for (name, value) in env {
        child.env(name, value);
    }
    let status = child.status().unwrap();
    assert!(status.success(), "child failed: {status}");
}

/// Runs only as the child of the tests below.
#[test]
#[ignore = "child process of the sound tests"]
fn sound_child_process() {
    let Some(tone) = std::env::var_os("GIFTDECK_SOUND_CHILD") else {
        return;
    };
    let player = SoundPlayer::start().unwrap();
    player.play_blocking(Path::new(&tone), VOLUME).unwrap();
    assert!(
        player.finish(Duration::from_secs(20)),
        "the sound did not end"
    );
}

/// The tone in a recording: the loud samples, their peak and their frequency (from zero
/// crossings).
fn analyse(samples: &[i16], rate_hz: u32) -> (usize, f32, f32) {
    let loud: Vec<i16> = {
        let first = samples.iter().position(|s| s.unsigned_abs() > 1000);
        let last = samples.iter().rposition(|s| s.unsigned_abs() > 1000);
        match (first, last) {
            (Some(a), Some(b)) => samples[a..=b].to_vec(),
            _ => Vec::new(),
        }
    };
    let peak = loud.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    let crossings = loud.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
    let seconds = loud.len() as f32 / rate_hz as f32;
    let hz = if seconds > 0.0 {
        crossings as f32 / 2.0 / seconds
    } else {
        0.0
    };
    (loud.len(), f32::from(peak), hz)
}

fn assert_is_the_tone(samples: &[i16], rate_hz: u32) {
    let (len, peak, hz) = analyse(samples, rate_hz);
    let expected_len = (rate_hz * TONE_MILLIS / 1000) as usize;
    // A sink that was idle may start a few tens of milliseconds into the tone.
    assert!(
        len >= expected_len * 85 / 100,
        "only {len} samples of the tone, expected ~{expected_len}"
    );
    assert!(
        (peak - EXPECTED_PEAK).abs() < EXPECTED_PEAK * 0.05,
        "peak {peak}, expected ~{EXPECTED_PEAK} (volume applied)"
    );
    assert!(
        (hz - TONE_HZ).abs() < TONE_HZ * 0.03,
        "tone at {hz} Hz, expected {TONE_HZ}"
    );
}

fn pcm16(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|s| i16::from_le_bytes([s[0], s[1]]))
        .collect()
}

#[test]
fn sound_plays_through_the_alsa_file_device() {
    if !Path::new("/usr/share/alsa/alsa.conf").exists() {
        real::missing(
            "ALSA's configuration (/usr/share/alsa/alsa.conf)",
            "apt-get install -y --no-install-recommends libasound2",
        );
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("OUT.wav");
    std::fs::write(
        home.path().join(".asoundrc"),
        format!(
            "pcm.!default {{ type file; slave.pcm \"null\"; file \"{}\"; format \"wav\" }}\n",
            out.display()
        ),
    )
    .unwrap();
    let tone = home.path().join("tone.wav");
    write_test_wav(&tone, TONE_MILLIS, TONE_HZ).unwrap();
    // A sound server that is not there: the player falls back to ALSA.
    let missing = format!("unix:{}", home.path().join("no-server").display());
    play_in_child(&tone, home.path(), &[("PULSE_SERVER", &missing)]);

    let wav = std::fs::read(&out).expect("ALSA wrote the output file");
    assert!(wav.len() > 44, "output has {} bytes", wav.len());
    assert_eq!(&wav[..4], b"RIFF");
    let channels = u16::from_le_bytes([wav[22], wav[23]]);
    let rate_hz = u32::from_le_bytes([wav[24], wav[25], wav[26], wav[27]]);
    assert_eq!((channels, rate_hz), (1, 44_100), "the file's own layout");
    assert_is_the_tone(&pcm16(&wav[44..]), rate_hz);
}

/// Starts a private PulseAudio server with a null sink as its only (default) sink.
fn start_pulseaudio(dir: &Path) -> (Reaper, PathBuf) {
    let socket = dir.join("native");
    let server = Command::new("pulseaudio")
        .args([
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disable-shm=yes",
            "--use-pid-file=no",
            "--system=no",
            "-F",
            "/dev/null",
        ])
        .arg(format!(
            "--load=module-native-protocol-unix socket={} auth-anonymous=1",
            socket.display()
        ))
        .arg("--load=module-null-sink sink_name=giftdeck_test rate=44100")
        .env("HOME", dir)
        .env("XDG_RUNTIME_DIR", dir)
        .env("PULSE_RUNTIME_PATH", dir.join("runtime"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pulseaudio");
    let server = Reaper(server);
    let deadline = Instant::now() + Duration::from_secs(15);
    let server_arg = format!("--server=unix:{}", socket.display());
    loop {
        let ready = socket.exists()
            && Command::new("pactl")
                .args([server_arg.as_str(), "info"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if ready {
            break;
        }
        assert!(Instant::now() < deadline, "pulseaudio did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, socket)
}

fn recording_started(socket: &Path) -> bool {
    Command::new("pactl")
        .arg(format!("--server=unix:{}", socket.display()))
        .args(["list", "source-outputs", "short"])
        .output()
        .is_ok_and(|out| out.status.success() && !out.stdout.trim_ascii().is_empty())
}

#[test]
fn sound_plays_through_a_pulseaudio_null_sink() {
    if !have("pulseaudio") || !have("parec") || !have("pactl") {
        real::missing(
            "pulseaudio, parec or pactl",
            "apt-get install -y --no-install-recommends pulseaudio pulseaudio-utils",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, socket) = start_pulseaudio(dir.path());
    let recording = dir.path().join("recorded.raw");
    let _recorder = Reaper(
        Command::new("parec")
            .arg(format!("--server=unix:{}", socket.display()))
            .args([
                "--device=giftdeck_test.monitor",
                "--format=s16le",
                "--channels=1",
                "--rate=44100",
                "--latency-msec=20",
                "--raw",
            ])
            .arg(&recording)
            .env("HOME", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start parec"),
    );
    // Play only once the recorder listens, or the start of the tone is lost.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !recording_started(&socket) {
        assert!(Instant::now() < deadline, "parec did not start recording");
        std::thread::sleep(Duration::from_millis(50));
    }
    let tone = dir.path().join("tone.wav");
    write_test_wav(&tone, TONE_MILLIS, TONE_HZ).unwrap();
    let server = format!("unix:{}", socket.display());
    play_in_child(&tone, dir.path(), &[("PULSE_SERVER", &server)]);

    // The child returned once the server drained the stream; the recorder may still be writing.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let samples = pcm16(&std::fs::read(&recording).unwrap_or_default());
        let (len, ..) = analyse(&samples, 44_100);
        let silent_tail = samples
            .iter()
            .rev()
            .take_while(|s| s.unsigned_abs() <= 1000)
            .count();
        if len > 0 && silent_tail > 4410 {
            assert_is_the_tone(&samples, 44_100);
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the recording has {len} tone samples and a silent tail of {silent_tail}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn without_any_output_a_sound_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // No server at PULSE_SERVER and an ALSA configuration whose default device does not exist.
    std::fs::write(
        dir.path().join(".asoundrc"),
        "pcm.!default { type hw; card 99 }\n",
    )
    .unwrap();
    let tone = dir.path().join("tone.wav");
    write_test_wav(&tone, 50, TONE_HZ).unwrap();
    let missing = format!("unix:{}", dir.path().join("no-server").display());
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "no_output_child_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HOME", dir.path())
        .env_remove("XDG_RUNTIME_DIR")
        .env("PULSE_SERVER", &missing)
        .env("GIFTDECK_SOUND_CHILD", &tone)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed: {stdout}");
    assert!(stdout.contains("NO OUTPUT OK"), "{stdout}");
}

/// Child of the test above: the sound fails with `NoDevice`, naming both outputs, and the player
/// still answers afterwards.
#[test]
#[ignore = "child process of without_any_output_a_sound_is_a_clear_error"]
fn no_output_child_process() {
    let Some(tone) = std::env::var_os("GIFTDECK_SOUND_CHILD") else {
        return;
    };
    let player = SoundPlayer::start().unwrap();
    for _ in 0..2 {
        let err = player.play_blocking(Path::new(&tone), 1.0).unwrap_err();
        let giftdeck::actions::SoundError::NoDevice { reason } = &err else {
            panic!("expected NoDevice, got {err:?}");
        };
        assert!(
            reason.contains("PulseAudio") && reason.contains("ALSA"),
            "{reason}"
        );
        assert!(
            err.to_string().starts_with("no audio output available"),
            "{err}"
        );
    }
    assert_eq!(player.playing(), 0);
    player.shutdown();
    println!("NO OUTPUT OK");
}
