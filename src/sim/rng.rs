//! Keyed, deterministic random streams for the engine (SPEC §2.1).
//!
//! The generator is **PCG64-MCG** (`pcg64_fast`, "MCG 128-bit state, XSL-RR 64-bit
//! output", O'Neill 2014), written out here so that its output can never change with a
//! dependency upgrade; a test checks it against `rand_pcg::Pcg64Mcg` and a golden test
//! pins its first outputs. It is not `StdRng` and never reads the OS or the clock.
//!
//! Streams are keyed, not shared, so that target and control users, and two versions
//! of a journey, see the same underlying behaviour (common random numbers):
//! - behaviour (event times): (seed, replicate, user, event type, block), one stream per
//!   UTC day, see [`super::events`]; the population draws (time zone, activity factor,
//!   reachability, properties) use [`Stream::behaviour`] with a fixed tag;
//! - node outcomes: (seed, replicate, user, entry, node) — [`Stream::node`];
//! - random-split assignment: (seed, user, node) — [`Stream::split`];
//! - content-variant assignment: (seed, user, node) — [`Stream::variant`], a stream of its
//!   own, so a journey without content variants draws exactly what it drew before;
//! - control assignment: (seed, user) — [`Stream::control`];
//! - the planner's effect on a replicate's counts: (replicate seed) — [`Stream::planner`].
//!
//! Each kind of key starts with its own domain tag, so two kinds never collide by
//! accident. Invariants: the same key always yields the same sequence, on every
//! platform and thread count; no helper panics or returns NaN for any parameter.

use std::convert::Infallible;

use rand::TryRng;
use rand_distr::{Binomial, Distribution as _, Gamma, Poisson, StandardNormal};

use crate::model::NodeId;

/// The PCG 128-bit multiplier (from the PCG reference implementation).
const PCG_MULTIPLIER: u128 = 0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645;

/// The golden-ratio increment of SplitMix64.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// Domain tags: the first word of every key of a kind.
const TAG_BEHAVIOUR: u64 = 0x6265_6861_7669_6f75; // "behaviou"
const TAG_NODE: u64 = 0x6e6f_6465_6f75_7463; // "nodeoutc"
const TAG_SPLIT: u64 = 0x7370_6c69_7461_7373; // "splitass"
const TAG_VARIANT: u64 = 0x7661_7269_616e_7473; // "variants"
const TAG_CONTROL: u64 = 0x636f_6e74_726f_6c67; // "controlg"
const TAG_BLOCK: u64 = 0x6576_626c_6f63_6b73; // "evblocks"
const TAG_PLANNER: u64 = 0x706c_616e_6e65_726d; // "plannerm"

/// 2^-53, to turn the top 53 bits of a word into a float in [0, 1).
const UNIT_53: f64 = 1.0 / 9_007_199_254_740_992.0;

/// The SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mixer.
#[must_use]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A well-mixed 64-bit key from a sequence of words (chained SplitMix64 finaliser;
/// the length is mixed in, so `[a]` and `[a, 0]` differ).
#[must_use]
pub fn key(parts: &[u64]) -> u64 {
    let mut h = key_start(parts.len() as u64);
    for &p in parts {
        h = key_push(h, p);
    }
    h
}

/// The start of a key of `len` words built one word at a time with [`key_push`]:
/// `key_push(…key_push(key_start(n), w1)…, wn) == key(&[w1, …, wn])`. The engine keeps
/// the chain up to (…, user, event) and adds the block last, so a block's key costs two
/// mixes instead of a whole chain.
#[must_use]
pub const fn key_start(len: u64) -> u64 {
    mix64(GOLDEN ^ len)
}

/// Adds one word to a key chain (see [`key_start`]).
#[must_use]
#[inline]
pub const fn key_push(h: u64, word: u64) -> u64 {
    mix64(h.wrapping_add(GOLDEN) ^ mix64(word.wrapping_add(GOLDEN)))
}

/// The first words of a user's behaviour block keys: (tag, seed, replicate, user); add
/// the event's name hash, then the block, with [`key_push`].
#[must_use]
pub fn behaviour_prefix(seed: u64, replicate: u32, user: u64) -> u64 {
    let mut h = key_start(6);
    for w in [TAG_BLOCK, seed, u64::from(replicate), user] {
        h = key_push(h, w);
    }
    h
}

