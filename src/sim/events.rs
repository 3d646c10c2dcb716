//! One fixed realisation of every user's event process, read lazily (SPEC §2, §2.1, §3.2).
//!
//! A user's occurrences of an event form a Poisson process whose rate is piecewise constant
//! per local hour: mean rate × the user's activity factor × the hourly activity curve (in
//! the user's time zone). The engine never generates the whole process. Time is cut into
//! fixed **blocks** (UTC days since the epoch), and each block is drawn from its own keyed
//! stream, (seed, replicate, user, event, block), whatever part of it a journey reads:
//! - the number of occurrences in the block, one Poisson draw (an empty block costs one
//!   uniform against the precomputed e^−Λ);
//! - their instants, by inverting the block's cumulative rate ([`DayShape`]);
//! - with engagement multipliers below 1, a height in [0, 1) per occurrence, after the
//!   instants (so the instants never depend on it).
//!
//! **Engagement** (a multiplier M(t) for some hours after a view or click) acts on this
//! fixed realisation as a marked process on time × height: the base occurrences have
//! heights in [0, 1), and extra unit layers [1, 2), [2, 3), … come from a second keyed
//! stream per block, layer after layer. An occurrence counts when its height is below
//! M(t). So the realisation without engagement never changes, and two journeys that
//! engage the user differently still share every occurrence they both see (common random
//! numbers, SPEC §3.2).
//!
//! Invariants: a block's content depends only on its key, the scenario and the user's
//! factor and time zone, never on what the journey reads or when; instants are whole
//! microseconds; the occurrence id (block, layer, index) names the same occurrence in
//! every reading, so its event properties are the same too.

use super::rng::{DrawCount, Stream, key_push};

/// Microseconds per second.
pub const US: i64 = 1_000_000;
/// Seconds per block (one UTC day).
pub const BLOCK_SECS: i64 = 86_400;
/// Most occurrences drawn in one block and layer (far above any valid scenario).
pub const MAX_PER_BLOCK: u64 = (1 << 20) - 1;
/// Most extra unit layers drawn for engagement multipliers above 1.
pub const MAX_LAYERS: u32 = 1_023;
/// Above this mean a block's count comes from `rand_distr`'s Poisson sampler instead of
/// inversion from one uniform.
const INVERSION_MAX_MEAN: f64 = 30.0;
/// Key word that separates the engagement layers' stream from the base stream.
const TAG_LAYERS: u64 = 0x6c61_7965_7273_2b31; // "layers+1"

/// The block (UTC day since the epoch) holding instant `t` (seconds).
#[must_use]
pub fn block_of(t: i64) -> i64 {
    t.div_euclid(BLOCK_SECS)
}

/// The activity curve over one block in one time zone: pieces of constant weight.
#[derive(Clone, Debug, PartialEq)]
pub struct DayShape {
    /// Piece starts, seconds into the block (the first is 0).
    starts: Vec<u32>,
    /// Curve weight of each piece (the normalised curve has mean 1).
    weights: Vec<f64>,
    /// Cumulative weight × seconds at each piece start, then the total.
    cum: Vec<f64>,
    /// Whether the UTC offset is the same all block long (then the total is one day of
    /// the normalised curve, 86,400).
    pub regular: bool,
    /// For each of [`GUIDE`] equal slices of the total, the piece where the slice starts,
    /// so that an inversion scans one or two pieces instead of searching them all.
    guide: Vec<u8>,
    /// [`GUIDE`] / total (0 for an empty shape): a multiplication finds the slice.
    guide_scale: f64,
}

/// Slices of a [`DayShape`]'s guide table.
const GUIDE: usize = 128;

