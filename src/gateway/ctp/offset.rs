//! Open/close choice for a CTP order (CombOffsetFlag) from the position we hold.
//!
//! CTP orders say whether they open or close. SHFE and INE also want to know *which* position a
//! close eats: one opened today needs `CloseToday`, an older one `CloseYesterday` (other
//! exchanges take a plain `Close` and pick themselves). [`PositionBook`] tracks, per instrument,
//! long/short × today/yesterday lots plus the lots reserved by close orders in flight, so that two
//! closes sent back to back never claim the same lots. Pure: the session thread owns one and
//! feeds it positions (query at login), fills and order ends.

use crate::domain::{InstrumentId, Side, INSTRUMENTS_MAX};

/// CTP offset flag (`THOST_FTDC_OF_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Offset {
    /// `'0'` open.
    Open = b'0',
    /// `'1'` close (exchange chooses which lots).
    Close = b'1',
    /// `'3'` close today's lots (SHFE/INE).
    CloseToday = b'3',
    /// `'4'` close older lots (SHFE/INE).
    CloseYesterday = b'4',
}

/// Which rule an exchange follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseRule {
    /// SHFE, INE: today / yesterday must be named.
    TodayYesterday,
    /// CFFEX, DCE, CZCE, GFEX: plain close.
    Plain,
}

impl CloseRule {
    /// The rule of a CTP exchange id (`"SHFE"`, `"INE"`, ...).
    pub fn of_exchange(exchange: &str) -> CloseRule {
        match exchange {
            "SHFE" | "INE" => CloseRule::TodayYesterday,
            _ => CloseRule::Plain,
        }
    }
}

/// Lots held on one side of one instrument, split by when they were opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lots {
    /// Opened in today's trading day.
    pub today: i64,
    /// Opened before today.
    pub yesterday: i64,
    /// Of `today`, lots claimed by close orders in flight.
    pub today_reserved: i64,
    /// Of `yesterday`, lots claimed by close orders in flight.
    pub yesterday_reserved: i64,
}

impl Lots {
    fn free_today(&self) -> i64 {
        self.today - self.today_reserved
    }
    fn free_yesterday(&self) -> i64 {
        self.yesterday - self.yesterday_reserved
    }
}

/// Pure choice of the offset for `qty` lots on `side` against `held`, the position on the
/// *opposite* side (a buy closes shorts, a sell closes longs). One CTP order carries one flag,
/// so a close must fit wholly in one bucket; otherwise the order opens (a locked position is
/// safe, a refused close is not). Yesterday's lots go first: the usual cheaper fee, and FIFO.
pub fn choose_offset(rule: CloseRule, qty: i64, held: &Lots) -> Offset {
    match rule {
        CloseRule::TodayYesterday if held.free_yesterday() >= qty => Offset::CloseYesterday,
        CloseRule::TodayYesterday if held.free_today() >= qty => Offset::CloseToday,
        CloseRule::Plain if held.free_today() + held.free_yesterday() >= qty => Offset::Close,
        _ => Offset::Open,
    }
}

/// Positions of every instrument, long and short.
#[derive(Clone, Debug)]
pub struct PositionBook {
    long: [Lots; INSTRUMENTS_MAX],
    short: [Lots; INSTRUMENTS_MAX],
}

impl Default for PositionBook {
    fn default() -> Self {
        PositionBook {
            long: [Lots::default(); INSTRUMENTS_MAX],
            short: [Lots::default(); INSTRUMENTS_MAX],
        }
    }
}

impl PositionBook {
    /// The lots held on `side` (long for `Buy`).
    pub fn lots(&self, ins: InstrumentId, side: Side) -> &Lots {
        match side {
            Side::Buy => &self.long[ins.idx()],
            Side::Sell => &self.short[ins.idx()],
        }
    }

    fn lots_mut(&mut self, ins: InstrumentId, side: Side) -> &mut Lots {
        match side {
            Side::Buy => &mut self.long[ins.idx()],
            Side::Sell => &mut self.short[ins.idx()],
        }
    }

    /// Replaces the held lots from a position query (reservations of orders in flight stay).
    pub fn set_held(&mut self, ins: InstrumentId, side: Side, today: i64, yesterday: i64) {
        let l = self.lots_mut(ins, side);
        (l.today, l.yesterday) = (today.max(0), yesterday.max(0));
    }

    /// Clears every held lot before a fresh position query is applied.
    pub fn clear_held(&mut self) {
        for l in self.long.iter_mut().chain(self.short.iter_mut()) {
            (l.today, l.yesterday) = (0, 0);
        }
    }

    /// Chooses the offset for a new order and reserves the lots a close claims.
    pub fn open_or_close(
        &mut self,
        rule: CloseRule,
        ins: InstrumentId,
        side: Side,
        qty: i64,
    ) -> Offset {
        let held = self.lots_mut(ins, side.opposite());
        let offset = choose_offset(rule, qty, held);
        match offset {
            Offset::CloseToday => held.today_reserved += qty,
            Offset::CloseYesterday => held.yesterday_reserved += qty,
            // A plain close: the exchange eats yesterday's first, then today's.
            Offset::Close => {
                let y = held.free_yesterday().min(qty);
                held.yesterday_reserved += y;
                held.today_reserved += qty - y;
            }
            Offset::Open => {}
        }
        offset
    }