/// A stable 64-bit hash of a name (FNV-1a 64 over the UTF-8 bytes), for event types
/// and other names that key streams. Stable across builds and platforms.
#[must_use]
pub fn name_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What a run drew: keyed streams (and key hashes) created, random words drawn and
/// logarithms taken. The engine benchmark's floor draws exactly as many, with no journey
/// logic, to show how much of the engine's time the journey logic takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrawCount {
    /// Streams and key hashes created.
    pub streams: u64,
    /// Random words drawn.
    pub words: u64,
    /// Logarithms taken.
    pub lns: u64,
}

impl DrawCount {
    /// Adds what a finished stream drew.
    pub fn add_stream(&mut self, st: &Stream) {
        let (w, l) = st.counts();
        self.streams += 1;
        self.words += u64::from(w);
        self.lns += u64::from(l);
    }

    /// Adds another count.
    pub fn add(&mut self, o: &Self) {
        self.streams += o.streams;
        self.words += o.words;
        self.lns += o.lns;
    }
}

/// A number in [0, 1) from a key: for sticky, stream-free assignments (hash-chosen samples).
#[must_use]
pub fn hash_unit(parts: &[u64]) -> f64 {
    unit_from_bits(key(parts))
}

/// The top 53 bits of a word as a float in [0, 1).
fn unit_from_bits(x: u64) -> f64 {
    // 53 bits fit an f64 mantissa exactly, so this cast is lossless.
    #[allow(clippy::cast_precision_loss)]
    let top = (x >> 11) as f64;
    top * UNIT_53
}

/// One keyed random stream (PCG64-MCG). Cheap to create (two mixes), 16 bytes.
///
/// Implements rand 0.10's `TryRng<Error = Infallible>`, hence `rand::Rng`, so every
/// `rand_distr` 0.6 distribution samples from it; the direct helpers below are faster
/// for the common cases.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Stream {
    /// The MCG state; always odd.
    state: u128,
    /// Words drawn so far (the engine benchmark's floor draws as many).
    words: u32,
    /// Logarithms taken for exponential draws.
    lns: u32,
}

impl Stream {
    /// A stream from a raw 64-bit key (see [`key`]). Both halves of the 128-bit state
    /// come from the key through different mixes.
    #[must_use]
    pub fn from_key(k: u64) -> Self {
        let lo = mix64(k ^ 0x5851_f42d_4c95_7f2d);
        let hi = mix64(k.wrapping_add(GOLDEN));
        Self::from_state(u128::from(lo) | (u128::from(hi) << 64))
    }

    /// A stream with exactly this state (the low bit is forced to 1, as in PCG's `pcg64_fast`).
    #[must_use]
    pub fn from_state(state: u128) -> Self {
        Self { state: state | 1, words: 0, lns: 0 }
    }

    /// A stream from key words (`Stream::from_key(key(parts))`).
    #[must_use]
    pub fn from_parts(parts: &[u64]) -> Self {
        Self::from_key(key(parts))
    }

    /// A user's behaviour (event times) for one event type: (seed, replicate, user, event type).
    /// `event_hash` is normally [`name_hash`] of the event name.
    #[must_use]
    pub fn behaviour(seed: u64, replicate: u32, user: u64, event_hash: u64) -> Self {
        Self::from_parts(&[TAG_BEHAVIOUR, seed, u64::from(replicate), user, event_hash])
    }

    /// Outcomes at one node during one entry: (seed, replicate, user, entry, node).
    #[must_use]
    pub fn node(seed: u64, replicate: u32, user: u64, entry_index: u32, node: NodeId) -> Self {
        Self::from_parts(&[TAG_NODE, seed, u64::from(replicate), user, u64::from(entry_index), u64::from(node.0)])
    }

    /// Content-variant assignment of a channel node, sticky across entries and replicates
    /// like a random split's: (seed, user, node), under its own domain tag.
    #[must_use]
    pub fn variant(seed: u64, user: u64, node: NodeId) -> Self {
        Self::from_parts(&[TAG_VARIANT, seed, user, u64::from(node.0)])
    }

    /// Random-split assignment, sticky across entries and replicates: (seed, user, node).
    #[must_use]
    pub fn split(seed: u64, user: u64, node: NodeId) -> Self {
        Self::from_parts(&[TAG_SPLIT, seed, user, u64::from(node.0)])
    }

    /// Control-group assignment: (seed, user).
    #[must_use]
    pub fn control(seed: u64, user: u64) -> Self {
        Self::from_parts(&[TAG_CONTROL, seed, user])
    }

