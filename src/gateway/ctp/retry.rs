//! Login retries after the counter refused `ReqAuthenticate` or `ReqUserLogin` (pure; the
//! session thread asks it what to do, cold path). A refusal is one of three kinds, by CTP
//! ErrorID (`error.xml` of the 6.7.11 SDK):
//!
//! * **transient** — the counter is not ready yet or a session slot is still held: 1 not in
//!   synced state, 7 not initialised (typical before the session opens), 8 front not active,
//!   60 too many sessions for the user, 64 client not authenticated (the sequence restarts with
//!   `ReqAuthenticate`). Retried with exponential back-off, [`RETRY_FIRST_MS`] doubling up to
//!   [`RETRY_MAX_MS`], without limit.
//! * **final** — credentials or registration are wrong, or the account is locked: 3 invalid
//!   login, 4 user not active, 63 authentication failed, 75 login forbidden after failures,
//!   131/140/141 password must be changed, 143/144 IP banned, 145 no authentication right.
//!   Never retried: every retry with a wrong password counts toward the counter's lock-out (75).
//!   A human fixes the config and restarts; a reconnect of the front does not retry either.
//! * **unknown** — any other id: retried like a transient one, at most
//!   [`UNKNOWN_ATTEMPTS_MAX`] times in a row, then final.
//!
//! A successful login resets everything; a front disconnect cancels a pending retry (the
//! reconnect restarts the sequence by itself) but keeps the count.

use crate::domain::{TsNs, NS_PER_MS};

/// First back-off after a refusal.
pub const RETRY_FIRST_MS: i64 = 1_000;
/// Longest back-off.
pub const RETRY_MAX_MS: i64 = 60_000;
/// Retries of refusals with an unknown ErrorID before giving up.
pub const UNKNOWN_ATTEMPTS_MAX: u32 = 5;

/// What kind of refusal an ErrorID is (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// Retry without limit.
    Transient,
    /// Retry a few times.
    Unknown,
    /// Never retry.
    Final,
}

/// Classifies a login-step ErrorID.
pub const fn classify(error_id: i32) -> RefusalKind {
    match error_id {
        1 | 7 | 8 | 60 | 64 => RefusalKind::Transient,
        3 | 4 | 63 | 75 | 131 | 140 | 141 | 143 | 144 | 145 => RefusalKind::Final,
        _ => RefusalKind::Unknown,
    }
}

/// The decision after a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginRetry {
    /// Restart the login sequence (`ReqAuthenticate`) at this time.
    At(TsNs),
    /// Stop: a human must act.
    GiveUp,
}

/// Back-off state of the login sequence (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginBackoff {
    failures: u32,
    unknown: u32,
    due: Option<TsNs>,
    gave_up: bool,
}

impl Default for LoginBackoff {
    fn default() -> Self {
        LoginBackoff::new()
    }
}

impl LoginBackoff {
    /// No refusal seen.
    pub const fn new() -> LoginBackoff {
        LoginBackoff {
            failures: 0,
            unknown: 0,
            due: None,
            gave_up: false,
        }
    }

    /// The counter refused a login step with `error_id` at `now`.
    pub fn on_refused(&mut self, error_id: i32, now: TsNs) -> LoginRetry {
        let kind = classify(error_id);
        if kind == RefusalKind::Unknown {
            self.unknown += 1;
        }
        if self.gave_up
            || kind == RefusalKind::Final
            || (kind == RefusalKind::Unknown && self.unknown > UNKNOWN_ATTEMPTS_MAX)
        {
            self.gave_up = true;
            self.due = None;
            return LoginRetry::GiveUp;
        }
        let delay_ms = RETRY_FIRST_MS
            .saturating_mul(1i64 << self.failures.min(20))
            .min(RETRY_MAX_MS);
        self.failures += 1;
        let at = now.plus_ns(delay_ms * NS_PER_MS);
        self.due = Some(at);
        LoginRetry::At(at)
    }

    /// True once when a pending retry is due at `now` (it is then consumed).
    pub fn take_due(&mut self, now: TsNs) -> bool {
        match self.due {
            Some(at) if now >= at => {
                self.due = None;
                true
            }
            _ => false,
        }
    }

    /// When the pending retry is due, if one is.
    pub fn due(&self) -> Option<TsNs> {
        self.due
    }

