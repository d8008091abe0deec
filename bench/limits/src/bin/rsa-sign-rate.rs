//! RSA-2048 signing rate with one parsed, cached key pair: the ceiling for RS256 token minting.
//!
//! Signs a token-sized message (RSASSA-PKCS1-v1_5 with SHA-256, what RS256 is) in a loop on
//! `--threads` threads sharing one `aws_lc_rs::rsa::KeyPair`, the way the emulator shares its
//! tenant key, for `--seconds`, and prints one JSON line: `{"threads","seconds","signatures","per_second"}`.
//!
//! Usage: rsa-sign-rate [--threads N] [--seconds S]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;

/// About the size of a client-credentials JWS signing input (base64url header '.' payload).
const MESSAGE_LEN: usize = 560;

fn main() {
    let mut threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut seconds = 5.0_f64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_default();
        match arg.as_str() {
            "--threads" => threads = value.parse().expect("--threads N"),
            "--seconds" => seconds = value.parse().expect("--seconds S"),
            other => panic!("unknown argument {other}"),
        }
    }
    let pair = Arc::new(KeyPair::generate(KeySize::Rsa2048).expect("RSA-2048 key"));
    let message: Arc<Vec<u8>> = Arc::new((0..MESSAGE_LEN).map(|i| b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i % 64]).collect());
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (pair, message, stop, count) = (pair.clone(), message.clone(), stop.clone(), count.clone());
            std::thread::spawn(move || {
                let rng = SystemRandom::new();
                let mut signature = vec![0u8; pair.public_modulus_len()];
                let mut done = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    pair.sign(&RSA_PKCS1_SHA256, &rng, &message, &mut signature).expect("sign");
                    done += 1;
                }
                count.fetch_add(done, Ordering::Relaxed);
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().expect("worker");
    }
    let elapsed = start.elapsed().as_secs_f64();
    let signatures = count.load(Ordering::Relaxed);
    println!(
        "{{\"threads\":{threads},\"seconds\":{elapsed:.3},\"signatures\":{signatures},\"per_second\":{:.1}}}",
        signatures as f64 / elapsed
    );
}