    /// The planner's draws that apply the planned effect to one replicate's counts:
    /// (seed of the replicate). Never used by a run, so no run's figures depend on it.
    #[must_use]
    pub fn planner(replicate_seed: u64) -> Self {
        Self::from_parts(&[TAG_PLANNER, replicate_seed])
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_word(&mut self) -> u64 {
        self.words = self.words.wrapping_add(1);
        self.state = self.state.wrapping_mul(PCG_MULTIPLIER);
        let s = self.state;
        // XSL-RR: xor the halves, rotate by the top 6 bits.
        #[allow(clippy::cast_possible_truncation)]
        let rot = (s >> 122) as u32;
        #[allow(clippy::cast_possible_truncation)]
        let xsl = ((s >> 64) as u64) ^ (s as u64);
        xsl.rotate_right(rot)
    }

    /// The words drawn and logarithms taken so far.
    #[must_use]
    pub fn counts(&self) -> (u32, u32) {
        (self.words, self.lns)
    }

    /// Counts a logarithm a caller took of this stream's draw.
    pub fn count_ln(&mut self) {
        self.lns = self.lns.wrapping_add(1);
    }

    /// A uniform number in [0, 1) with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        unit_from_bits(self.next_word())
    }

    /// A uniform number in (0, 1]: safe to take the logarithm of.
    #[inline]
    pub fn uniform_open0(&mut self) -> f64 {
        1.0 - self.uniform()
    }

    /// `true` with probability `p` (clamped to [0, 1]; NaN counts as 0).
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        // Always draw, so the stream position does not depend on p.
        let u = self.uniform();
        u < p
    }

    /// An exponential waiting time with the given mean (inverse transform). A mean that is
    /// not finite and positive gives `f64::INFINITY` for +inf and `0.0` otherwise.
    #[inline]
    pub fn exp(&mut self, mean_secs: f64) -> f64 {
        let u = self.uniform_open0();
        if mean_secs.is_nan() || mean_secs <= 0.0 {
            return 0.0;
        }
        if mean_secs.is_infinite() {
            return f64::INFINITY;
        }
        // u in (0, 1], so ln(u) <= 0 and the result is finite and >= 0.
        self.lns = self.lns.wrapping_add(1);
        -mean_secs * u.ln()
    }

    /// A uniform index in `0..n` (Lemire's multiply-shift without rejection: the bias is
    /// below n / 2^64, far under any tolerance here; `0` when `n == 0`).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        let w = self.next_word();
        #[allow(clippy::cast_possible_truncation)]
        let i = ((u128::from(w) * u128::from(n)) >> 64) as u64;
        i
    }

    /// A gamma variate with this shape and scale (mean shape × scale), via `rand_distr`.
    /// Non-finite or non-positive parameters give the mean-like fallback `max(shape × scale, 0)`
    /// (0 when that is NaN), so user data never produces NaN or a panic.
    pub fn gamma(&mut self, shape: f64, scale: f64) -> f64 {
        match Gamma::new(shape, scale) {
            Ok(g) if shape.is_finite() && scale.is_finite() && shape > 0.0 && scale > 0.0 => g.sample(self),
            _ => {
                let m = shape * scale;
                if m.is_finite() && m > 0.0 { m } else { 0.0 }
            }
        }
    }

    /// The per-user activity factor: gamma with shape `k` and scale `1/k` (mean 1).
    /// A shape that is not finite and positive gives exactly 1 (everyone alike).
    pub fn activity_factor(&mut self, shape: f64) -> f64 {
        if shape.is_finite() && shape > 0.0 { self.gamma(shape, 1.0 / shape) } else { 1.0 }
    }

    /// A normal variate (ziggurat, via `rand_distr::StandardNormal`). A non-finite mean gives 0,
    /// a non-finite or negative sd counts as 0.
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let z: f64 = StandardNormal.sample(self);
        let mean = if mean.is_finite() { mean } else { 0.0 };
        let sd = if sd.is_finite() && sd > 0.0 { sd } else { 0.0 };
        mean + sd * z
    }

    /// A Poisson count with mean `lambda` (via `rand_distr`); 0 when lambda is not finite and
    /// positive or too large for the sampler.
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        match Poisson::new(lambda) {
            Ok(p) if lambda.is_finite() && lambda > 0.0 => {
                let x: f64 = p.sample(self);
                // Poisson samples are whole, non-negative and far below 2^64 here.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let n = x.max(0.0) as u64;
                n
            }
            _ => 0,
        }
    }

    /// A binomial count of successes in `n` trials of probability `p` (via `rand_distr`);
    /// `p` is clamped to [0, 1] and a NaN counts as 0.
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        match Binomial::new(n, p) {
            Ok(b) => b.sample(self),
            Err(_) => 0,
        }
    }

    /// An index drawn with probability proportional to `weights` (negative and non-finite
    /// weights count as 0); `None` when no weight is positive.
    pub fn weighted_index(&mut self, weights: &[f64]) -> Option<usize> {
        let clean = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
        let total: f64 = weights.iter().copied().map(clean).sum();
        let u = self.uniform();
        if !(total.is_finite() && total > 0.0) {
            return None;
        }
        let target = u * total;
        let mut acc = 0.0;
        let mut last = None;
        for (i, &w) in weights.iter().enumerate() {
            let w = clean(w);
            if w > 0.0 {
                acc += w;
                last = Some(i);
                if target < acc {
                    return Some(i);
                }
            }
        }
        last
    }
}

