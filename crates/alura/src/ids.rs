//! Request ids and idempotency keys: random ids in the shape of a version 4 UUID.

use std::cell::Cell;

use rand::Rng;

thread_local! {
    /// SplitMix64 state for request ids and the process it was seeded in. A request id is
    /// made on every call and only has to be unique: `ThreadRng`'s ChaCha cost about 900
    /// instructions per id (callgrind), this a handful. A forked child reseeds, or it would
    /// repeat its parent's ids.
    static REQUEST_IDS: Cell<(u32, u64)> = const { Cell::new((0, 0)) };
    /// The process this thread's `ThreadRng` was last reseeded in.
    static KEYS_PID: Cell<u32> = const { Cell::new(0) };
}

/// A new id for one call, the same on each of its attempts: `req_` and a UUID.
pub(crate) fn request_id() -> String {
    let pid = std::process::id();
    let state = match REQUEST_IDS.get() {
        (seeded_in, state) if seeded_in == pid => state,
        _ => fresh_rng(pid).random(),
    };
    let (state, high) = split_mix(state);
    let (state, low) = split_mix(state);
    REQUEST_IDS.set((pid, state));
    uuid("req_", u128::from(high) << 64 | u128::from(low))
}

/// A new idempotency key for one POST. Drawn from the OS-seeded generator, reseeded when
/// this thread finds itself in a new process: a forked child inherits its parent's
/// generator, and two processes sending one key with two orders would lose one of them.
pub fn idempotency_key() -> String {
    uuid("", fresh_rng(std::process::id()).random())
}

/// This thread's `ThreadRng`, reseeded from the OS the first time it is used in process `pid`
/// (rand 0.9 does not reseed on fork). A reseed the OS refuses is tried again on the next use.
fn fresh_rng(pid: u32) -> rand::rngs::ThreadRng {
    let mut rng = rand::rng();
    if KEYS_PID.get() != pid && rng.reseed().is_ok() {
        KEYS_PID.set(pid);
    }
    rng
}

fn split_mix(state: u64) -> (u64, u64) {
    let state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (state, z ^ (z >> 31))
}

/// `random` as `prefix` and 8-4-4-4-12 hex digits, the version (4) and variant (a) set.
fn uuid(prefix: &str, random: u128) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 32];
    // Two 64-bit halves: shifting a u128 by a varying amount costs a branch per digit.
    for (half, value) in hex.chunks_exact_mut(16).zip([(random >> 64) as u64, random as u64]) {
        for (i, digit) in half.iter_mut().enumerate() {
            *digit = DIGITS[(value >> (i * 4)) as usize & 0xf];
        }
    }
    hex[12] = b'4';
    hex[16] = b'a';
    let mut uuid = [b'-'; 36];
    for (from, to) in [(0..8, 0), (8..12, 9), (12..16, 14), (16..20, 19), (20..32, 24)] {
        uuid[to..to + from.len()].copy_from_slice(&hex[from]);
    }
    let mut id = String::with_capacity(prefix.len().saturating_add(uuid.len()));
    id.push_str(prefix);
    id.push_str(std::str::from_utf8(&uuid).unwrap_or_default());
    id
}

#[cfg(test)]
mod tests {
    use super::{idempotency_key, request_id};

    fn assert_uuid_v4(id: &str) {
        let groups: Vec<&str> = id.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{id}");
        assert!(groups[2].starts_with('4') && groups[3].starts_with('a'), "version 4, RFC variant: {id}");
    }

    #[test]
    fn ids_are_uuid_v4_and_new_each_time() {
        let ids: Vec<String> = (0..1000).map(|_| request_id()).collect();
        let keys: Vec<String> = (0..1000).map(|_| idempotency_key()).collect();
        for id in &ids {
            assert_uuid_v4(id.strip_prefix("req_").unwrap());
        }
        keys.iter().for_each(|k| assert_uuid_v4(k));
        let distinct: std::collections::HashSet<&String> = ids.iter().chain(&keys).collect();
        assert_eq!(distinct.len(), 2000);
        // Another thread starts from its own seed.
        let other = std::thread::spawn(request_id).join().unwrap();
        assert!(!ids.contains(&other));
    }
}
