//! A report waiting for its delivery time in the simulated exchange's queue, ordered by
//! (delivery time, creation sequence) so that equal times come out in creation order and the
//! order never depends on heap internals.

use core::cmp::Ordering;

use crate::domain::TsNs;
use crate::exec::msg::ExecReport;

/// A report and when it is delivered.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scheduled {
    /// Delivery time (becomes the report's `ts_recv`).
    pub due: TsNs,
    /// Creation sequence, unique per exchange: the tie-breaker.
    pub seq: u64,
    /// The report.
    pub report: ExecReport,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.due, self.seq).cmp(&(other.due, other.seq))
    }
}
