//! Sound output through the system's ALSA library (`libasound.so.2`), loaded at run time: the
//! build needs no ALSA headers and no pkg-config entry, and a machine without the library still
//! runs the app (a sound action then fails with a clear error).
//!
//! This is the crate's one FFI module, hence the one `unsafe_code` allowance. The surface is eight
//! C functions of ALSA's stable "simple PCM" API (`snd_pcm_open`, `snd_pcm_set_params`,
//! `snd_pcm_writei`, `snd_pcm_recover`, `snd_pcm_drain`, `snd_pcm_drop`, `snd_pcm_close`,
//! `snd_strerror`), with these invariants, each checked where it is used:
//! - the library is loaded once and never unloaded, so the function pointers stay valid;
//! - a PCM handle is non-null once `snd_pcm_open` returned 0, is used by one thread at a time
//!   (it is owned by [`AlsaStream`], which is `Send` but not `Sync`) and closed exactly once, in
//!   `Drop`;
//! - `snd_pcm_writei` gets a pointer and a frame count that lie inside the slice passed in.
#![expect(
    unsafe_code,
    reason = "the FFI to libasound; the invariants are listed above"
)]

use std::ffi::{CStr, c_char, c_int, c_long, c_uint, c_ulong, c_void};
use std::sync::OnceLock;

use super::PcmSpec;

/// `snd_pcm_stream_t`: `SND_PCM_STREAM_PLAYBACK`.
const STREAM_PLAYBACK: c_int = 0;
/// `snd_pcm_format_t`: `SND_PCM_FORMAT_S16_LE`.
const FORMAT_S16_LE: c_int = 2;
/// `snd_pcm_access_t`: `SND_PCM_ACCESS_RW_INTERLEAVED`.
const ACCESS_RW_INTERLEAVED: c_int = 3;
/// Let ALSA resample when the device does not take the file's rate.
const SOFT_RESAMPLE: c_int = 1;
/// The device buffer: short enough that a shutdown cuts a sound off quickly, long enough not to
/// underrun on a busy 2-core machine.
const LATENCY_MICROS: c_uint = 100_000;
const DEVICE: &CStr = c"default";
const LIBRARY: &str = "libasound.so.2";

type Pcm = c_void;

struct Api {
    open: unsafe extern "C" fn(*mut *mut Pcm, *const c_char, c_int, c_int) -> c_int,
    set_params:
        unsafe extern "C" fn(*mut Pcm, c_int, c_int, c_uint, c_uint, c_int, c_uint) -> c_int,
    writei: unsafe extern "C" fn(*mut Pcm, *const c_void, c_ulong) -> c_long,
    recover: unsafe extern "C" fn(*mut Pcm, c_int, c_int) -> c_int,
    drain: unsafe extern "C" fn(*mut Pcm) -> c_int,
    drop: unsafe extern "C" fn(*mut Pcm) -> c_int,
    close: unsafe extern "C" fn(*mut Pcm) -> c_int,
    strerror: unsafe extern "C" fn(c_int) -> *const c_char,
}

/// Loads the library on first use; the error (no libasound) is remembered.
fn api() -> Result<&'static Api, String> {
    static API: OnceLock<Result<Api, String>> = OnceLock::new();
    API.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Api, String> {
    // SAFETY: loading libasound runs its initialisers, which only set up ALSA's own state.
    let library = unsafe { libloading::Library::new(LIBRARY) }.map_err(|e| {
        format!("cannot load {LIBRARY} (is ALSA's runtime library installed?): {e}")
    })?;
    // Never unloaded: the pointers below must stay valid for the life of the process.
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    macro_rules! symbol {
        ($name:literal) => {
            // SAFETY: the type given at each use matches the C prototype in ALSA's
            // <alsa/pcm.h> / <alsa/error.h> (`snd_pcm_uframes_t` is `unsigned long`,
            // `snd_pcm_sframes_t` is `long`, enums are `int`).
            *unsafe { library.get(concat!($name, "\0").as_bytes()) }
                .map_err(|e| format!("{LIBRARY} lacks {}: {e}", $name))?
        };
    }
    Ok(Api {
        open: symbol!("snd_pcm_open"),
        set_params: symbol!("snd_pcm_set_params"),
        writei: symbol!("snd_pcm_writei"),
        recover: symbol!("snd_pcm_recover"),
        drain: symbol!("snd_pcm_drain"),
        drop: symbol!("snd_pcm_drop"),
        close: symbol!("snd_pcm_close"),
        strerror: symbol!("snd_strerror"),
    })
}

