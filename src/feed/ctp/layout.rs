//! Layout descriptions: which CSV column of a CTP-style recorder holds what. Two are built in
//! (`cffex-l1`, `tqsdk`); others come from a small TOML file (`--layout-file`):
//!
//! ```toml
//! time = "local"                   # "epoch_ns": UTC ns column | "local": Beijing time of day + trading day
//! time_column = "UpdateTime"       # epoch_ns: the ns column; local: HH:MM:SS[.fff...]
//! millis_column = "UpdateMillisec" # optional (local): milliseconds added to time_column
//! trading_day_column = "TradingDay" # yyyymmdd; required with local, optional with epoch_ns
//! symbol_column = "InstrumentID"
//! strip_exchange_prefix = false    # "SHFE.cu1909" -> "cu1909"
//! exchange_column = "ExchangeID"   # optional: venue name when no config or --venue names one
//! bid_column = "BidPrice1"
//! bid_size_column = "BidVolume1"
//! ask_column = "AskPrice1"
//! ask_size_column = "AskVolume1"
//! last_column = "LastPrice"
//! volume_column = "Volume"         # cumulative volume of the trading day
//! seq_column = "tick_id"           # optional: feed sequence number
//! ```

use serde::Deserialize;

/// How a row's time is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeKind {
    /// UTC nanoseconds since the epoch.
    EpochNs,
    /// Venue-local time of day plus the trading day (CTP `UpdateTime` + `TradingDay`).
    Local,
}

/// Column names of one recorder's CSV.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// How time is written.
    pub time: TimeKind,
    /// The time column.
    pub time_column: String,
    /// Milliseconds column added to a local time of day.
    #[serde(default)]
    pub millis_column: Option<String>,
    /// Trading day column (`yyyymmdd`).
    #[serde(default)]
    pub trading_day_column: Option<String>,
    /// Symbol column.
    pub symbol_column: String,
    /// Strip everything up to the last `.` of the symbol (`SHFE.cu1909` → `cu1909`).
    #[serde(default)]
    pub strip_exchange_prefix: bool,
    /// Exchange column (venue name fallback).
    #[serde(default)]
    pub exchange_column: Option<String>,
    /// Best bid price.
    pub bid_column: String,
    /// Lots at the best bid.
    pub bid_size_column: String,
    /// Best ask price.
    pub ask_column: String,
    /// Lots at the best ask.
    pub ask_size_column: String,
    /// Last trade price.
    pub last_column: String,
    /// Cumulative volume of the trading day.
    pub volume_column: String,
    /// Feed sequence number.
    #[serde(default)]
    pub seq_column: Option<String>,
}

/// Names of the built-in layouts.
pub const BUILTIN: [&str; 2] = ["cffex-l1", "tqsdk"];

impl Layout {
    /// A built-in layout by name.
    pub fn builtin(name: &str) -> Option<Layout> {
        let s = |v: &str| v.to_owned();
        match name {
            // shared/data/cffex-if2101 (WonderTrader ticks decoded to CSV).
            "cffex-l1" => Some(Layout {
                time: TimeKind::EpochNs,
                time_column: s("ts_ns"),
                millis_column: None,
                trading_day_column: Some(s("trading_day")),
                symbol_column: s("instrument"),
                strip_exchange_prefix: false,
                exchange_column: Some(s("exchange")),
                bid_column: s("bid1"),
                bid_size_column: s("bid1_qty"),
                ask_column: s("ask1"),
                ask_size_column: s("ask1_qty"),
                last_column: s("last"),
                volume_column: s("cum_volume"),
                seq_column: None,
            }),
            // shared/data/shfe-cu1909 (TqSdk tick objects decoded to CSV).
            "tqsdk" => Some(Layout {
                time: TimeKind::EpochNs,
                time_column: s("ts_ns"),
                millis_column: None,
                trading_day_column: None,
                symbol_column: s("instrument"),
                strip_exchange_prefix: true,
                exchange_column: None,
                bid_column: s("bid_price1"),
                bid_size_column: s("bid_volume1"),
                ask_column: s("ask_price1"),
                ask_size_column: s("ask_volume1"),
                last_column: s("last_price"),
                volume_column: s("volume"),
                seq_column: Some(s("tick_id")),
            }),
            _ => None,
        }
    }

    /// Parses a layout file's text; the error names the field.
    pub fn from_toml(text: &str) -> Result<Layout, String> {
        let l: Layout = toml::from_str(text).map_err(|e| e.to_string())?;
        if l.time == TimeKind::Local && l.trading_day_column.is_none() {
            return Err("trading_day_column: required with time = \"local\"".into());
        }
        Ok(l)
    }
}

/// Column indexes of a layout in one file's header row.
#[derive(Clone, Debug)]
pub(super) struct Columns {
    pub time: usize,
    pub millis: Option<usize>,
    pub trading_day: Option<usize>,
    pub symbol: usize,
    pub exchange: Option<usize>,
    pub bid: usize,
    pub bid_size: usize,
    pub ask: usize,
    pub ask_size: usize,
    pub last: usize,
    pub volume: usize,
    pub seq: Option<usize>,
}

impl Columns {
    /// Finds every named column in `header`; the error names the first one missing.
    pub fn find(l: &Layout, header: &[&str]) -> Result<Columns, String> {
        let pos = |name: &str| {
            header.iter().position(|h| h.trim() == name).ok_or_else(|| {
                format!("expected a column named {name:?} (layout); header has {header:?}")
            })
        };
        let opt = |name: &Option<String>| name.as_deref().map(pos).transpose();
        Ok(Columns {
            time: pos(&l.time_column)?,
            millis: opt(&l.millis_column)?,
            trading_day: opt(&l.trading_day_column)?,
            symbol: pos(&l.symbol_column)?,
            exchange: opt(&l.exchange_column)?,
            bid: pos(&l.bid_column)?,
            bid_size: pos(&l.bid_size_column)?,
            ask: pos(&l.ask_column)?,
            ask_size: pos(&l.ask_size_column)?,
            last: pos(&l.last_column)?,
            volume: pos(&l.volume_column)?,
            seq: opt(&l.seq_column)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_file_names_every_column_and_local_time_needs_a_trading_day() {
        let text = r#"
time = "local"
time_column = "UpdateTime"
millis_column = "UpdateMillisec"
trading_day_column = "TradingDay"
symbol_column = "InstrumentID"
bid_column = "BidPrice1"
bid_size_column = "BidVolume1"
ask_column = "AskPrice1"
ask_size_column = "AskVolume1"
last_column = "LastPrice"
volume_column = "Volume"
"#;
        let l = Layout::from_toml(text).unwrap();
        assert_eq!(l.time, TimeKind::Local);
        assert_eq!(l.millis_column.as_deref(), Some("UpdateMillisec"));
        let no_day = text.replace("trading_day_column = \"TradingDay\"\n", "");
        assert!(Layout::from_toml(&no_day)
            .unwrap_err()
            .contains("trading_day_column"));
        let typo = text.replace("bid_column", "bidd_column");
        assert!(Layout::from_toml(&typo).is_err());
    }

    #[test]
    fn builtin_layouts_exist_by_name() {
        for name in BUILTIN {
            assert!(Layout::builtin(name).is_some(), "{name}");
        }
        assert!(Layout::builtin("nope").is_none());
    }
}