    /// A fill of `qty` lots of an order sent with `offset`.
    pub fn on_fill(&mut self, ins: InstrumentId, side: Side, offset: Offset, qty: i64) {
        if offset == Offset::Open {
            self.lots_mut(ins, side).today += qty;
            return;
        }
        let held = self.lots_mut(ins, side.opposite());
        let (y, t) = match offset {
            Offset::CloseYesterday => (qty, 0),
            Offset::CloseToday => (0, qty),
            _ => {
                let y = held.yesterday_reserved.min(qty);
                (y, qty - y)
            }
        };
        held.yesterday -= y;
        held.yesterday_reserved -= y;
        held.today -= t;
        held.today_reserved -= t;
        assert!(
            held.yesterday >= 0
                && held.today >= 0
                && held.yesterday_reserved >= 0
                && held.today_reserved >= 0,
            "Invariant: a close fill never takes more lots than it reserved ({held:?})"
        );
    }

    /// An order ended with `leaves` lots unfilled: its reservation is released.
    pub fn on_end(&mut self, ins: InstrumentId, side: Side, offset: Offset, leaves: i64) {
        if offset == Offset::Open || leaves <= 0 {
            return;
        }
        let held = self.lots_mut(ins, side.opposite());
        match offset {
            Offset::CloseYesterday => held.yesterday_reserved -= leaves,
            Offset::CloseToday => held.today_reserved -= leaves,
            _ => {
                let t = held.today_reserved.min(leaves);
                held.today_reserved -= t;
                held.yesterday_reserved -= leaves - t;
            }
        }
        held.today_reserved = held.today_reserved.max(0);
        held.yesterday_reserved = held.yesterday_reserved.max(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHFE: CloseRule = CloseRule::TodayYesterday;
    const RB: InstrumentId = InstrumentId(0);

    fn lots(today: i64, yesterday: i64) -> Lots {
        Lots {
            today,
            yesterday,
            ..Lots::default()
        }
    }

    #[test]
    fn shfe_closes_yesterday_lots_with_close_yesterday() {
        assert_eq!(choose_offset(SHFE, 2, &lots(0, 5)), Offset::CloseYesterday);
    }

    #[test]
    fn shfe_closes_todays_lots_with_close_today() {
        assert_eq!(choose_offset(SHFE, 2, &lots(3, 0)), Offset::CloseToday);
        assert_eq!(choose_offset(SHFE, 2, &lots(3, 1)), Offset::CloseToday);
    }

    #[test]
    fn a_close_that_fits_no_single_bucket_opens_instead() {
        assert_eq!(choose_offset(SHFE, 4, &lots(3, 2)), Offset::Open);
        assert_eq!(choose_offset(SHFE, 1, &lots(0, 0)), Offset::Open);
        assert_eq!(
            choose_offset(CloseRule::Plain, 6, &lots(3, 2)),
            Offset::Open
        );
    }

    #[test]
    fn other_exchanges_take_a_plain_close_across_buckets() {
        assert_eq!(
            choose_offset(CloseRule::Plain, 5, &lots(3, 2)),
            Offset::Close
        );
        assert_eq!(CloseRule::of_exchange("DCE"), CloseRule::Plain);
        assert_eq!(CloseRule::of_exchange("INE"), SHFE);
    }

    #[test]
    fn two_closes_in_flight_do_not_claim_the_same_lots() {
        let mut b = PositionBook::default();
        b.set_held(RB, Side::Buy, 2, 2);
        assert_eq!(
            b.open_or_close(SHFE, RB, Side::Sell, 2),
            Offset::CloseYesterday
        );
        assert_eq!(b.open_or_close(SHFE, RB, Side::Sell, 2), Offset::CloseToday);
        assert_eq!(b.open_or_close(SHFE, RB, Side::Sell, 1), Offset::Open);
    }

    #[test]
    fn fills_move_lots_and_ends_release_reservations() {
        let mut b = PositionBook::default();
        b.on_fill(RB, Side::Buy, Offset::Open, 3);
        assert_eq!(*b.lots(RB, Side::Buy), lots(3, 0));
        let off = b.open_or_close(SHFE, RB, Side::Sell, 3);
        assert_eq!(off, Offset::CloseToday);
        b.on_fill(RB, Side::Sell, off, 1);
        b.on_end(RB, Side::Sell, off, 2);
        assert_eq!(*b.lots(RB, Side::Buy), lots(2, 0));
        // The released lots can be closed again.
        assert_eq!(b.open_or_close(SHFE, RB, Side::Sell, 2), Offset::CloseToday);
    }

    #[test]
    fn a_plain_close_fill_takes_yesterday_first() {
        let mut b = PositionBook::default();
        b.set_held(RB, Side::Sell, 1, 2);
        let off = b.open_or_close(CloseRule::Plain, RB, Side::Buy, 3);
        assert_eq!(off, Offset::Close);
        b.on_fill(RB, Side::Buy, off, 3);
        assert_eq!(*b.lots(RB, Side::Sell), lots(0, 0));
    }
}