impl DayShape {
    /// The shape of a block whose UTC hour `h` has the UTC offset `offsets[h]` (seconds),
    /// for the normalised 24-hour `curve` in local time. Offsets are taken at each UTC
    /// hour's start, as everywhere in the engine.
    #[must_use]
    pub fn new(offsets: &[i32; 24], curve: &[f64; 24]) -> Self {
        let mut starts = Vec::with_capacity(48);
        let mut weights = Vec::with_capacity(48);
        for (h, &off) in offsets.iter().enumerate() {
            let hs = i64::try_from(h).unwrap_or(0) * 3_600;
            let local = (hs + i64::from(off)).rem_euclid(86_400);
            let lh = usize::try_from(local / 3_600).unwrap_or(0) % 24;
            let split = (3_600 - local % 3_600) % 3_600;
            let mut push = |s: i64, w: f64| {
                let s = u32::try_from(s).unwrap_or(0);
                if weights.last() == Some(&w) {
                    return;
                }
                starts.push(s);
                weights.push(w);
            };
            push(hs, curve[lh]);
            if split != 0 {
                push(hs + split, curve[(lh + 1) % 24]);
            }
        }
        let mut cum = Vec::with_capacity(starts.len() + 1);
        let mut acc = 0.0;
        for (i, &s) in starts.iter().enumerate() {
            cum.push(acc);
            let end = starts.get(i + 1).copied().unwrap_or(86_400);
            acc += weights[i] * f64::from(end - s);
        }
        cum.push(acc);
        let regular = offsets.iter().all(|o| *o == offsets[0]);
        let mut shape = Self { starts, weights, cum, regular, guide: Vec::new(), guide_scale: 0.0 };
        let total = shape.total();
        #[allow(clippy::cast_precision_loss)]
        let guide = (0..GUIDE)
            .map(|j| {
                let x = total * j as f64 / GUIDE as f64;
                u8::try_from(shape.piece(x)).unwrap_or(u8::MAX)
            })
            .collect();
        shape.guide = guide;
        #[allow(clippy::cast_precision_loss)]
        let scale = if total > 0.0 { GUIDE as f64 / total } else { 0.0 };
        shape.guide_scale = scale;
        shape
    }

    /// The piece i with cum[i] <= x < cum[i + 1] (empty pieces can never hold x).
    fn piece(&self, x: f64) -> usize {
        self.cum[1..].partition_point(|c| *c <= x).min(self.weights.len().saturating_sub(1))
    }

    /// The integral of the curve over the block (curve-weighted seconds).
    #[must_use]
    pub fn total(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }

    /// The instant, in microseconds into the block, where the cumulative weight reaches
    /// `x` (0 ≤ x < total): the inverse of the cumulative rate.
    #[must_use]
    pub fn invert_us(&self, x: f64) -> i64 {
        let n = self.weights.len();
        // Start at the guide's piece for x's slice, then step to the piece holding x (back
        // first, should rounding have put x in the next slice).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let slice = ((x * self.guide_scale) as usize).min(GUIDE - 1);
        let mut i = self.guide.get(slice).map_or(0, |g| usize::from(*g)).min(n.saturating_sub(1));
        while i > 0 && self.cum[i] > x {
            i -= 1;
        }
        while i + 1 < n && self.cum[i + 1] <= x {
            i += 1;
        }
        debug_assert_eq!(i, self.piece(x));
        let w = self.weights[i];
        let start = f64::from(self.starts[i]);
        let end = f64::from(self.starts.get(i + 1).copied().unwrap_or(86_400));
        let secs = if w > 0.0 { (start + (x - self.cum[i]) / w).min(end) } else { start };
        // Whole microseconds; below 86,400 s, so the cast cannot overflow.
        #[allow(clippy::cast_possible_truncation)]
        let us = (secs * 1e6) as i64;
        us.clamp(0, BLOCK_SECS * US - 1)
    }
}

/// One occurrence of an event in the fixed realisation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Occ {
    /// The instant, microseconds since the epoch.
    pub us: i64,
    /// Names the occurrence (block, layer, index) for its properties.
    pub id: u64,
    /// Its height: it counts when the engagement multiplier at its instant is above this.
    pub height: f64,
}

impl Occ {
    /// The instant in whole seconds.
    #[must_use]
    pub fn secs(&self) -> i64 {
        self.us.div_euclid(US)
    }
}

/// The id of occurrence `index` of `layer` in `block`.
#[must_use]
pub fn occ_id(block: i64, layer: u32, index: u64) -> u64 {
    #[allow(clippy::cast_sign_loss)]
    let b = block as u64;
    (b << 30) | (u64::from(layer & MAX_LAYERS) << 20) | (index & MAX_PER_BLOCK)
}

