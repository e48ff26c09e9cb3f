//! Trading calendars: SHFE day/night sessions and holidays, CME Globex across US DST changes,
//! LME across UK DST, trading days of night quotes, and the cached window agreeing with a fresh
//! computation everywhere.

mod trigger_support;

use chrono_tz::Tz;
use crossarb::domain::{TsNs, NS_PER_SEC};
use crossarb::trigger::Calendar;
use trigger_support::*;

fn sh() -> Tz {
    "Asia/Shanghai".parse().unwrap()
}

fn ny() -> Tz {
    "America/New_York".parse().unwrap()
}

#[test]
fn shfe_day_session_closes_for_the_morning_and_lunch_breaks() {
    let mut c = Calendar::new(&shfe(0, hm(1, 0), vec![])).unwrap();
    let open = |c: &mut Calendar, h, m| c.is_open(at(sh(), 2025, 1, 6, h, m));
    assert!(!open(&mut c, 8, 59));
    assert!(open(&mut c, 9, 0));
    assert!(open(&mut c, 10, 14));
    assert!(!open(&mut c, 10, 15), "10:15–10:30 break");
    assert!(!open(&mut c, 10, 29));
    assert!(open(&mut c, 10, 30));
    assert!(!open(&mut c, 11, 30), "11:30–13:30 lunch");
    assert!(!open(&mut c, 13, 29));
    assert!(open(&mut c, 13, 30));
    assert!(!open(&mut c, 15, 0));
    assert!(!open(&mut c, 20, 59));
}

#[test]
fn shfe_night_session_crosses_midnight_to_one_or_half_past_two() {
    let mut cu = Calendar::new(&shfe(0, hm(1, 0), vec![])).unwrap();
    let mut au = Calendar::new(&shfe(0, hm(2, 30), vec![])).unwrap();
    assert!(cu.is_open(at(sh(), 2025, 1, 6, 21, 0)));
    assert!(cu.is_open(at(sh(), 2025, 1, 7, 0, 59)));
    assert!(!cu.is_open(at(sh(), 2025, 1, 7, 1, 0)));
    assert!(au.is_open(at(sh(), 2025, 1, 7, 1, 0)));
    assert!(au.is_open(at(sh(), 2025, 1, 7, 2, 29)));
    assert!(!au.is_open(at(sh(), 2025, 1, 7, 2, 30)));
}

#[test]
fn friday_night_session_trades_into_saturday_and_belongs_to_monday() {
    let mut c = Calendar::new(&shfe(0, hm(2, 30), vec![])).unwrap();
    let fri_night = at(sh(), 2025, 1, 10, 21, 30);
    let sat_early = at(sh(), 2025, 1, 11, 0, 30);
    assert!(c.is_open(fri_night));
    assert!(c.is_open(sat_early));
    assert!(
        !c.is_open(at(sh(), 2025, 1, 11, 21, 30)),
        "no Saturday night"
    );
    assert!(!c.is_open(at(sh(), 2025, 1, 12, 21, 30)), "no Sunday night");
    assert_eq!(c.trading_day(fri_night), 20250113);
    assert_eq!(c.trading_day(sat_early), 20250113);
    assert_eq!(c.trading_day(at(sh(), 2025, 1, 11, 10, 0)), 20250113);
    assert_eq!(c.trading_day(at(sh(), 2025, 1, 10, 14, 0)), 20250110);
    assert_eq!(c.trading_day(at(sh(), 2025, 1, 7, 0, 30)), 20250107);
    assert_eq!(c.trading_day(at(sh(), 2025, 1, 6, 21, 0)), 20250107);
}

#[test]
fn no_night_session_on_a_holiday_eve_and_none_during_the_holiday() {
    // Spring Festival 2025: Jan 28 – Feb 4 closed (weekdays listed).
    let hol = [(1, 28), (1, 29), (1, 30), (1, 31), (2, 3), (2, 4)];
    let hol = hol.iter().map(|&(m, d)| date(2025, m, d)).collect();
    let mut c = Calendar::new(&shfe(0, hm(1, 0), hol)).unwrap();
    assert!(
        c.is_open(at(sh(), 2025, 1, 24, 21, 30)),
        "Friday night → Monday 27th trades"
    );
    assert!(c.is_open(at(sh(), 2025, 1, 27, 10, 0)));
    assert!(
        !c.is_open(at(sh(), 2025, 1, 27, 21, 30)),
        "eve of the holiday"
    );
    assert!(!c.is_open(at(sh(), 2025, 1, 29, 10, 0)));
    assert!(!c.is_open(at(sh(), 2025, 2, 4, 21, 30)), "last holiday");
    assert!(c.is_open(at(sh(), 2025, 2, 5, 9, 0)));
    assert!(c.is_open(at(sh(), 2025, 2, 5, 21, 0)));
    assert_eq!(c.trading_day(at(sh(), 2025, 1, 27, 21, 30)), 20250205);
}

