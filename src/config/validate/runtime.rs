//! `[receipts]` (the receipt log) and `[threads]` (stage placement, optional).

use std::path::PathBuf;

use super::{At, Ctx, B, U32_MAX};
use crate::config::raw::{RawReceipts, RawStage, RawThreads, S};
use crate::config::{FsyncPolicy, Idle, Receipts, StageThread, Threads};

/// Smallest receipt segment: one page, so that a segment always holds its header and a record.
pub const SEGMENT_BYTES_MIN: i64 = 4096;

/// The placement of a stage `[threads]` does not mention.
pub const STAGE_DEFAULT: StageThread = StageThread {
    core: None,
    idle: Idle::Backoff,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fsync {
    Every,
    Never,
    Batch,
}

const FSYNCS: [(&str, Fsync); 3] = [
    ("every", Fsync::Every),
    ("never", Fsync::Never),
    ("batch", Fsync::Batch),
];

/// Validates `[receipts]`.
pub(super) fn receipts(cx: &mut Ctx<'_>, top: &At, raw: &S<RawReceipts>) -> Option<Receipts> {
    let t = cx.req(top, "receipts", raw)?;
    let at = top.sub("receipts", t);
    let r = t.get_ref();
    let dir = cx.string(&at, "dir", &r.dir).map(PathBuf::from);
    let segment_bytes = cx.int(
        &at,
        "segment_bytes",
        &r.segment_bytes,
        &[B::Ge(SEGMENT_BYTES_MIN)],
    );
    let fsync = match cx.choice(&at, "fsync", &r.fsync, &FSYNCS) {
        Some(Fsync::Batch) => cx
            .int(
                &at,
                "fsync_batch_records",
                &r.fsync_batch_records,
                &[B::Ge(1), B::Le(U32_MAX)],
            )
            .and_then(|n| u32::try_from(n).ok())
            .map(FsyncPolicy::Batch),
        Some(other) => {
            cx.forbid(
                &at,
                "fsync_batch_records",
                &r.fsync_batch_records,
                "unless fsync = \"batch\"",
            );
            match other {
                Fsync::Every => Some(FsyncPolicy::Every),
                _ => Some(FsyncPolicy::Never),
            }
        }
        None => None,
    };
    Some(Receipts {
        dir: dir?,
        segment_bytes: u64::try_from(segment_bytes?).ok()?,
        fsync: fsync?,
    })
}

/// Validates `[threads]`; absent stages (or an absent table) are unpinned with backoff.
pub(super) fn threads(cx: &mut Ctx<'_>, raw: &S<RawThreads>) -> Option<Threads> {
    let Some(t) = raw else {
        return Some(Threads {
            domestic_feed: STAGE_DEFAULT,
            overseas_feed: STAGE_DEFAULT,
            fx_feed: STAGE_DEFAULT,
            trigger: STAGE_DEFAULT,
            executor: STAGE_DEFAULT,
            gateway: STAGE_DEFAULT,
            receipts: STAGE_DEFAULT,
            metrics: STAGE_DEFAULT,
        });
    };
    let at = At::new("threads", Some(t.span()));
    let r = t.get_ref();
    let stages = [
        ("domestic_feed", &r.domestic_feed),
        ("overseas_feed", &r.overseas_feed),
        ("fx_feed", &r.fx_feed),
        ("trigger", &r.trigger),
        ("executor", &r.executor),
        ("gateway", &r.gateway),
        ("receipts", &r.receipts),
        ("metrics", &r.metrics),
    ];
    // Every stage is checked before any `?` so that all errors are reported.
    let placed: Vec<Option<StageThread>> = stages
        .into_iter()
        .map(|(name, s)| match s {
            None => Some(STAGE_DEFAULT),
            Some(s) => stage(cx, &at.sub(name, s), s.get_ref()),
        })
        .collect();
    let [domestic_feed, overseas_feed, fx_feed, trigger, executor, gateway, receipts, metrics] =
        <[Option<StageThread>; 8]>::try_from(placed).ok()?;
    Some(Threads {
        domestic_feed: domestic_feed?,
        overseas_feed: overseas_feed?,
        fx_feed: fx_feed?,
        trigger: trigger?,
        executor: executor?,
        gateway: gateway?,
        receipts: receipts?,
        metrics: metrics?,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IdleKind {
    BusySpin,
    Backoff,
    Sleep,
}

const IDLES: [(&str, IdleKind); 3] = [
    ("busy_spin", IdleKind::BusySpin),
    ("backoff", IdleKind::Backoff),
    ("sleep", IdleKind::Sleep),
];

fn stage(cx: &mut Ctx<'_>, at: &At, r: &RawStage) -> Option<StageThread> {
    let core = match &r.core {
        None => Some(None),
        Some(_) => cx
            .int(at, "core", &r.core, &[B::Ge(0), B::Le(1023)])
            .map(|c| usize::try_from(c).ok()),
    };
    let kind = match &r.idle {
        None => Some(IdleKind::Backoff),
        Some(_) => cx.choice(at, "idle", &r.idle, &IDLES),
    };
    let idle = match kind {
        Some(IdleKind::Sleep) => cx
            .int(at, "sleep_us", &r.sleep_us, &[B::Ge(1), B::Le(U32_MAX)])
            .and_then(|n| u32::try_from(n).ok())
            .map(Idle::SleepUs),
        Some(k) => {
            cx.forbid(at, "sleep_us", &r.sleep_us, "unless idle = \"sleep\"");
            Some(if k == IdleKind::BusySpin {
                Idle::BusySpin
            } else {
                Idle::Backoff
            })
        }
        None => None,
    };
    Some(StageThread {
        core: core?,
        idle: idle?,
    })
}