/// A Poisson count with mean `mean`, where `e_neg` is e^−mean. Small means invert one
/// uniform (the common case costs one draw and no logarithm); large means use
/// `rand_distr`. Deterministic for a given stream and mean.
pub fn poisson_count(st: &mut Stream, mean: f64, e_neg: f64) -> u64 {
    if !(mean.is_finite() && mean > 0.0) {
        return 0;
    }
    if mean > INVERSION_MAX_MEAN {
        return st.poisson(mean).min(MAX_PER_BLOCK);
    }
    let u = st.uniform();
    let mut p = e_neg;
    let mut f = p;
    let mut k = 0u64;
    while u >= f && k < MAX_PER_BLOCK {
        k += 1;
        #[allow(clippy::cast_precision_loss)]
        let kf = k as f64;
        p *= mean / kf;
        if p <= 0.0 {
            break;
        }
        f += p;
    }
    k
}

/// The block length, in days, of an event with this mean rate per user per day: the
/// largest power of two up to 64 days that holds about two occurrences, so a rare event
/// (a purchase) costs one draw a month and a frequent one (an app launch) one a day. It
/// depends on the scenario alone, never on the journey.
#[must_use]
pub fn block_days(rate_per_day: f64) -> u32 {
    let mut days = 1u32;
    while days < 64 && f64::from(days * 2) * rate_per_day <= 2.0 {
        days *= 2;
    }
    days
}

/// How to draw one block of one user's event.
#[derive(Clone, Copy, Debug)]
pub struct BlockSpec<'a> {
    /// The key chain up to (…, user, event), see [`key_push`].
    pub prefix: u64,
    /// The block: days `block × days` to `(block + 1) × days` since the epoch.
    pub block: i64,
    /// The block length in days ([`block_days`]).
    pub days: u32,
    /// The user's mean rate per curve-weighted second (rate × activity factor).
    pub lam: f64,
    /// The activity curve of every day, and the user's zone in it.
    pub shapes: &'a Shapes,
    /// The user's zone.
    pub zone: usize,
    /// e^−(lam × 86,400 × days), for blocks without a change of UTC offset.
    pub e_neg_regular: f64,
    /// Draw a height per base occurrence (some multiplier is below 1).
    pub heights: bool,
    /// Extra unit layers to draw (engagement above 1 touches this block).
    pub layers: u32,
}

impl BlockSpec<'_> {
    fn first_day(&self) -> i64 {
        self.block.saturating_mul(i64::from(self.days))
    }

    /// The curve-weighted length of the block, and whether every day is regular.
    fn total(&self) -> (f64, bool) {
        let d0 = self.first_day();
        if self.shapes.regular_run(self.zone, d0, self.days) {
            return (86_400.0 * f64::from(self.days), true);
        }
        let sum = (0..i64::from(self.days)).map(|d| self.shapes.day(self.zone, d0 + d).total()).sum();
        (sum, false)
    }

    fn mean_and_e_neg(&self) -> (f64, f64, f64, bool) {
        let (total, regular) = self.total();
        let mean = self.lam * total;
        let e_neg = if regular { self.e_neg_regular } else { (-mean).exp() };
        (mean, e_neg, total, regular)
    }

    /// The instant (µs since the epoch) where the block's cumulative weight reaches `x`.
    fn invert(&self, x: f64, regular: bool) -> i64 {
        let d0 = self.first_day();
        let last = i64::from(self.days) - 1;
        let (d, rest) = if regular {
            // Every day weighs 86,400: the day is a division away.
            #[allow(clippy::cast_possible_truncation)]
            let d = ((x / 86_400.0) as i64).clamp(0, last);
            #[allow(clippy::cast_precision_loss)]
            let rest = x - d as f64 * 86_400.0;
            (d, rest)
        } else {
            let mut rest = x;
            let mut d = 0;
            while d < last {
                let t = self.shapes.day(self.zone, d0 + d).total();
                if rest < t {
                    break;
                }
                rest -= t;
                d += 1;
            }
            (d, rest)
        };
        let shape = self.shapes.day(self.zone, d0 + d);
        let rest = rest.clamp(0.0, (shape.total() - 1e-9).max(0.0));
        (d0 + d).saturating_mul(BLOCK_SECS * US) + shape.invert_us(rest)
    }

    fn key(&self) -> u64 {
        #[allow(clippy::cast_sign_loss)]
        let b = self.block as u64;
        key_push(self.prefix, (b << 8) | u64::from(self.days))
    }

    /// The number of base occurrences in the block (the first draw of its stream, the
    /// same number [`Self::draw`] draws), and counts its draws into `count`.
    pub fn count(&self, count: &mut DrawCount) -> u64 {
        let (mean, e_neg, _, _) = self.mean_and_e_neg();
        if mean <= 0.0 {
            return 0;
        }
        let mut st = Stream::from_key(self.key());
        let n = poisson_count(&mut st, mean, e_neg);
        count.add_stream(&st);
        n
    }

    /// Appends the block's occurrences to `out`, sorted by instant (base and layers
    /// together), and counts its draws into `count`.
    pub fn draw(&self, out: &mut Vec<Occ>, count: &mut DrawCount) {
        let (mean, e_neg, total, regular) = self.mean_and_e_neg();
        if mean <= 0.0 {
            return;
        }
        let key = self.key();
        let first = out.len();
        let mut st = Stream::from_key(key);
        let n = poisson_count(&mut st, mean, e_neg);
        for i in 0..n {
            let x = st.uniform() * total;
            out.push(Occ { us: self.invert(x, regular), id: occ_id(self.block, 0, i), height: 0.0 });
        }
        if self.heights {
            for o in &mut out[first..] {
                o.height = st.uniform();
            }
        }
        if self.layers > 0 {
            let mut up = Stream::from_key(key_push(key, TAG_LAYERS));
            for layer in 1..=self.layers.min(MAX_LAYERS) {
                let m = poisson_count(&mut up, mean, e_neg);
                for i in 0..m {
                    let x = up.uniform() * total;
                    let h = f64::from(layer) + up.uniform();
                    out.push(Occ { us: self.invert(x, regular), id: occ_id(self.block, layer, i), height: h });
                }
            }
            count.add_stream(&up);
        }
        count.add_stream(&st);
        if out.len() - first > 1 {
            out[first..].sort_unstable_by_key(|o| (o.us, o.id));
        }
    }
}

