//! The one source of randomness: xoshiro256** seeded through SplitMix64, hand-written from the
//! reference implementations by Blackman and Vigna (<https://prng.di.unimi.it/xoshiro256starstar.c>,
//! <https://prng.di.unimi.it/splitmix64.c>) and checked against their published outputs below.
//!
//! Every consumer takes its own stream from [`Rng::stream`]`(seed, purpose, index)`: one per
//! venue and purpose (order latency, rejects, ...) or per generator process, so that changing
//! one venue's settings — which changes how many numbers its streams consume — never reshuffles
//! another venue's draws. Every method consumes a fixed number of outputs whatever its argument
//! (`chance(0.0)` still draws one), so a probability change does not shift later draws either.
//!
//! Pure integer arithmetic plus exact IEEE operations: bit-identical on every platform. Any thread
//! may own a stream; streams are not shared.

/// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// SplitMix64 increment (the 64-bit golden ratio).
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64: used only to expand a 64-bit seed into xoshiro state, as the authors recommend.
#[derive(Clone, Copy, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose first output is `mix64(seed + GOLDEN)`.
    pub const fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// Next output.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }
}

/// What a stream is used for; part of the stream key, so values must never be reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum Purpose {
    /// Exchange → engine quote latency of a venue.
    FeedLatency = 1,
    /// Engine → exchange order latency of a venue.
    OrderLatency = 2,
    /// Exchange → engine report latency of a venue.
    ReportLatency = 3,
    /// Injected rejects of a venue.
    Reject = 4,
    /// Lost acknowledgements of a venue.
    AckLoss = 5,
    /// Synthetic feed: the common fundamental price.
    SynthFundamental = 16,
    /// Synthetic feed: spread noise and dislocations.
    SynthSpread = 17,
    /// Synthetic feed: one instrument's book shape, arrivals, gaps and stale periods.
    SynthBook = 18,
    /// Synthetic feed: FX rate.
    SynthFx = 19,
    /// Synthetic feed: receive delay of a venue.
    SynthRecv = 20,
}

/// xoshiro256**: 256-bit state, period 2^256 − 1, passes BigCrush; not cryptographic.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose state is filled from SplitMix64(`seed`) (the reference seeding).
    pub fn from_seed(seed: u64) -> Rng {
        let mut sm = SplitMix64::new(seed);
        let s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
        Rng::from_state(s)
    }

    /// A generator with this exact state (test vectors). The all-zero state is a fixed point of
    /// xoshiro and is replaced by the seeding of 0.
    pub fn from_state(s: [u64; 4]) -> Rng {
        if s == [0; 4] {
            return Rng::from_seed(0);
        }
        Rng { s }
    }

    /// The independent stream for (`purpose`, `index`) under the run's `seed`, e.g.
    /// `(Purpose::Reject, venue id)`. Distinct keys give unrelated streams.
    pub fn stream(seed: u64, purpose: Purpose, index: u64) -> Rng {
        let key = mix64(((purpose as u64) << 48) ^ index ^ GOLDEN);
        Rng::from_seed(mix64(seed ^ key))
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` with 53 random bits (exactly representable values).
    pub fn uniform_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `[0, n)`, unbiased (Lemire's multiply-shift with rejection).
    /// `n = 0` returns 0 after one draw.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            self.next_u64();
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// True with probability `p` (clamped to `[0, 1]`); always consumes exactly one draw.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform_f64() < p
    }

    /// Uniform integer in `[0, bound]` inclusive (a latency jitter); `bound ≤ 0` gives 0.
    pub fn jitter(&mut self, bound: i64) -> i64 {
        self.below(bound.max(0) as u64 + 1) as i64
    }

    /// Approximately standard normal: the Irwin–Hall sum of 12 uniforms minus 6 (mean 0, sd 1,
    /// tails cut at ±6). Chosen over Box–Muller because it needs no `ln`/`cos`, whose last bit
    /// differs between libm implementations: this stays bit-identical across platforms.
    pub fn std_normal(&mut self) -> f64 {
        let mut sum = 0.0;
        for _ in 0..12 {
            sum += self.uniform_f64();
        }
        sum - 6.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_outputs_for_seed_zero() {
        let mut sm = SplitMix64::new(0);
        assert_eq!(sm.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(sm.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(sm.next_u64(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn xoshiro256starstar_matches_the_reference_outputs_for_state_1_2_3_4() {
        let mut r = Rng::from_state([1, 2, 3, 4]);
        let want = [
            11520,
            0,
            1509978240,
            1215971899390074240,
            1216172134540287360,
            607988272756665600,
        ];
        for w in want {
            assert_eq!(r.next_u64(), w);
        }
    }

    #[test]
    fn streams_with_different_keys_differ_and_same_keys_repeat() {
        let a: Vec<u64> = {
            let mut r = Rng::stream(7, Purpose::Reject, 0);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let again: Vec<u64> = {
            let mut r = Rng::stream(7, Purpose::Reject, 0);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let other_venue = Rng::stream(7, Purpose::Reject, 1).next_u64();
        let other_purpose = Rng::stream(7, Purpose::AckLoss, 0).next_u64();
        let other_seed = Rng::stream(8, Purpose::Reject, 0).next_u64();
        assert_eq!(a, again);
        assert_ne!(a[0], other_venue);
        assert_ne!(a[0], other_purpose);
        assert_ne!(a[0], other_seed);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = Rng::from_seed(1);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            let v = r.below(7) as usize;
            seen[v] += 1;
        }
        // Each bucket expects 1000 with sd ≈ 30: ±200 is > 6 sd, and the seed is fixed.
        assert!(seen.iter().all(|&c| (800..1200).contains(&c)), "{seen:?}");
        assert_eq!(r.below(1), 0);
        assert_eq!(r.jitter(0), 0);
        assert!(r.jitter(3) <= 3);
    }

    #[test]
    fn uniform_and_normal_have_the_expected_moments() {
        let mut r = Rng::from_seed(2);
        let n = 20_000;
        let (mut su, mut sn, mut sn2) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let u = r.uniform_f64();
            assert!((0.0..1.0).contains(&u));
            su += u;
            let z = r.std_normal();
            sn += z;
            sn2 += z * z;
        }
        let n = n as f64;
        assert!((su / n - 0.5).abs() < 0.01);
        assert!((sn / n).abs() < 0.03);
        assert!((sn2 / n - 1.0).abs() < 0.05);
    }

    #[test]
    fn chance_consumes_one_draw_whatever_the_probability() {
        let mut a = Rng::from_seed(3);
        let mut b = Rng::from_seed(3);
        a.chance(0.0);
        b.chance(1.0);
        assert_eq!(a.next_u64(), b.next_u64());
        let mut c = Rng::from_seed(4);
        assert!((0..100).all(|_| !c.chance(0.0)));
        assert!((0..100).all(|_| c.chance(1.0)));
    }
}