#[test]
fn friday_night_before_a_monday_holiday_does_not_trade() {
    let mut c = Calendar::new(&shfe(0, hm(2, 30), vec![date(2025, 1, 13)])).unwrap();
    assert!(c.is_open(at(sh(), 2025, 1, 10, 14, 0)));
    assert!(!c.is_open(at(sh(), 2025, 1, 10, 21, 30)));
    assert!(!c.is_open(at(sh(), 2025, 1, 11, 0, 30)));
    assert!(!c.is_open(at(sh(), 2025, 1, 13, 9, 30)));
    assert!(c.is_open(at(sh(), 2025, 1, 14, 9, 30)));
    assert_eq!(c.trading_day(at(sh(), 2025, 1, 10, 21, 30)), 20250114);
}

#[test]
fn cme_globex_opens_at_six_pm_new_york_across_the_march_dst_change() {
    let mut c = Calendar::new(&cme(0)).unwrap();
    // 2025-03-02 (EST): opens 23:00 UTC. 2025-03-09 (EDT since 02:00): opens 22:00 UTC.
    assert!(!c.is_open(utc(2025, 3, 2, 22, 30)));
    assert!(c.is_open(utc(2025, 3, 2, 23, 0)));
    assert!(c.is_open(utc(2025, 3, 3, 21, 30)), "16:30 EST Monday");
    assert!(!c.is_open(utc(2025, 3, 3, 22, 0)), "17:00 EST daily break");
    assert!(c.is_open(utc(2025, 3, 9, 22, 30)));
    let (lo, hi, open) = c.window();
    assert_eq!(
        (lo, hi, open),
        (utc(2025, 3, 9, 22, 0), utc(2025, 3, 10, 21, 0), true)
    );
    assert!(!c.is_open(utc(2025, 3, 10, 21, 0)), "17:00 EDT break");
    assert!(c.is_open(utc(2025, 3, 10, 22, 0)));
    assert!(!c.is_open(utc(2025, 3, 8, 12, 0)), "Saturday");
    assert_eq!(c.trading_day(at(ny(), 2025, 3, 9, 19, 0)), 20250310);
    assert_eq!(c.trading_day(at(ny(), 2025, 3, 10, 16, 0)), 20250310);
    assert_eq!(c.trading_day(at(ny(), 2025, 3, 14, 16, 0)), 20250314);
    assert_eq!(c.trading_day(at(ny(), 2025, 3, 13, 18, 30)), 20250314);
    assert_eq!(c.trading_day(at(ny(), 2025, 3, 15, 12, 0)), 20250317);
}

#[test]
fn cme_globex_opens_at_six_pm_new_york_across_the_november_dst_change() {
    let mut c = Calendar::new(&cme(0)).unwrap();
    assert!(c.is_open(utc(2025, 10, 31, 20, 59)), "Friday 16:59 EDT");
    assert!(
        !c.is_open(utc(2025, 10, 31, 21, 0)),
        "Friday close 17:00 EDT"
    );
    assert!(!c.is_open(utc(2025, 11, 2, 22, 30)), "17:30 EST Sunday");
    assert!(c.is_open(utc(2025, 11, 2, 23, 0)));
    assert!(!c.is_open(utc(2025, 11, 3, 22, 0)), "17:00 EST break");
    assert!(c.is_open(utc(2025, 11, 3, 23, 0)));
}

#[test]
fn lme_trades_one_to_seven_pm_london_time_summer_and_winter() {
    let mut c = Calendar::new(&lme(0)).unwrap();
    assert!(!c.is_open(utc(2025, 1, 6, 0, 30)), "00:30 GMT");
    assert!(c.is_open(utc(2025, 1, 6, 1, 0)));
    assert!(c.is_open(utc(2025, 1, 6, 18, 59)));
    assert!(!c.is_open(utc(2025, 1, 6, 19, 0)));
    assert!(c.is_open(utc(2025, 6, 2, 0, 30)), "01:30 BST");
    assert!(!c.is_open(utc(2025, 6, 2, 18, 30)), "19:30 BST");
    assert!(!c.is_open(utc(2025, 6, 7, 12, 0)), "Saturday");
    assert_eq!(c.trading_day(utc(2025, 6, 2, 12, 0)), 20250602);
    assert_eq!(c.trading_day(utc(2025, 6, 7, 12, 0)), 20250609);
}

#[test]
fn cached_windows_agree_with_a_fresh_calendar_at_every_step() {
    let venues = [shfe(0, hm(2, 30), vec![date(2025, 3, 3)]), cme(1), lme(2)];
    for v in &venues {
        let mut cached = Calendar::new(v).unwrap();
        let start = utc(2025, 2, 25, 0, 0).0;
        let step = 433 * NS_PER_SEC; // 7 min 13 s: lands near every boundary over 3 weeks
        for k in 0..(21 * 86_400 / 433) {
            let t = TsNs(start + k * step);
            let fresh = Calendar::new(v).unwrap().is_open(t);
            assert_eq!(cached.is_open(t), fresh, "{} at {t}", v.name);
        }
        // Going back in time recomputes too.
        let t = TsNs(start);
        assert_eq!(cached.is_open(t), Calendar::new(v).unwrap().is_open(t));
    }
}