/// Per time zone, the [`DayShape`] of every day of a run (shared, deduplicated).
#[derive(Clone, Debug, Default)]
pub struct Shapes {
    /// Distinct shapes.
    pub shapes: Vec<DayShape>,
    /// First day covered (UTC days since the epoch).
    pub first_day: i64,
    /// Days covered.
    pub days: usize,
    /// Per time zone, per day from `first_day`, the index into `shapes`.
    pub index: Vec<Vec<u32>>,
    /// Per time zone, the number of irregular days before each day (and one more entry),
    /// so that "every day of this block is regular" is two reads.
    irregular_before: Vec<Vec<u32>>,
}

impl Shapes {
    /// Shapes for the zones whose UTC offset at an instant is `offset(zone, t)`, over the
    /// days from `first_day` to `last_day` inclusive.
    pub fn build(
        zones: usize,
        first_day: i64,
        last_day: i64,
        curve: &[f64; 24],
        offset: &dyn Fn(usize, i64) -> i32,
    ) -> Self {
        let days = usize::try_from(last_day - first_day + 1).unwrap_or(0);
        let mut out = Self {
            shapes: Vec::new(),
            first_day,
            days,
            index: Vec::with_capacity(zones),
            irregular_before: Vec::new(),
        };
        let mut seen: std::collections::HashMap<[i32; 24], u32> = std::collections::HashMap::new();
        for z in 0..zones {
            let mut row = Vec::with_capacity(days);
            let mut irregular = Vec::with_capacity(days + 1);
            let mut count = 0u32;
            for d in first_day..=last_day {
                let offs = block_offsets(d, &|t| offset(z, t));
                let i = *seen.entry(offs).or_insert_with(|| {
                    out.shapes.push(DayShape::new(&offs, curve));
                    u32::try_from(out.shapes.len() - 1).unwrap_or(0)
                });
                irregular.push(count);
                if !out.shapes[i as usize].regular {
                    count += 1;
                }
                row.push(i);
            }
            irregular.push(count);
            out.index.push(row);
            out.irregular_before.push(irregular);
        }
        out
    }

    fn day_index(&self, day: i64) -> usize {
        let last = i64::try_from(self.days).unwrap_or(1).max(1) - 1;
        usize::try_from((day - self.first_day).clamp(0, last)).unwrap_or(0)
    }