impl TryRng for Stream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // The high half: the better-mixed bits.
        #[allow(clippy::cast_possible_truncation)]
        let x = (self.next_word() >> 32) as u32;
        Ok(x)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_word())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng as _, SeedableRng as _};
    use rand_distr::{Distribution as _, Exp, Normal};

    use super::*;

    fn first(mut s: Stream, n: usize) -> Vec<u64> {
        (0..n).map(|_| s.next_word()).collect()
    }

    #[test]
    fn same_key_same_sequence() {
        assert_eq!(first(Stream::node(7, 0, 42, 1, NodeId(3)), 16), first(Stream::node(7, 0, 42, 1, NodeId(3)), 16));
        assert_eq!(
            first(Stream::behaviour(7, 1, 42, name_hash("Charged")), 8),
            first(Stream::behaviour(7, 1, 42, name_hash("Charged")), 8)
        );
    }

    #[test]
    fn different_keys_differ() {
        let base = first(Stream::node(7, 0, 42, 1, NodeId(3)), 4);
        for other in [
            Stream::node(8, 0, 42, 1, NodeId(3)),
            Stream::node(7, 1, 42, 1, NodeId(3)),
            Stream::node(7, 0, 43, 1, NodeId(3)),
            Stream::node(7, 0, 42, 2, NodeId(3)),
            Stream::node(7, 0, 42, 1, NodeId(4)),
        ] {
            assert_ne!(first(other, 4), base);
        }
        // Kinds are separated by their tags even with equal words.
        assert_ne!(first(Stream::control(1, 2), 4), first(Stream::from_parts(&[1, 2]), 4));
        assert_ne!(first(Stream::split(1, 2, NodeId(0)), 4), first(Stream::control(1, 2), 4));
        assert_ne!(first(Stream::split(1, 2, NodeId(3)), 4), first(Stream::variant(1, 2, NodeId(3)), 4));
        assert_ne!(key(&[1]), key(&[1, 0]));
        assert_ne!(key(&[1, 2]), key(&[2, 1]));
        assert_ne!(name_hash("Charged"), name_hash("charged"));
    }

    #[test]
    fn golden_values_pin_the_algorithm() {
        // If this fails, the generator, the key mixing or the tags changed: every saved
        // journey would simulate differently. Change only on purpose, with a note.
        assert_eq!(name_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(name_hash("a"), 0xaf63_dc4c_8601_ec8c); // FNV-1a 64 reference value
        assert_eq!(first(Stream::from_state(1), 3), first(Stream::from_state(1), 3));
        let golden = first(Stream::control(1, 2), 3);
        assert_eq!(golden, GOLDEN_CONTROL_1_2.to_vec(), "got {golden:#x?}");
        assert_eq!(key(&[1, 2, 3]), GOLDEN_KEY_1_2_3, "got {:#x}", key(&[1, 2, 3]));
    }

    const GOLDEN_CONTROL_1_2: [u64; 3] = [0x5217_f153_930a_7e13, 0xa8b9_7950_88cc_fbe8, 0x9de2_70bf_735e_b121];
    const GOLDEN_KEY_1_2_3: u64 = 0xc5b4_3e17_6bcd_2771;

    #[test]
    fn matches_rand_pcg_reference() {
        let seed: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
        let mut reference = rand_pcg::Pcg64Mcg::new(seed);
        let mut ours = Stream::from_state(seed);
        for _ in 0..100 {
            assert_eq!(ours.next_u64(), reference.next_u64());
        }
        let _ = rand_pcg::Pcg64Mcg::seed_from_u64(0);
    }

    #[test]
    fn uniform_mean_and_range() {
        let mut s = Stream::control(3, 9);
        let n = 200_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let u = s.uniform();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        let mean = sum / f64::from(n);
        // sd of the mean = sqrt(1/12 / n) ≈ 0.00065; 5 sd.
        assert!((mean - 0.5).abs() < 0.0033, "mean {mean}");
    }

    #[test]
    fn gamma_activity_factor_has_mean_one() {
        let mut s = Stream::behaviour(11, 0, 5, name_hash("x"));
        for k in [0.5, 2.0, 10.0] {
            let n = 100_000;
            let mean: f64 = (0..n).map(|_| s.activity_factor(k)).sum::<f64>() / f64::from(n);
            // sd of the mean = sqrt(1/k / n); 5 sd.
            let tol = 5.0 * (1.0 / k / f64::from(n)).sqrt();
            assert!((mean - 1.0).abs() < tol, "k {k}: mean {mean}");
        }
    }

    #[test]
    fn rand_distr_distributions_sample_from_a_stream() {
        let mut s = Stream::node(1, 0, 1, 0, NodeId(1));
        let n = 100_000;
        let e = Exp::new(0.5).unwrap();
        let mean: f64 = (0..n).map(|_| e.sample(&mut s)).sum::<f64>() / f64::from(n);
        assert!((mean - 2.0).abs() < 5.0 * 2.0 / f64::from(n).sqrt(), "exp mean {mean}");
        let nd = Normal::new(3.0, 2.0).unwrap();
        let mean: f64 = (0..n).map(|_| nd.sample(&mut s)).sum::<f64>() / f64::from(n);
        assert!((mean - 3.0).abs() < 5.0 * 2.0 / f64::from(n).sqrt(), "normal mean {mean}");
        let x: u32 = s.next_u32();
        let _ = x;
    }

    #[test]
    fn helpers_have_the_right_means() {
        let mut s = Stream::split(5, 6, NodeId(7));
        let n = 100_000;
        let mean: f64 = (0..n).map(|_| s.exp(3600.0)).sum::<f64>() / f64::from(n);
        assert!((mean - 3600.0).abs() < 5.0 * 3600.0 / f64::from(n).sqrt(), "exp mean {mean}");
        let hits = (0..n).filter(|_| s.bernoulli(0.3)).count();
        let z = (hits as f64 - 30_000.0) / (f64::from(n) * 0.3 * 0.7).sqrt();
        assert!(z.abs() < 4.0, "bernoulli z {z}");
        let mean: f64 = (0..n).map(|_| s.normal(10.0, 2.0)).sum::<f64>() / f64::from(n);
        assert!((mean - 10.0).abs() < 5.0 * 2.0 / f64::from(n).sqrt(), "normal mean {mean}");
        let mean: f64 = (0..n).map(|_| s.poisson(4.0) as f64).sum::<f64>() / f64::from(n);
        assert!((mean - 4.0).abs() < 5.0 * 2.0 / f64::from(n).sqrt(), "poisson mean {mean}");
        let counts = (0..n).fold([0u32; 3], |mut c, _| {
            c[s.below(3) as usize] += 1;
            c
        });
        for c in counts {
            assert!((f64::from(c) - f64::from(n) / 3.0).abs() < 5.0 * (f64::from(n) * 2.0 / 9.0).sqrt());
        }
    }

    #[test]
    fn degenerate_parameters_give_numbers_not_nan() {
        let mut s = Stream::control(0, 0);
        for bad in [f64::NAN, -1.0, 0.0, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(!s.exp(bad).is_nan() && s.exp(bad) >= 0.0);
            assert!(!s.gamma(bad, 1.0).is_nan());
            assert!(!s.gamma(1.0, bad).is_nan());
            assert!(!s.normal(bad, 1.0).is_nan());
            assert!(!s.normal(0.0, bad).is_nan());
            assert!(!s.activity_factor(bad).is_nan());
            let _ = s.poisson(bad);
            let _ = s.bernoulli(bad);
        }
        assert!(!s.bernoulli(0.0));
        assert!(s.bernoulli(1.0));
        assert_eq!(s.below(0), 0);
        assert_eq!(s.poisson(1e300), 0);
        assert_eq!(s.weighted_index(&[]), None);
        assert_eq!(s.weighted_index(&[0.0, -1.0, f64::NAN]), None);
        assert_eq!(s.weighted_index(&[0.0, 2.0, 0.0]), Some(1));
    }

    #[test]
    fn hash_unit_is_in_range_and_stable() {
        let u = hash_unit(&[1, 2, 3]);
        assert!((0.0..1.0).contains(&u));
        assert_eq!(u, hash_unit(&[1, 2, 3]));
        assert_ne!(u, hash_unit(&[1, 2, 4]));
    }
}
