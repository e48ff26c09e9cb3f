//! Circuit breakers: realised slippage per trading day, acknowledgement latency, reject streak,
//! feed staleness in session, naked exposure held too long. Fed by the executor (fills, acks,
//! rejects) and the book table (quote times); polled on the trigger thread.
//!
//! A breaker trips once and **stays tripped until the operator calls [`Breakers::reset`]**. A new
//! trading day ([`Breakers::on_trading_day`]) zeroes the daily slippage sum and the reject streak
//! but clears no trip: a trip means something needs a human look before entries resume.
//! Each new trip is returned once as a [`Trip`] for the `Breaker` receipt.

use crate::config::Risk;
use crate::domain::{TsNs, NS_PER_MS};

/// Circuit breakers. Values are the `code` of `Breaker` receipts: never reuse one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Breaker {
    /// Realised slippage of the trading day above `slippage_ticks_max`.
    Slippage = 1,
    /// An acknowledgement slower than `ack_latency_ms_max`.
    AckLatency = 2,
    /// `reject_streak_max` rejects in a row.
    RejectStreak = 3,
    /// A leg without a quote for `feed_stale_ms_max` while in session.
    FeedStale = 4,
    /// Naked exposure standing longer than `naked_exposure_ms_max`.
    NakedTooLong = 5,
}

/// A breaker that just tripped: `Breaker` receipt `code`, `a` = measured, `b` = limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trip {
    /// Which breaker.
    pub breaker: Breaker,
    /// Value measured.
    pub measured: i64,
    /// Limit exceeded.
    pub limit: i64,
}

/// Breaker limits and state. Leg index 0 = domestic, 1 = overseas.
#[derive(Clone, Debug)]
pub struct Breakers {
    slippage_max: i64,
    ack_ns_max: i64,
    reject_streak_max: u32,
    feed_stale_ns_max: i64,
    naked_ns_max: i64,
    slippage_ticks: i64,
    reject_streak: u32,
    last_quote: [TsNs; 2],
    tripped_mask: u8,
    first: Option<Trip>,
}

impl Breakers {
    /// Limits from `[risk]`; nothing tripped.
    pub fn new(risk: &Risk) -> Breakers {
        Breakers {
            slippage_max: risk.slippage_ticks_max,
            ack_ns_max: risk.ack_latency_ms_max.saturating_mul(NS_PER_MS),
            reject_streak_max: risk.reject_streak_max,
            feed_stale_ns_max: risk.feed_stale_ms_max.saturating_mul(NS_PER_MS),
            naked_ns_max: risk.naked_exposure_ms_max.saturating_mul(NS_PER_MS),
            slippage_ticks: 0,
            reject_streak: 0,
            last_quote: [TsNs::ZERO; 2],
            tripped_mask: 0,
            first: None,
        }
    }

    /// Realised slippage of a fill (positive = worse); a fill also ends a reject streak.
    pub fn on_fill_slippage(&mut self, ticks: i64) -> Option<Trip> {
        self.reject_streak = 0;
        self.slippage_ticks += ticks;
        let (v, max) = (self.slippage_ticks, self.slippage_max);
        (v > max).then(|| self.trip(Breaker::Slippage, v, max))?
    }

    /// An order was rejected.
    pub fn on_reject(&mut self) -> Option<Trip> {
        self.reject_streak += 1;
        let (v, max) = (self.reject_streak, self.reject_streak_max);
        (v >= max).then(|| self.trip(Breaker::RejectStreak, v.into(), max.into()))?
    }

    /// An acknowledgement after `latency_ns` (ends a reject streak).
    pub fn on_ack_latency(&mut self, latency_ns: i64) -> Option<Trip> {
        self.reject_streak = 0;
        let max = self.ack_ns_max;
        (latency_ns > max).then(|| self.trip(Breaker::AckLatency, latency_ns, max))?
    }

    /// A quote of leg `i` arrived at `ts_recv`.
    #[inline]
    pub fn on_quote_time(&mut self, i: usize, ts_recv: TsNs) {
        self.last_quote[i] = self.last_quote[i].max(ts_recv);
    }

    /// Timer checks: feed staleness per leg in session and naked exposure standing since
    /// `naked_since`. `open_since[i]` is `Some(opening time)` of the session leg `i` is in now,
    /// `None` when it is closed: silence is measured from the later of the last quote and that
    /// opening, so a close between two polls never counts as silence. Returns the first new trip.
    pub fn poll(
        &mut self,
        now: TsNs,
        open_since: [Option<TsNs>; 2],
        naked_since: Option<TsNs>,
    ) -> Option<Trip> {
        let mut out = None;
        for (i, since) in open_since.into_iter().enumerate() {
            // A leg never heard from starts its silence clock at the first poll (engine start),
            // not at the epoch: a replay or a restart mid-session is not hours of silence.
            if self.last_quote[i] == TsNs::ZERO {
                self.last_quote[i] = now;
            }
            let Some(opened) = since else { continue };
            let age = now.since(self.last_quote[i].max(opened));
            if age > self.feed_stale_ns_max {
                out = out.or(self.trip(Breaker::FeedStale, age, self.feed_stale_ns_max));
            }
        }
        if let Some(since) = naked_since {
            let age = now.since(since);
            if age > self.naked_ns_max {
                out = out.or(self.trip(Breaker::NakedTooLong, age, self.naked_ns_max));
            }
        }
        out
    }

    /// Trips `b` unless already tripped; returns the trip when new.
    fn trip(&mut self, b: Breaker, measured: i64, limit: i64) -> Option<Trip> {
        let bit = 1u8 << (b as u16);
        if self.tripped_mask & bit != 0 {
            return None;
        }
        self.tripped_mask |= bit;
        let t = Trip {
            breaker: b,
            measured,
            limit,
        };
        self.first.get_or_insert(t);
        Some(t)
    }

