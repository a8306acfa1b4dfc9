//! A small mutation fuzzer on the stable toolchain, for the parsers that read what people and
//! files send: the import readers (CSV, XLSX, ODS), the person-name normaliser, the form
//! decoder, the date readers. Each target starts from valid inputs, mutates them (bit flips,
//! random and « interesting » bytes, cuts, copies, splices), keeps as new seeds the inputs that
//! reach an outcome not seen before (a coarse coverage signal: the target names its outcome),
//! and fails on the first panic or broken property, writing the input to
//! `target/fuzz-failures/` and printing the seed that replays the run.
//!
//! Bounded in time: `PASSERELLE_FUZZ_SECONDS` per target (3 s by default; `.ci/run` sets
//! more), `PASSERELLE_FUZZ_SEED` to replay a run. Shared by the domain's, the store's and the
//! web crate's fuzz tests (each includes this file with `#[path]`).
#![allow(dead_code)]

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// Bytes that parsers treat specially: separators, quotes, escapes, multi-byte starts, signs,
/// long digits, far-off years, XML and zip markers.
const INTERESTING: &[&[u8]] = &[
    b";",
    b",",
    b"\"",
    b"\n",
    b"\r\n",
    b"\t",
    b"%",
    b"%C3%A9",
    b"%ZZ",
    b"%C3",
    b"+",
    b"&",
    b"=",
    b"<",
    b">",
    b"</",
    b"&amp;",
    b"&#0;",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xae",
    b"\xef\xbb\xbf",
    b"0",
    b"-1",
    b"99999999999999999999",
    b"2999",
    b"0000",
    b"31/02/2024",
    b"29/02/2023",
    b"9999-12-31",
    b"\xc3\xa9",
    b"\xcc\x81",
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"PK\x05\x06",
];

/// A reproducible random sequence (xorshift64*), enough for choosing mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    for _ in 0..=rng.below(6) {
        let len = input.len();
        match rng.below(8) {
            0 if len > 0 => {
                let at = rng.below(len);
                input[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                input[at] = rng.next() as u8;
            }
            2 => {
                let at = rng.below(len + 1);
                let token = INTERESTING[rng.below(INTERESTING.len())];
                input.splice(at..at, token.iter().copied());
            }
            3 if len > 0 => {
                let from = rng.below(len);
                let to = (from + 1 + rng.below(64)).min(len);
                input.drain(from..to);
            }
            4 if len > 0 => {
                // A copy of a piece of itself elsewhere (repeated rows, nested structures).
                let from = rng.below(len);
                let to = (from + 1 + rng.below(256)).min(len);
                let piece: Vec<u8> = input[from..to].to_vec();
                let at = rng.below(input.len() + 1);
                input.splice(at..at, piece);
            }
            5 if !corpus.is_empty() => {
                // The head of this one, the tail of another.
                let other = &corpus[rng.below(corpus.len())];
                let cut = rng.below(input.len() + 1);
                let other_cut = rng.below(other.len() + 1);
                input.truncate(cut);
                input.extend_from_slice(&other[other_cut..]);
            }
            6 => {
                let at = rng.below(len + 1);
                let bytes: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next() as u8).collect();
                input.splice(at..at, bytes);
            }
            _ if len > 1 => {
                input.truncate(rng.below(len));
            }
            _ => input.push(rng.next() as u8),
        }
    }
    input.truncate(1 << 20);
}

fn seconds() -> Duration {
    let seconds = std::env::var("PASSERELLE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(seconds)
}

fn first_seed() -> u64 {
    std::env::var("PASSERELLE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// Fuzzes `target` from `seeds` for the configured time. `target` checks its properties with
/// `assert!` (a panic is a finding) and names the outcome it reached (for the corpus).
pub fn fuzz(name: &str, seeds: &[Vec<u8>], target: impl Fn(&[u8]) -> String) {
    let seed = first_seed();
    let mut rng = Rng::new(seed);
    let mut corpus: Vec<Vec<u8>> = seeds.to_vec();
    let mut outcomes: HashSet<String> = HashSet::new();
    let deadline = Instant::now() + seconds();
    let mut runs = 0u64;
    // The seeds themselves first, then mutants until the deadline.
    let mut pending: Vec<Vec<u8>> = seeds.to_vec();
    loop {
        let input = match pending.pop() {
            Some(input) => input,
            None if Instant::now() < deadline => {
                let mut input = corpus[rng.below(corpus.len())].clone();
                mutate(&mut rng, &mut input, &corpus);
                input
            }
            None => break,
        };
        runs += 1;
        match catch_unwind(AssertUnwindSafe(|| target(&input))) {
            Ok(outcome) => {
                if outcomes.insert(outcome) && corpus.len() < 4096 {
                    corpus.push(input);
                }
            }
            Err(panic) => {
                let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../target/fuzz-failures");
                let _ = std::fs::create_dir_all(&folder);
                let path = folder.join(format!("{name}-{seed}-{runs}.bin"));
                let _ = std::fs::write(&path, &input);
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!(
                    "fuzz target {name}: finding after {runs} inputs (PASSERELLE_FUZZ_SEED={seed}); input in {}: {message}",
                    path.display()
                );
            }
        }
    }
    eprintln!(
        "fuzz {name}: {runs} inputs, {} outcomes, corpus {} (PASSERELLE_FUZZ_SEED={seed})",
        outcomes.len(),
        corpus.len()
    );
    assert!(runs >= seeds.len() as u64);
}