fn describe(api: &Api, code: c_int) -> String {
    // SAFETY: snd_strerror returns a pointer to a static, NUL-terminated string for any code.
    let text = unsafe { (api.strerror)(code) };
    if text.is_null() {
        return format!("ALSA error {code}");
    }
    // SAFETY: non-null and NUL-terminated (above); the string is static, we copy it at once.
    unsafe { CStr::from_ptr(text) }
        .to_string_lossy()
        .into_owned()
}

/// One open playback PCM on ALSA's `default` device.
pub(super) struct AlsaStream {
    api: &'static Api,
    pcm: *mut Pcm,
    channels: usize,
}

// SAFETY: an ALSA PCM handle may be used from any thread as long as calls on it do not overlap;
// `AlsaStream` is not `Sync` and its methods take `&mut self` or `self`, so they cannot.
unsafe impl Send for AlsaStream {}

impl AlsaStream {
    pub(super) fn open(spec: PcmSpec) -> Result<Self, String> {
        let api = api()?;
        let mut pcm: *mut Pcm = std::ptr::null_mut();
        // SAFETY: `pcm` is a valid out-pointer and DEVICE a NUL-terminated string; mode 0 blocks.
        let code = unsafe { (api.open)(&mut pcm, DEVICE.as_ptr(), STREAM_PLAYBACK, 0) };
        if code < 0 || pcm.is_null() {
            return Err(format!(
                "cannot open the \"default\" device: {}",
                describe(api, code)
            ));
        }
        // From here on, Drop closes the handle on every path.
        let stream = Self {
            api,
            pcm,
            channels: usize::from(spec.channels.max(1)),
        };
        // SAFETY: `pcm` is open (above); the arguments are plain integers.
        let code = unsafe {
            (api.set_params)(
                pcm,
                FORMAT_S16_LE,
                ACCESS_RW_INTERLEAVED,
                c_uint::from(spec.channels.max(1)),
                spec.rate_hz,
                SOFT_RESAMPLE,
                LATENCY_MICROS,
            )
        };
        if code < 0 {
            return Err(format!(
                "the \"default\" device does not take {} channel(s) at {} Hz: {}",
                spec.channels,
                spec.rate_hz,
                describe(api, code)
            ));
        }
        Ok(stream)
    }

    /// Writes whole frames, blocking while the device buffer is full; recovers from underruns.
    pub(super) fn write(&mut self, samples: &[i16], stop: &dyn Fn() -> bool) -> Result<(), String> {
        let mut rest = &samples[..samples.len() - samples.len() % self.channels];
        while !rest.is_empty() && !stop() {
            let frames = rest.len() / self.channels;
            // SAFETY: the pointer and `frames * channels` samples lie inside `rest`; the handle
            // is open and used only by this thread.
            let written =
                unsafe { (self.api.writei)(self.pcm, rest.as_ptr().cast(), frames as c_ulong) };
            if written < 0 {
                let code = c_int::try_from(written).unwrap_or(c_int::MIN);
                // SAFETY: as above; recover handles -EPIPE (underrun) and -ESTRPIPE (suspend).
                let recovered = unsafe { (self.api.recover)(self.pcm, code, 1) };
                if recovered < 0 {
                    return Err(describe(self.api, code));
                }
                continue;
            }
            let written = usize::try_from(written).unwrap_or(0).min(frames);
            rest = &rest[written * self.channels..];
        }
        Ok(())
    }

    /// Waits until the device has played everything written (unless told to stop).
    pub(super) fn drain(self, stop: &dyn Fn() -> bool) -> Result<(), String> {
        if stop() {
            return Ok(());
        }
        // SAFETY: the handle is open; drain blocks until the buffer has played (≤ LATENCY).
        let code = unsafe { (self.api.drain)(self.pcm) };
        if code < 0 {
            return Err(describe(self.api, code));
        }
        Ok(())
    }
}

impl Drop for AlsaStream {
    fn drop(&mut self) {
        // SAFETY: the handle is open and this is the only place that closes it. Dropping what is
        // still queued first makes the close immediate (a cut-off, not a wait).
        unsafe {
            (self.api.drop)(self.pcm);
            (self.api.close)(self.pcm);
        }
    }
}
