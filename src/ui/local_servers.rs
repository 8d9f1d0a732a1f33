//! What Settings shows about the local servers other programs connect to (pure): the TikFinity
//! events API and the external trigger endpoint, each "listening on 127.0.0.1:PORT, N clients"
//! or why it cannot listen, and the documented `curl` line with the real port (its token masked
//! on screen, in full when copied).

/// One server's state as the panels draw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerLine {
    /// The port it listens on (`None`: off, or it could not start).
    pub listening: Option<u16>,
    /// Clients connected now (the TikFinity events API; the trigger endpoint has none).
    pub clients: usize,
    /// Why it cannot listen, in plain words that say the fix.
    pub error: Option<String>,
}

/// What the Settings panel shows for both servers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalServersView {
    pub tikfinity: ServerLine,
    pub external: ServerLine,
    /// Accepted external calls since the app started.
    pub external_calls: u64,
}

/// The state in a few words; `Err` when it is a problem.
pub fn status_words(line: &ServerLine, with_clients: bool) -> Result<String, String> {
    if let Some(error) = &line.error {
        return Err(error.clone());
    }
    match line.listening {
        None => Ok(crate::i18n::tr("state-off").to_owned()),
        Some(port) if with_clients => Ok(crate::trf!(
            "local-listening-clients",
            port = port.to_string(),
            clients = line.clients
        )),
        Some(port) => Ok(crate::trf!("local-listening", port = port.to_string())),
    }
}

/// The app's words for a TikFinity events API that cannot start (the CLI's name its flags).
pub fn tikfinity_error(err: &crate::tikfinity::TikfinityError) -> String {
    match err {
        crate::tikfinity::TikfinityError::PortInUse { port } => format!(
            "Port {port} on 127.0.0.1 is already in use (TikFinity itself, or another giftdeck). \
             Close that program, or pick another port here (tools written for TikFinity expect \
             21213)."
        ),
        other => other.to_string(),
    }
}

/// The curl line of docs/overlays.md that fires `trigger` for a viewer, with the real port and
/// `token` (what the Copy button copies).
pub fn curl_line(port: u16, token: &str, trigger: &str) -> String {
    // A plain string always serializes.
    let name = serde_json::to_string(trigger).unwrap_or_default();
    let body = format!(r#"{{"trigger":{name},"viewer":"Alice","count":1}}"#);
    format!(
        "curl -X POST http://127.0.0.1:{port}/trigger -H \"Authorization: Bearer {token}\" \
         -H \"Content-Type: application/json\" -d '{}'",
        body.replace('\'', "'\\''")
    )
}

/// The token as shown on screen: its first four characters, the rest hidden.
pub fn masked_token(token: &str) -> String {
    let shown: String = token.chars().take(4).collect();
    if shown.is_empty() {
        String::new()
    } else {
        format!("{shown}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        let off = ServerLine::default();
        assert_eq!(status_words(&off, true), Ok("off".into()));
        let on = ServerLine {
            listening: Some(21_213),
            clients: 1,
            error: None,
        };
        assert_eq!(
            status_words(&on, true),
            Ok("listening on 127.0.0.1:21213, 1 client".into())
        );
        let two = ServerLine { clients: 2, ..on };
        assert_eq!(
            status_words(&two, true),
            Ok("listening on 127.0.0.1:21213, 2 clients".into())
        );
        assert_eq!(
            status_words(&two, false),
            Ok("listening on 127.0.0.1:21213".into())
        );
        let busy = ServerLine {
            error: Some("busy".into()),
            ..ServerLine::default()
        };
        assert_eq!(status_words(&busy, true), Err("busy".into()));
        let words = tikfinity_error(&crate::tikfinity::TikfinityError::PortInUse { port: 21_213 });
        assert!(words.contains("21213") && words.contains("pick another port"));
        assert!(!words.contains("--tikfinity-port"), "{words}");
    }

    #[test]
    fn the_curl_line_has_the_port_and_token_and_the_screen_only_a_hint_of_it() {
        let line = curl_line(23_871, "SeCrEt-token", "Boss's fight");
        assert_eq!(
            line,
            "curl -X POST http://127.0.0.1:23871/trigger -H \"Authorization: Bearer SeCrEt-token\" \
             -H \"Content-Type: application/json\" -d '{\"trigger\":\"Boss'\\''s fight\",\"viewer\":\"Alice\",\"count\":1}'"
        );
        assert_eq!(masked_token("SeCrEt-token"), "SeCr…");
        assert_eq!(masked_token(""), "");
    }
}