    /// True after a final refusal: nothing retries until a restart.
    pub fn gave_up(&self) -> bool {
        self.gave_up
    }

    /// The login sequence completed: forget past refusals.
    pub fn on_logged_in(&mut self) {
        *self = LoginBackoff::new();
    }

    /// The front disconnected: a pending retry is dropped (the reconnect restarts the login).
    pub fn on_disconnected(&mut self) {
        self.due = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::NS_PER_SEC;

    const T0: TsNs = TsNs(1_700_000_000 * NS_PER_SEC);

    fn at_s(s: i64) -> TsNs {
        T0.plus_ns(s * NS_PER_SEC)
    }

    #[test]
    fn error_ids_are_classified_as_the_sdk_documents_them() {
        assert_eq!(classify(7), RefusalKind::Transient, "not initialised yet");
        assert_eq!(classify(8), RefusalKind::Transient, "front not active");
        assert_eq!(classify(60), RefusalKind::Transient, "session slot held");
        assert_eq!(classify(3), RefusalKind::Final, "wrong password");
        assert_eq!(classify(63), RefusalKind::Final, "app id / auth code");
        assert_eq!(classify(75), RefusalKind::Final, "locked out");
        assert_eq!(
            classify(140),
            RefusalKind::Final,
            "first login must change password"
        );
        assert_eq!(classify(9999), RefusalKind::Unknown);
    }

    #[test]
    fn transient_refusals_back_off_doubling_up_to_the_cap_without_limit() {
        let mut b = LoginBackoff::new();
        let mut delays = Vec::new();
        for _ in 0..10 {
            match b.on_refused(7, T0) {
                LoginRetry::At(t) => delays.push((t.0 - T0.0) / (NS_PER_MS)),
                LoginRetry::GiveUp => panic!("transient refusals are retried"),
            }
        }
        assert_eq!(
            delays,
            [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]
        );
    }

    #[test]
    fn a_retry_is_due_once_and_not_before_its_time() {
        let mut b = LoginBackoff::new();
        assert!(!b.take_due(at_s(100)), "nothing pending");
        assert_eq!(b.on_refused(8, T0), LoginRetry::At(at_s(1)));
        assert_eq!(b.due(), Some(at_s(1)));
        assert!(!b.take_due(T0.plus_ns(999 * NS_PER_MS)));
        assert!(b.take_due(at_s(1)));
        assert!(!b.take_due(at_s(2)), "consumed");
    }

    #[test]
    fn a_final_refusal_gives_up_and_stays_given_up() {
        let mut b = LoginBackoff::new();
        assert!(matches!(b.on_refused(7, T0), LoginRetry::At(_)));
        assert_eq!(b.on_refused(3, at_s(1)), LoginRetry::GiveUp);
        assert!(b.gave_up());
        assert_eq!(b.due(), None, "the pending retry is dropped");
        assert_eq!(
            b.on_refused(7, at_s(2)),
            LoginRetry::GiveUp,
            "nothing retries after a final refusal"
        );
        b.on_disconnected();
        assert!(b.gave_up(), "a reconnect does not clear it");
    }

    #[test]
    fn unknown_refusals_are_retried_a_bounded_number_of_times() {
        let mut b = LoginBackoff::new();
        for k in 0..UNKNOWN_ATTEMPTS_MAX {
            assert!(
                matches!(b.on_refused(4242, at_s(i64::from(k))), LoginRetry::At(_)),
                "attempt {k}"
            );
        }
        assert_eq!(b.on_refused(4242, at_s(99)), LoginRetry::GiveUp);
    }

    #[test]
    fn a_successful_login_resets_the_back_off() {
        let mut b = LoginBackoff::new();
        for _ in 0..4 {
            b.on_refused(4242, T0);
        }
        b.on_logged_in();
        assert_eq!(b, LoginBackoff::new());
        assert_eq!(
            b.on_refused(7, T0),
            LoginRetry::At(at_s(1)),
            "first delay again"
        );
    }

    #[test]
    fn a_disconnect_drops_the_pending_retry_but_keeps_the_count() {
        let mut b = LoginBackoff::new();
        b.on_refused(7, T0);
        b.on_disconnected();
        assert_eq!(b.due(), None);
        assert!(!b.take_due(at_s(100)));
        assert_eq!(
            b.on_refused(7, at_s(10)),
            LoginRetry::At(at_s(12)),
            "second refusal: 2 s"
        );
    }
}
