//! FIX 4.4 order entry for the overseas leg (DESIGN.md §3 "Live"): the tag=value codec, typed
//! messages, the translation to and from the engine's order messages, the initiator session
//! state machine and its sequence store. All pure: a mio driver (elsewhere) feeds socket bytes
//! and times in and writes the session's outbound bytes out; tests drive it directly.
//!
//! Layout: [`text`] numbers and timestamps; [`stamp`] the per-second timestamp cache; [`codec`]
//! encoder; [`mod@decode`] decoder; [`value`] typed field values; [`msg`] typed messages; [`app`]
//! OrderRequest/ExecReport ↔ FIX; [`session`] + `inbound` the session, `config` its settings,
//! `nos` its NewOrderSingle fast path; [`event`] its outputs; [`store`] sequence file and resend
//! ring, `resend` the answer to a ResendRequest; [`driver`] the mio TCP driver; [`acceptor`] the
//! broker side (venue simulator, tests).

pub mod acceptor;
pub mod app;
pub mod codec;
mod config;
pub mod decode;
pub mod driver;
pub mod event;
mod inbound;
pub mod msg;
mod nos;
mod resend;
pub mod session;
pub mod stamp;
pub mod store;
pub mod text;
pub mod value;

pub use acceptor::{Acceptor, AcceptorConfig};
pub use app::{InstrumentSpec, Instruments, SendError};
pub use codec::{Encoder, Fields, Header};
pub use decode::{decode, decode_into, DecodeError, Decoded, Field, FieldError, Message};
pub use event::{DisconnectReason, Event, Text};
pub use msg::FixMsg;
pub use session::{reconnect_delay_ms, Credential, Session, SessionConfig, State};
pub use stamp::StampCache;
pub use store::{ResendRing, SeqFile, SeqNums};
