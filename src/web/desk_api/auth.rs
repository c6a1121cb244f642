//! Investigator authentication for the desk API (docs/design.md §5): single-use stateless challenges, signed logins
//! checked against the live team (`intake::team`), and short-lived bearer tokens held in memory only. A
//! token stops working as soon as its investigator's key leaves the team or is retired (the team is
//! re-checked at most once a second; at every login).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap};
use ed25519_dalek::VerifyingKey;
use rand::{rngs::OsRng, RngCore};
use zeroize::Zeroizing;

use super::ApiError;
use crate::crypto::desk_auth::LoginMessage;
use crate::crypto::token::TokenKey;
use crate::crypto::unhex;
use crate::intake::team::Team;
use crate::protocol::wire::{Challenge, InstallationId};

/// How long a challenge may be answered.
pub(crate) const CHALLENGE_TTL_SECS: u64 = 60;
/// How long a login lasts.
pub(crate) const TOKEN_TTL_SECS: u64 = 15 * 60;
/// Bounds on what is kept in memory: beyond them, logins get `busy`. Challenges themselves are
/// stateless (MAC'd), so asking for many costs the server nothing; only successful logins are
/// remembered, to refuse their replay.
const MAX_USED_CHALLENGES: usize = 4096;
const MAX_SESSIONS: usize = 1024;

/// A login as the server checks it.
pub(crate) struct LoginRequest<'a> {
    /// Hex Ed25519 verifying key.
    pub key: &'a str,
    pub nonce: &'a str,
    pub expires: u64,
    pub signature: &'a str,
}

struct Session {
    key: VerifyingKey,
    expires: u64,
}

pub(crate) struct DeskAuth {
    installation: InstallationId,
    /// Who may log in: the team's active investigators.
    team: Arc<Team>,
    tokens: TokenKey,
    /// Issues and checks challenges without keeping them (label `wbs/v1/desk-challenge`).
    challenge_key: TokenKey,
    /// Challenges already used by a successful login, until they expire.
    used: Mutex<HashMap<[u8; 16], u64>>,
    sessions: Mutex<HashMap<[u8; 16], Session>>,
}

impl DeskAuth {
    pub fn new(installation: InstallationId, team: Arc<Team>) -> Self {
        let mut root = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(root.as_mut());
        DeskAuth {
            installation,
            team,
            tokens: TokenKey::new(&root, "wbs/v1/desk-token"),
            challenge_key: TokenKey::new(&root, "wbs/v1/desk-challenge"),
            used: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// A fresh single-use challenge (random, MAC'd, with its expiry inside), with this installation's
    /// id.
    pub(crate) fn challenge(&self, now: u64) -> Challenge {
        let expires = now + CHALLENGE_TTL_SECS;
        Challenge {
            nonce: self.challenge_key.issue(&mut OsRng, expires),
            expires,
            installation: self.installation.clone(),
        }
    }

    /// Checks a signed login; on success returns a bearer token and its expiry. Every refusal is the
    /// same `auth` error. A challenge works for one successful login (failed attempts do not use it up).
    /// `origins`: the addresses investigators may name in their signature — this server's own, from
    /// configuration, never taken from the request (a relay could forge its `Host`).
    pub(crate) fn login(
        &self,
        origins: &[String],
        req: &LoginRequest<'_>,
        now: u64,
    ) -> Result<(String, u64), ApiError> {
        // Ours (MAC), not expired, and the expiry the investigator signed is the one we set.
        let issued = self.challenge_key.verify(req.nonce, now);
        let fresh = issued.is_some()
            && now <= req.expires
            && req.expires <= now + CHALLENGE_TTL_SECS
            && self.challenge_key.verify(req.nonce, req.expires).is_some();
        let key = unhex::<32>(req.key).and_then(|b| VerifyingKey::from_bytes(&b).ok());
        let Some(key) = key else {
            return Err(ApiError::Auth);
        };
        let known = self.team.fresh().active().iter().any(|i| i.signing == key);
        let signed = origins.iter().any(|origin| {
            let message = LoginMessage {
                installation: self.installation.as_str(),
                origin,
                nonce: req.nonce,
                expires: req.expires,
            };
            message.verify(&key, req.signature)
        });
        let Some(challenge) = issued.filter(|_| fresh && known && signed) else {
            return Err(ApiError::Auth);
        };
        {
            let mut used = self.used.lock().map_err(|_| ApiError::Unavailable)?;
            if used.len() >= MAX_USED_CHALLENGES {
                used.retain(|_, e| *e >= now);
                if used.len() >= MAX_USED_CHALLENGES {
                    return Err(ApiError::Busy);
                }
            }
            // A replay of a login that already succeeded.
            if used.insert(challenge, req.expires).is_some() {
                return Err(ApiError::Auth);
            }
        }
        let expires = now + TOKEN_TTL_SECS;
        let token = self.tokens.issue(&mut OsRng, expires);
        let nonce = self
            .tokens
            .verify(&token, now)
            .ok_or(ApiError::Unavailable)?;
        let mut sessions = self.sessions.lock().map_err(|_| ApiError::Unavailable)?;
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, s| s.expires >= now);
            if sessions.len() >= MAX_SESSIONS {
                return Err(ApiError::Busy);
            }
        }
        sessions.insert(nonce, Session { key, expires });
        Ok((token, expires))
    }

