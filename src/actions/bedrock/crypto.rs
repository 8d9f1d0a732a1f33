//! Bedrock's encrypted WebSocket (`com.microsoft.minecraft.wsencrypt`): an ECDH key exchange on
//! P-384 (public keys as base64 SPKI DER), the key SHA-256(salt ‖ shared x), the IV its first 16
//! bytes, then AES-256-CFB8 in each direction as one stream across all frames. Both sides are here:
//! the server's (giftdeck) and the game's (the test fake).

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cfb8::cipher::{IvState as _, KeyIvInit as _};
use p384::ecdh::EphemeralSecret;
use p384::elliptic_curve::Generate as _;
use p384::elliptic_curve::sec1::ToSec1Point as _;
use sha2::{Digest as _, Sha256};

/// The SPKI DER prefix of an uncompressed P-384 public key (id-ecPublicKey, secp384r1, a 98-byte
/// bit string): what the game and its peers put before the 97-byte point.
pub const SPKI_P384_PREFIX: [u8; 23] = [
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
    0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
];

/// The only mode giftdeck asks for (the game also knows `cfb`).
pub const MODE: &str = "cfb8";

/// Bytes of the salt the server sends.
const SALT_BYTES: usize = 16;

/// Why a key exchange failed (the peer's key, as it was sent, is in the error).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the game's encryption key is not base64: {preview:?}")]
    NotBase64 { preview: String },
    #[error("the game's encryption key is not a P-384 public key ({bytes} bytes): {preview:?}")]
    NotAKey { bytes: usize, preview: String },
    #[error("the salt is not 16 bytes of base64: {preview:?}")]
    BadSalt { preview: String },
    #[error("this computer's random number generator failed: {0}")]
    Random(String),
}

fn preview(text: &str) -> String {
    crate::text::one_line(text, 40)
}

/// A new key pair: the secret and its public half as base64 SPKI DER.
fn key_pair() -> Result<(EphemeralSecret, String), CryptoError> {
    let secret = EphemeralSecret::try_generate().map_err(|e| CryptoError::Random(e.to_string()))?;
    let point = secret.public_key().to_sec1_point(false);
    let mut spki = SPKI_P384_PREFIX.to_vec();
    spki.extend_from_slice(point.as_bytes());
    Ok((secret, STANDARD.encode(spki)))
}

/// The peer's public key from base64 SPKI DER (or a bare SEC1 point).
fn peer_key(base64: &str) -> Result<p384::PublicKey, CryptoError> {
    let der = STANDARD
        .decode(base64.trim())
        .map_err(|_| CryptoError::NotBase64 {
            preview: preview(base64),
        })?;
    let point = der.strip_prefix(&SPKI_P384_PREFIX[..]).unwrap_or(&der);
    p384::PublicKey::from_sec1_bytes(point).map_err(|_| CryptoError::NotAKey {
        bytes: der.len(),
        preview: preview(base64),
    })
}

/// The two ciphers from the shared secret's x coordinate and the salt.
fn ciphers(secret: &EphemeralSecret, peer: &p384::PublicKey, salt: &[u8]) -> Cipher {
    let shared = secret.diffie_hellman(peer);
    let mut hash = Sha256::new();
    hash.update(salt);
    hash.update(shared.raw_secret_bytes());
    let key: [u8; 32] = hash.finalize().into();
    Cipher::new(&key)
}

/// The server's half: sends its public key and a salt, then finishes with the game's key.
pub struct ServerExchange {
    secret: EphemeralSecret,
    public_key: String,
    salt: [u8; SALT_BYTES],
}

impl std::fmt::Debug for ServerExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerExchange").finish_non_exhaustive()
    }
}

impl ServerExchange {
    pub fn new() -> Result<Self, CryptoError> {
        let (secret, public_key) = key_pair()?;
        // ThreadRng: a CSPRNG seeded from the OS.
        let salt: [u8; SALT_BYTES] = rand::random();
        Ok(Self {
            secret,
            public_key,
            salt,
        })
    }

    /// Our public key, base64 SPKI DER.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The salt, base64.
    pub fn salt(&self) -> String {
        STANDARD.encode(self.salt)
    }

    /// The ciphers, from the key the game answered with.
    pub fn finish(&self, game_public_key: &str) -> Result<Cipher, CryptoError> {
        Ok(ciphers(
            &self.secret,
            &peer_key(game_public_key)?,
            &self.salt,
        ))
    }
}

