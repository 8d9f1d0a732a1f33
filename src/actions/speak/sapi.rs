//! Windows speech through SAPI 5 (`ISpVoice`), the offline voices every Windows has. COM objects
//! stay on one named thread; each utterance is spoken asynchronously and polled, so Skip and
//! Stop all purge it at once. Cross-compiled here; it can only run on real Windows (Wine's SAPI
//! answers E_NOTIMPL).
#![expect(
    unsafe_code,
    reason = "COM calls into SAPI: every pointer passed is a live local or a COM-owned string \
              freed with CoTaskMemFree"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use tokio::sync::{oneshot, watch};
use windows::Win32::Media::Speech::{
    IEnumSpObjectTokens, ISpObjectToken, ISpObjectTokenCategory, ISpVoice, SPCAT_VOICES, SPF_ASYNC,
    SPF_IS_NOT_XML, SPF_PURGEBEFORESPEAK, SPRS_DONE, SPVOICESTATUS, SpObjectTokenCategory, SpVoice,
};
use windows::Win32::System::Com::{
    CLSCTX_ALL, COINIT_MULTITHREADED, CoCreateInstance, CoInitializeEx, CoTaskMemFree,
};
use windows::core::{HSTRING, PCWSTR, PWSTR};

use super::SpeechError;
use super::filters::Utterance;
use super::queue::{Said, SpeechService};

struct Job {
    utterance: Utterance,
    cancel: Arc<AtomicBool>,
    reply: oneshot::Sender<Result<Said, SpeechError>>,
}

/// The SAPI voice, on its own thread.
pub struct Sapi {
    jobs: SyncSender<Job>,
}

fn failed(what: &str, err: windows::core::Error) -> SpeechError {
    SpeechError::Service(format!("Windows speech (SAPI) {what}: {err}"))
}

impl Sapi {
    pub fn start() -> Result<Self, SpeechError> {
        let (jobs, receiver) = sync_channel::<Job>(1);
        let (ready_tx, ready) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("speech".into())
            .spawn(move || run(receiver, ready_tx))
            .map_err(|e| SpeechError::Service(format!("cannot start the speech thread: {e}")))?;
        ready
            .recv()
            .map_err(|_| SpeechError::Service("the speech thread stopped".into()))??;
        Ok(Self { jobs })
    }
}

