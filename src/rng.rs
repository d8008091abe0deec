//! The seeded random source: every random draw in the emulator comes from here.
//!
//! One `--random-seed` makes generated ids, codes and (later) fault decisions replay exactly.
//! The OS RNG is read once, to pick a seed when none is given.

use rand::{Rng, RngCore, SeedableRng, TryRngCore};
use rand_chacha::ChaCha8Rng;
use std::sync::Mutex;

#[derive(Debug)]
pub struct SeededRng {
    // A std mutex: draws are short and never await.
    inner: Mutex<ChaCha8Rng>,
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        Self { inner: Mutex::new(ChaCha8Rng::seed_from_u64(seed)) }
    }

    /// A seed from the operating system, for runs that did not pin one.
    pub fn os_seed() -> u64 {
        rand::rngs::OsRng.try_next_u64().unwrap_or(0x5eed)
    }

    fn with<T>(&self, f: impl FnOnce(&mut ChaCha8Rng) -> T) -> T {
        let mut rng = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut rng)
    }

    pub fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut out = [0u8; N];
        self.with(|r| r.fill_bytes(&mut out));
        out
    }

    /// `n` lowercase hex digits (Auth0 user ids are 24).
    pub fn hex(&self, n: usize) -> String {
        self.with(|r| (0..n).map(|_| char::from(b"0123456789abcdef"[r.random_range(0..16)])).collect())
    }

    /// `n` ASCII letters and digits (`rol_` + 16, `con_` + 16, client ids 32).
    pub fn alnum(&self, n: usize) -> String {
        self.with(|r| (0..n).map(|_| char::from(ALNUM[r.random_range(0..ALNUM.len())])).collect())
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&self) -> f64 {
        self.with(|r| r.random::<f64>())
    }

    /// A standard normal sample (Box-Muller over two uniform draws), for log-normal latencies.
    pub fn standard_normal(&self) -> f64 {
        let (u1, u2) = self.with(|r| (r.random::<f64>(), r.random::<f64>()));
        // 1 - u1 is in (0, 1], so the logarithm is finite.
        (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_replays_the_same_ids() {
        let (a, b) = (SeededRng::new(7), SeededRng::new(7));
        assert_eq!(a.hex(24), b.hex(24));
        assert_eq!(a.alnum(16), b.alnum(16));
        assert_ne!(SeededRng::new(8).hex(24), SeededRng::new(7).hex(24));
    }

    #[test]
    fn normal_samples_centre_on_zero() {
        let rng = SeededRng::new(3);
        let samples: Vec<f64> = (0..10_000).map(|_| rng.standard_normal()).collect();
        let mean = samples.iter().sum::<f64>() / 10_000.0;
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 10_000.0;
        assert!(mean.abs() < 0.05 && (var - 1.0).abs() < 0.05, "mean {mean} var {var}");
    }

    #[test]
    fn ids_have_auth0_shapes() {
        let rng = SeededRng::new(1);
        let hex = rng.hex(24);
        assert_eq!(hex.len(), 24);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert!(rng.alnum(16).bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