    /// The shape of `day` in zone `zone`. The plan covers every day a run can read;
    /// a day outside takes the nearest covered day's shape.
    #[must_use]
    pub fn day(&self, zone: usize, day: i64) -> &DayShape {
        let i = self.day_index(day);
        let s = self.index.get(zone).and_then(|r| r.get(i)).copied().unwrap_or(0);
        &self.shapes[usize::try_from(s).unwrap_or(0).min(self.shapes.len().saturating_sub(1))]
    }

    /// Whether the `days` days from `first` all keep one UTC offset in zone `zone`.
    #[must_use]
    pub fn regular_run(&self, zone: usize, first: i64, days: u32) -> bool {
        let Some(row) = self.irregular_before.get(zone) else { return true };
        let a = self.day_index(first);
        let b = self.day_index(first + i64::from(days) - 1) + 1;
        row.get(b).copied().unwrap_or(0) == row.get(a).copied().unwrap_or(0)
    }
}

/// The UTC offsets at the start of each UTC hour of a block. A zone changes its offset
/// at most once a day, so one look at each end decides the common case.
#[must_use]
pub fn block_offsets(block: i64, offset: &dyn Fn(i64) -> i32) -> [i32; 24] {
    let t0 = block.saturating_mul(BLOCK_SECS);
    let a = offset(t0);
    let b = offset(t0 + BLOCK_SECS - 3_600);
    if a == b {
        return [a; 24];
    }
    let mut offs = [a; 24];
    for (h, o) in offs.iter_mut().enumerate() {
        *o = offset(t0 + i64::try_from(h).unwrap_or(0) * 3_600);
    }
    offs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{key, key_start};

    fn flat() -> [f64; 24] {
        [1.0; 24]
    }

    #[test]
    fn a_regular_shape_covers_one_day_of_the_curve() {
        let mut curve = [0.5; 24];
        curve[12] = 12.5;
        let s = DayShape::new(&[0; 24], &curve);
        assert!(s.regular);
        assert!((s.total() - 86_400.0).abs() < 1e-6);
        // Half the weight sits in local hour 12 (12:00–13:00 UTC at offset 0).
        let mid = s.invert_us(s.total() * 0.75);
        assert!((12 * 3_600 * US..13 * 3_600 * US).contains(&mid), "{mid}");
        // Kolkata (+05:30): local hour 12 is 06:30–07:30 UTC.
        let k = DayShape::new(&[19_800; 24], &curve);
        assert!((k.total() - 86_400.0).abs() < 1e-6);
        // From 00:00 UTC (05:30 local): 6.5 light hours (11,700), then half of hour 12.
        let mid = k.invert_us(11_700.0 + 22_500.0);
        assert_eq!(mid, 7 * 3_600 * US);
        assert!((6 * 3_600 * US + 1_800 * US..7 * 3_600 * US + 1_800 * US).contains(&mid), "{mid}");
    }

    #[test]
    fn inversion_is_monotone_and_skips_empty_hours() {
        let mut curve = flat();
        curve[3] = 0.0;
        let s = DayShape::new(&[0; 24], &curve);
        let mut last = -1;
        for i in 0..10_000 {
            let x = s.total() * f64::from(i) / 10_000.0;
            let us = s.invert_us(x);
            assert!(us >= last);
            assert!(!(3 * 3_600 * US..4 * 3_600 * US).contains(&us) || us == 4 * 3_600 * US, "{us}");
            last = us;
        }
    }

    #[test]
    fn a_dst_block_is_not_regular() {
        let mut offs = [-18_000; 24];
        for o in &mut offs[7..] {
            *o = -14_400;
        }
        let s = DayShape::new(&offs, &flat());
        assert!(!s.regular);
        assert!((s.total() - 86_400.0).abs() < 1e-6);
    }

    #[test]
    fn poisson_counts_have_the_right_mean() {
        for mean in [0.05, 1.5, 12.0, 80.0] {
            let mut st = Stream::from_key(7);
            let n = 50_000;
            let sum: u64 = (0..n).map(|_| poisson_count(&mut st, mean, (-mean).exp())).sum();
            #[allow(clippy::cast_precision_loss)]
            let got = sum as f64 / f64::from(n);
            let se = (mean / f64::from(n)).sqrt();
            assert!((got - mean).abs() < 5.0 * se, "mean {mean}: {got}");
        }
    }

    fn shapes(curve: &[f64; 24], offset: i32) -> Shapes {
        Shapes::build(1, 19_990, 24_100, curve, &|_, _| offset)
    }

    #[test]
    fn a_block_is_the_same_whatever_else_is_drawn() {
        let sh = shapes(&flat(), 0);
        let prefix = key_push(key_push(key_start(6), 1), 2);
        let spec = |heights, layers| BlockSpec {
            prefix,
            block: 20_000,
            days: 1,
            lam: 5.0 / 86_400.0,
            shapes: &sh,
            zone: 0,
            e_neg_regular: (-5.0f64).exp(),
            heights,
            layers,
        };
        let mut plain = Vec::new();
        spec(false, 0).draw(&mut plain, &mut DrawCount::default());
        let mut more = Vec::new();
        spec(true, 3).draw(&mut more, &mut DrawCount::default());
        let base: Vec<(i64, u64)> = more.iter().filter(|o| o.height < 1.0).map(|o| (o.us, o.id)).collect();
        assert_eq!(base, plain.iter().map(|o| (o.us, o.id)).collect::<Vec<_>>());
        assert!(more.len() > plain.len());
        assert_eq!(spec(false, 0).count(&mut DrawCount::default()), plain.len() as u64);
        assert!(plain.windows(2).all(|w| w[0].us <= w[1].us));
        // The chained key is the plain key of the same words.
        assert_eq!(key_push(key_push(key_push(key_start(3), 1), 2), 3), key(&[1, 2, 3]));
    }

    #[test]
    fn block_lengths_follow_the_rate() {
        assert_eq!(block_days(2.0), 1);
        assert_eq!(block_days(1.0), 2);
        assert_eq!(block_days(0.3), 4);
        assert_eq!(block_days(0.05), 32);
        assert_eq!(block_days(0.0), 64);
        assert_eq!(block_days(10_000.0), 1);
    }

    #[test]
    fn occurrences_follow_the_rate_and_the_curve_in_long_blocks_too() {
        let mut curve = [0.0; 24];
        curve[9] = 24.0;
        for (days, offset) in [(1u32, 0), (8, 0), (32, 19_800)] {
            let sh = shapes(&curve, offset);
            let mut all = Vec::new();
            let blocks = 4_000 / i64::from(days);
            for b in 0..blocks {
                let spec = BlockSpec {
                    prefix: key_push(key_start(6), 99),
                    block: 20_000 / i64::from(days) + b,
                    days,
                    lam: 2.0 / 86_400.0,
                    shapes: &sh,
                    zone: 0,
                    e_neg_regular: (-2.0 * f64::from(days)).exp(),
                    heights: false,
                    layers: 0,
                };
                spec.draw(&mut all, &mut DrawCount::default());
            }
            #[allow(clippy::cast_precision_loss)]
            let n_days = (blocks * i64::from(days)) as f64;
            #[allow(clippy::cast_precision_loss)]
            let per_day = all.len() as f64 / n_days;
            assert!((per_day - 2.0).abs() < 5.0 * (2.0 / n_days).sqrt(), "{days} days: {per_day}");
            // Local hour 9 only.
            let off = i64::from(offset);
            assert!(all.iter().all(|o| (o.secs() + off).rem_euclid(86_400) / 3_600 == 9), "{days} days");
            assert!(all.windows(2).all(|w| w[0].us <= w[1].us));
        }
    }

    #[test]
    fn a_dst_change_inside_a_long_block_moves_the_hours() {
        // New York, spring forward on 2027-03-14 (day 20_891) at 07:00 UTC.
        let change = 20_891 * 86_400 + 7 * 3_600;
        let mut curve = [0.0; 24];
        curve[9] = 24.0;
        let sh = Shapes::build(1, 20_800, 21_000, &curve, &|_, t| if t < change { -18_000 } else { -14_400 });
        let spec = BlockSpec {
            prefix: key_push(key_start(6), 5),
            block: 20_864 / 32,
            days: 32,
            lam: 50.0 / 86_400.0,
            shapes: &sh,
            zone: 0,
            e_neg_regular: (-50.0f64 * 32.0).exp(),
            heights: false,
            layers: 0,
        };
        let mut all = Vec::new();
        spec.draw(&mut all, &mut DrawCount::default());
        assert!(all.len() > 1_000);
        for o in &all {
            let t = o.secs();
            let off = if t < change { -18_000 } else { -14_400 };
            assert_eq!((t + off).rem_euclid(86_400) / 3_600, 9, "at {t}");
        }
    }
}
