//! The two-leg executor (DESIGN.md §3): one ticket per opportunity — the domestic leg one way,
//! the overseas leg the other — driven until it is **balanced** (both legs at target) or
//! **rolled back** (both legs at a smaller common multiple of the ticket's ratio unit, usually
//! zero), within its deadline, never guessing about an order whose fate is unknown.
//!
//! Inputs: ticket specs from the trigger, execution reports from the gateways, the aligner's
//! per-leg market view, and time. Outputs: order requests and receipts in an [`Outbox`].
//! Runs on the executor thread live and on the deterministic stepper in replay: same code.
//! No allocation after [`Executor::new`]; integers only.
//!
//! Layout: [`ticket`] data, [`mod@step`] the pure step function `(state, input, ctx) → (state,
//! actions)`, `repair` its policy half (see there for the rules in order), [`executor`] the fixed
//! ticket table around it, [`codes`] the numbers written into receipts, [`outbox`], [`msg`].
//!
//! States ([`codes::Phase`], `code`/`code2` of `TicketState`): `Pending 0 → Working 1 →
//! Backfilling 2 → RollingBack 3 → Balanced 4 | RolledBack 5 | Stuck 6` (forward moves only;
//! `Balanced` is reachable from every open state).
//!
//! **Ack timeouts.** An order without an answer within `ack_timeout_ms` gets an `AckTimeout`
//! receipt and stays *live*: its quantity is neither filled nor unfilled, so no backfill is sent
//! for it, a leg holding it is not unwound, and the ticket cannot close balanced or rolled back
//! until the venue answers. Its lots are reported as uncertain ([`Exposure`], `TicketState`
//! `b`/`c`).
//!
//! **When rollback cannot complete by `ticket_deadline_ms`** (market not tradable, price beyond
//! `rollback_slippage_ticks_max`, attempts or daily budget used up, an order of unknown fate, a
//! limit order whose cancel was refused): the ticket moves to `Stuck`, cancels what live limit
//! orders it can, and writes `TicketState` (`a` = `TicketDeadline`, `b`/`c` = uncertain lots) and
//! `TicketClose` (outcome `Stuck`, `a`/`b` = net lots held, `qty` = balanced multiple). It never
//! reports itself balanced. It sends nothing more; it keeps its slot so that late reports still
//! move [`Executor::position`] and [`Executor::exposure`]; [`Executor::stuck_tickets`] counts it
//! so risk stops opening tickets until a human flattens the position.
//!
//! **Daily budgets.** Orders and cancels per instrument per trading day
//! ([`Executor::start_trading_day`] resets them). A repair the budget refuses is not sent:
//! `Refused` (`DailyBudget`, `code2` = purpose or cancel) once per leg and ticket; a refused
//! backfill leads to rollback, a refused unwind or cancel leaves the ticket to its deadline.
//!
//! **Reports** for orders no retained ticket knows (duplicates, after slot reuse) are written as
//! their usual receipt with ticket 0 and `code2` = [`codes::anomaly::UNKNOWN_ORDER`]; never a
//! panic. Closed tickets stay in their slot until it is needed, so most late reports are
//! recognised (`code2` = `AFTER_CLOSE`) and counted.

mod actions;
pub mod codes;
mod entry;
pub mod executor;
pub mod msg;
pub mod outbox;
mod repair;
pub mod step;
pub mod ticket;

pub use actions::{Actions, STEP_ORDERS_MAX, STEP_RECEIPTS_MAX};
pub use executor::{Executor, Exposure, OpenError};
pub use outbox::Outbox;
pub use step::{step, step_in_place, DayUse, Input, StepCtx};
pub use ticket::{LegMarket, LegSpec, MarketView, Params, TicketSpec, TicketState};