    /// The first trip since the last reset.
    #[inline]
    pub fn first(&self) -> Option<Trip> {
        self.first
    }

    /// Operator reset of every breaker.
    pub fn reset(&mut self) {
        self.tripped_mask = 0;
        self.first = None;
    }

    /// A new trading day: zero the daily slippage sum and the reject streak (trips stay).
    pub fn on_trading_day(&mut self) {
        self.slippage_ticks = 0;
        self.reject_streak = 0;
    }

    /// Daily realised slippage so far, ticks.
    pub fn slippage_ticks(&self) -> i64 {
        self.slippage_ticks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BaseQty;

    fn risk() -> Risk {
        Risk {
            position_max: BaseQty(1),
            naked_exposure_max: BaseQty(1),
            naked_exposure_ms_max: 2_000,
            orders_per_sec_max: 10,
            ticket_notional_max: 1.0,
            slippage_ticks_max: 20,
            ack_latency_ms_max: 50,
            reject_streak_max: 3,
            feed_stale_ms_max: 5_000,
            kill_switch_file: None,
            report_currency: "CNY".into(),
        }
    }

    #[test]
    fn slippage_trips_once_past_the_daily_budget_and_stays_tripped_over_a_new_day() {
        let mut b = Breakers::new(&risk());
        assert_eq!(b.on_fill_slippage(20), None);
        let t = b.on_fill_slippage(1).unwrap();
        assert_eq!(
            (t.breaker, t.measured, t.limit),
            (Breaker::Slippage, 21, 20)
        );
        assert_eq!(b.on_fill_slippage(5), None, "reported once");
        b.on_trading_day();
        assert_eq!(b.slippage_ticks(), 0);
        assert_eq!(b.first().map(|t| t.breaker), Some(Breaker::Slippage));
        b.reset();
        assert_eq!(b.first(), None);
    }

    #[test]
    fn an_acknowledgement_ends_a_reject_streak() {
        let mut b = Breakers::new(&risk());
        assert_eq!(b.on_reject(), None);
        assert_eq!(b.on_reject(), None);
        assert_eq!(b.on_ack_latency(NS_PER_MS), None);
        assert_eq!(b.on_reject(), None);
        assert_eq!(b.on_reject(), None);
        let t = b.on_reject().unwrap();
        assert_eq!(
            (t.breaker, t.measured, t.limit),
            (Breaker::RejectStreak, 3, 3)
        );
    }

    #[test]
    fn a_slow_acknowledgement_trips_at_the_first_nanosecond_over() {
        let mut b = Breakers::new(&risk());
        assert_eq!(b.on_ack_latency(50 * NS_PER_MS), None);
        assert_eq!(
            b.on_ack_latency(50 * NS_PER_MS + 1).map(|t| t.breaker),
            Some(Breaker::AckLatency)
        );
    }

    #[test]
    fn feed_staleness_counts_only_in_session_and_from_the_opening() {
        let mut b = Breakers::new(&risk());
        let t0 = TsNs(1_000 * NS_PER_MS);
        // Closed for hours: no trip. Opens at t0: the clock starts there, not at the last quote.
        let open = [Some(t0), Some(t0)];
        assert_eq!(b.poll(t0, [None, None], None), None);
        assert_eq!(b.poll(t0, open, None), None);
        b.on_quote_time(0, t0.plus_ms(4_000));
        assert_eq!(b.poll(t0.plus_ms(5_000), open, None), None);
        let t = b.poll(t0.plus_ms(5_001), open, None).unwrap();
        assert_eq!(
            (t.breaker, t.measured),
            (Breaker::FeedStale, 5_001 * NS_PER_MS)
        );
    }

    #[test]
    fn a_close_between_two_polls_is_not_silence() {
        // Regression: polls only while open, on quotes; the venue closed and reopened between
        // two polls (overnight). Silence counts from the reopening, not from yesterday's quote.
        let mut b = Breakers::new(&risk());
        let day1 = TsNs(1_000 * NS_PER_MS);
        b.on_quote_time(1, day1);
        assert_eq!(b.poll(day1, [None, Some(day1)], None), None);
        let day2 = day1.plus_ms(6 * 3_600_000);
        assert_eq!(b.poll(day2.plus_ms(1), [None, Some(day2)], None), None);
    }

    #[test]
    fn a_leg_never_quoted_counts_silence_from_the_first_poll() {
        // Regression: a replay starting mid-session tripped FeedStale on its first quote
        // because the other leg's last quote was the epoch.
        let mut b = Breakers::new(&risk());
        let t0 = TsNs(10_000_000 * NS_PER_MS);
        let open = [Some(TsNs(NS_PER_MS)), Some(TsNs(NS_PER_MS))];
        b.on_quote_time(0, t0);
        assert_eq!(b.poll(t0, open, None), None);
        assert_eq!(
            b.poll(t0.plus_ms(5_000), open, None).map(|t| t.breaker),
            None
        );
        let t = b
            .poll(t0.plus_ms(5_001), open, None)
            .expect("overseas silent since t0");
        assert_eq!(t.measured, 5_001 * NS_PER_MS);
    }

    #[test]
    fn naked_exposure_standing_too_long_trips() {
        let mut b = Breakers::new(&risk());
        let since = Some(TsNs(0));
        assert_eq!(b.poll(TsNs(2_000 * NS_PER_MS), [None; 2], since), None);
        let t = b
            .poll(TsNs(2_000 * NS_PER_MS + 1), [None; 2], since)
            .unwrap();
        assert_eq!(t.breaker, Breaker::NakedTooLong);
    }
}