fn run(receiver: Receiver<Job>, ready: SyncSender<Result<(), SpeechError>>) {
    // SAFETY: initializes COM for this thread only; no pointers.
    let init = unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) };
    if init.is_err() {
        let _ = ready.send(Err(SpeechError::Service(format!(
            "Windows speech: COM did not start ({init:?})"
        ))));
        return;
    }
    // SAFETY: creates the SAPI voice object; COM owns it and releases it on drop.
    let voice: ISpVoice = match unsafe { CoCreateInstance(&SpVoice, None, CLSCTX_ALL) } {
        Ok(voice) => voice,
        Err(err) => {
            let _ = ready.send(Err(failed("is not available", err)));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    while let Ok(job) = receiver.recv() {
        let result = speak(&voice, &job.utterance, &job.cancel);
        let _ = job.reply.send(result);
    }
}

fn speak(
    voice: &ISpVoice,
    utterance: &Utterance,
    cancel: &AtomicBool,
) -> Result<Said, SpeechError> {
    let settings = &utterance.voice;
    // SAFETY: plain integers to a live voice object.
    unsafe {
        voice
            .SetRate(settings.sapi_rate())
            .map_err(|e| failed("rate", e))?;
        voice
            .SetVolume(settings.sapi_volume())
            .map_err(|e| failed("volume", e))?;
    }
    if let Some(name) = settings.name.as_deref()
        && let Some(token) = find_voice(name)?
    {
        // SAFETY: a token COM gave us, to a live voice object.
        unsafe { voice.SetVoice(&token) }.map_err(|e| failed("voice", e))?;
    }
    let text = HSTRING::from(utterance.text.as_str());
    let flags = (SPF_ASYNC.0 | SPF_PURGEBEFORESPEAK.0 | SPF_IS_NOT_XML.0).cast_unsigned();
    // SAFETY: `text` outlives the call (SAPI copies it for asynchronous speech).
    unsafe { voice.Speak(&text, flags, None) }.map_err(|e| failed("speak", e))?;
    loop {
        if cancel.load(Ordering::Acquire) {
            // SAFETY: an empty text with the purge flag stops what is being said.
            unsafe { voice.Speak(PCWSTR::null(), SPF_PURGEBEFORESPEAK.0.cast_unsigned(), None) }
                .map_err(|e| failed("stop", e))?;
            return Ok(Said::Cancelled);
        }
        // SAFETY: waits on a live voice object, at most 50 ms.
        let _ = unsafe { voice.WaitUntilDone(50) };
        let mut status = SPVOICESTATUS::default();
        // SAFETY: `status` is a local the call fills; no bookmark wanted.
        unsafe { voice.GetStatus(&mut status, std::ptr::null_mut()) }
            .map_err(|e| failed("status", e))?;
        if status.dwRunningState == SPRS_DONE.0.cast_unsigned() {
            return Ok(Said::Finished);
        }
    }
}

/// The first installed voice whose description contains `name` (any case).
fn find_voice(name: &str) -> Result<Option<ISpObjectToken>, SpeechError> {
    let wanted = name.to_lowercase();
    // SAFETY: creates a COM object; strings passed are constants or locals that outlive the calls.
    let tokens: IEnumSpObjectTokens = unsafe {
        let category: ISpObjectTokenCategory =
            CoCreateInstance(&SpObjectTokenCategory, None, CLSCTX_ALL)
                .map_err(|e| failed("voice list", e))?;
        category
            .SetId(SPCAT_VOICES, false)
            .map_err(|e| failed("voice list", e))?;
        category
            .EnumTokens(PCWSTR::null(), PCWSTR::null())
            .map_err(|e| failed("voice list", e))?
    };
    loop {
        let mut token: Option<ISpObjectToken> = None;
        let mut fetched = 0u32;
        // SAFETY: room for one token and its count, both locals.
        unsafe { tokens.Next(1, &mut token, Some(&mut fetched)) }
            .map_err(|e| failed("voice list", e))?;
        let Some(token) = token.filter(|_| fetched == 1) else {
            return Ok(None);
        };
        // SAFETY: the default value of a voice token is its description; COM allocates the
        // string and we free it once read.
        let description = unsafe {
            match token.GetStringValue(PCWSTR::null()) {
                Ok(text) => {
                    let read = PWSTR(text.0).to_string().unwrap_or_default();
                    CoTaskMemFree(Some(text.0.cast_const().cast()));
                    read
                }
                Err(_) => String::new(),
            }
        };
        if description.to_lowercase().contains(&wanted) {
            return Ok(Some(token));
        }
    }
}

impl SpeechService for Sapi {
    async fn say(
        &mut self,
        utterance: &Utterance,
        cancel: &mut watch::Receiver<u64>,
    ) -> Result<Said, SpeechError> {
        let stop = Arc::new(AtomicBool::new(false));
        let (reply, mut done) = oneshot::channel();
        self.jobs
            .try_send(Job {
                utterance: utterance.clone(),
                cancel: stop.clone(),
                reply,
            })
            .map_err(|_| SpeechError::Service("the speech thread is busy or stopped".into()))?;
        tokio::select! {
            result = &mut done => result.unwrap_or_else(|_| Err(SpeechError::Service("the speech thread stopped".into()))),
            _ = cancel.changed() => {
                stop.store(true, Ordering::Release);
                done.await.unwrap_or(Ok(Said::Cancelled))
            }
        }
    }
}