    /// Whether the request's bearer token stands for an investigator: its MAC and expiry must hold, the
    /// server must have issued it, and its key must still be an active investigator's.
    pub(crate) fn authorize(&self, headers: &HeaderMap, now: u64) -> Result<(), ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Auth)?;
        self.authorize_token(token.trim(), now)
    }

    pub(crate) fn authorize_token(&self, token: &str, now: u64) -> Result<(), ApiError> {
        let nonce = self.tokens.verify(token, now).ok_or(ApiError::Auth)?;
        let key = {
            let sessions = self.sessions.lock().map_err(|_| ApiError::Unavailable)?;
            match sessions.get(&nonce) {
                Some(s) if s.expires >= now => s.key,
                _ => return Err(ApiError::Auth),
            }
        };
        if !self
            .team
            .current()
            .active()
            .iter()
            .any(|i| i.signing == key)
        {
            if let Ok(mut sessions) = self.sessions.lock() {
                sessions.remove(&nonce);
            }
            return Err(ApiError::Auth);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::InvestigatorIdentity;
    use rand::SeedableRng;

    const ORIGIN: &str = "http://127.0.0.1:8081";

    fn installation() -> InstallationId {
        InstallationId::parse("0123456789abcdef0123456789abcdef").expect("id")
    }

    fn challenge(auth: &DeskAuth, now: u64) -> (String, u64) {
        let c = auth.challenge(now);
        (c.nonce, c.expires)
    }

    fn setup() -> (tempfile::TempDir, DeskAuth, InvestigatorIdentity) {
        let dir = tempfile::tempdir().expect("tmp");
        let id = InvestigatorIdentity::generate(&mut rand::rngs::StdRng::seed_from_u64(3));
        std::fs::write(
            dir.path().join("alice.pub"),
            id.public("alice").to_file_text("today"),
        )
        .expect("key file");
        let (team, _) = Team::open(dir.path().to_path_buf(), None).expect("keys");
        let auth = DeskAuth::new(installation(), Arc::new(team));
        (dir, auth, id)
    }

    fn login(
        auth: &DeskAuth,
        id: &InvestigatorIdentity,
        nonce: &str,
        expires: u64,
        now: u64,
    ) -> Result<(String, u64), ApiError> {
        let key = crate::crypto::hex(id.signing_key().verifying_key().as_bytes());
        let signature = LoginMessage {
            installation: installation().as_str(),
            origin: ORIGIN,
            nonce,
            expires,
        }
        .sign(id.signing_key());
        let req = LoginRequest {
            key: &key,
            nonce,
            expires,
            signature: &signature,
        };
        auth.login(&[ORIGIN.to_owned()], &req, now)
    }

    #[test]
    fn an_expired_challenge_and_an_expired_token_are_refused() {
        let (_dir, auth, id) = setup();
        let (nonce, expires) = challenge(&auth, 1000);
        assert!(matches!(
            login(&auth, &id, &nonce, expires, expires + 1),
            Err(ApiError::Auth)
        ));
        let (nonce, expires) = challenge(&auth, 1000);
        let (token, token_expires) = login(&auth, &id, &nonce, expires, 1001).expect("login");
        assert!(auth.authorize_token(&token, 1002).is_ok());
        assert!(matches!(
            auth.authorize_token(&token, token_expires + 1),
            Err(ApiError::Auth)
        ));
    }

    #[test]
    fn challenges_cost_no_memory_and_work_once() {
        let (_dir, auth, id) = setup();
        for _ in 0..10_000 {
            auth.challenge(10);
        }
        let (nonce, expires) = challenge(&auth, 10);
        assert!(login(&auth, &id, &nonce, expires, 11).is_ok());
        assert!(matches!(
            login(&auth, &id, &nonce, expires, 12),
            Err(ApiError::Auth)
        ));
        // Nor can the expiry be stretched, or a challenge be used after it.
        let (nonce, expires) = challenge(&auth, 20);
        assert!(matches!(
            login(&auth, &id, &nonce, expires + 100, 21),
            Err(ApiError::Auth)
        ));
        assert!(matches!(
            login(&auth, &id, &nonce, expires, expires + 1),
            Err(ApiError::Auth)
        ));
    }
}