/// The game's half (the test fake): answers the server's key and salt with its own key.
pub fn game_answer(server_public_key: &str, salt: &str) -> Result<(String, Cipher), CryptoError> {
    let peer = peer_key(server_public_key)?;
    let salt_bytes = STANDARD
        .decode(salt.trim())
        .ok()
        .filter(|s| s.len() == SALT_BYTES)
        .ok_or_else(|| CryptoError::BadSalt {
            preview: preview(salt),
        })?;
    let (secret, public_key) = key_pair()?;
    Ok((public_key, ciphers(&secret, &peer, &salt_bytes)))
}

/// AES-256-CFB8 both ways, each a stream across frames (the same key and IV start both).
pub struct Cipher {
    key: [u8; 32],
    encrypt: cfb8::Encryptor<Aes256>,
    decrypt: cfb8::Decryptor<Aes256>,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cipher").finish_non_exhaustive()
    }
}

impl Cipher {
    /// Both directions from a 32-byte key; the IV is its first 16 bytes.
    pub fn new(key: &[u8; 32]) -> Self {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&key[..16]);
        Self {
            key: *key,
            encrypt: cfb8::Encryptor::new(key.into(), &iv.into()),
            decrypt: cfb8::Decryptor::new(key.into(), &iv.into()),
        }
    }

    /// Encrypts one outgoing frame in place (the stream goes on from the last one).
    pub fn encrypt(&mut self, data: &mut [u8]) {
        self.encrypt.encrypt(data);
    }

    /// The byte the next outgoing byte is XORed with (CFB8: it depends only on what was sent).
    pub fn next_keystream_byte(&self) -> u8 {
        let mut probe = cfb8::Encryptor::<Aes256>::new(&self.key.into(), &self.encrypt.iv_state());
        let mut byte = [0u8];
        probe.encrypt(&mut byte);
        byte[0]
    }

    /// Decrypts one incoming frame in place.
    pub fn decrypt(&mut self, data: &mut [u8]) {
        self.decrypt.decrypt(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cfb8_matches_a_known_answer_and_streams_across_frames() {
        // `openssl enc -aes-256-cfb8 -K 00..1f -iv 00..0f` of "hello bedrock".
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        let mut one = Cipher::new(&key);
        let mut whole = b"hello bedrock".to_vec();
        one.encrypt(&mut whole);
        assert_eq!(hex(&whole), KNOWN_ANSWER);
        // The same bytes in two frames give the same stream.
        let mut two = Cipher::new(&key);
        let (mut a, mut b) = (b"hello ".to_vec(), b"bedrock".to_vec());
        two.encrypt(&mut a);
        two.encrypt(&mut b);
        assert_eq!([a, b].concat(), whole);
        let mut peek = Cipher::new(&key);
        let next = peek.next_keystream_byte();
        let mut one = [b'h'];
        peek.encrypt(&mut one);
        assert_eq!(one[0], b'h' ^ next, "the peek is the keystream");
        let mut back = Cipher::new(&key);
        back.decrypt(&mut whole);
        assert_eq!(whole, b"hello bedrock");
    }

    const KNOWN_ANSWER: &str = "3206c5baf3bcc155c65dcc4e40";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn server_and_game_agree_on_the_key() {
        let server = ServerExchange::new().unwrap();
        let (game_key, mut game) = game_answer(server.public_key(), &server.salt()).unwrap();
        let mut ours = server.finish(&game_key).unwrap();
        let mut frame = br#"{"header":{}}"#.to_vec();
        game.encrypt(&mut frame);
        assert_ne!(frame, br#"{"header":{}}"#);
        ours.decrypt(&mut frame);
        assert_eq!(frame, br#"{"header":{}}"#);
        let mut reply = b"ok".to_vec();
        ours.encrypt(&mut reply);
        game.decrypt(&mut reply);
        assert_eq!(reply, b"ok");
        assert!(
            STANDARD
                .decode(server.public_key())
                .unwrap()
                .starts_with(&SPKI_P384_PREFIX)
        );
    }

    #[test]
    fn bad_keys_are_typed_errors_never_panics() {
        let server = ServerExchange::new().unwrap();
        assert!(matches!(
            server.finish("not base64!"),
            Err(CryptoError::NotBase64 { .. })
        ));
        assert!(matches!(
            server.finish(&STANDARD.encode([4u8; 97])),
            Err(CryptoError::NotAKey { bytes: 97, .. })
        ));
        assert!(matches!(
            game_answer(server.public_key(), "AAAA"),
            Err(CryptoError::BadSalt { .. })
        ));
    }
}
