//! Respondent ids seen so far, to refuse duplicates in bounded memory.
//!
//! Ids are kept as 64-bit hashes (two different ids collide with probability about
//! `n^2 / 2^65`: 1e-7 for a million rows). Up to [`IN_MEMORY_IDS`] hashes live in a hash
//! set; beyond that they are appended to a temporary file, and [`find_duplicate`] sorts
//! that file in runs of [`RUN_IDS`] and merges them, so memory stays bounded whatever
//! the number of rows. The file is removed when the set is dropped.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::hash::BuildHasherDefault;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// Hashes kept in memory before spilling to disk (about 10 MB of hash table; each half
/// of a million-row file stays in memory).
pub const IN_MEMORY_IDS: usize = 600_000;

/// Hashes sorted in memory at a time when checking a spill (4 MB).
pub const RUN_IDS: usize = 1 << 19;

/// A hasher for values that are already well-mixed 64-bit hashes.
#[derive(Default)]
pub struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A 64-bit hash of an id (FNV-1a followed by a murmur3 finaliser).
pub fn hash_id(id: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in id {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The ids of one file (or part of one).
pub struct IdSet {
    set: HashSet<u64, BuildHasherDefault<PassThrough>>,
    spill: Option<BufWriter<std::fs::File>>,
    limit: usize,
}

impl Default for IdSet {
    fn default() -> Self {
        IdSet::with_limit(IN_MEMORY_IDS)
    }
}

impl IdSet {
    /// An empty set that keeps up to `limit` hashes in memory before spilling (at least
    /// one).
    pub fn with_limit(limit: usize) -> Self {
        IdSet { set: HashSet::default(), spill: None, limit: limit.max(1) }
    }

    /// Records an id; `false` when it was certainly seen before. Once spilled, repeats
    /// are only found by [`find_duplicate`].
    pub fn insert(&mut self, id: &[u8]) -> std::io::Result<bool> {
        self.insert_hash(hash_id(id))
    }

    /// [`insert`](Self::insert) for an id already hashed by [`hash_id`].
    pub fn insert_hash(&mut self, h: u64) -> std::io::Result<bool> {
        if let Some(w) = &mut self.spill {
            w.write_all(&h.to_le_bytes())?;
            return Ok(true);
        }
        if !self.set.insert(h) {
            return Ok(false);
        }
        if self.set.len() >= self.limit {
            let mut w = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
            for h in self.set.drain() {
                w.write_all(&h.to_le_bytes())?;
            }
            self.set = HashSet::default();
            self.spill = Some(w);
        }
        Ok(true)
    }

    /// Whether everything is still in memory.
    pub fn in_memory(&self) -> bool {
        self.spill.is_none()
    }
}

/// The hash of an id that occurs twice across `sets` (the ids of the parts of one file),
/// if any.
///
/// # Errors
/// I/O errors on the temporary files.
pub fn find_duplicate(sets: Vec<IdSet>) -> std::io::Result<Option<u64>> {
    if sets.iter().all(IdSet::in_memory) {
        // Each set is free of repeats; compare every pair.
        for (i, a) in sets.iter().enumerate() {
            for b in &sets[i + 1..] {
                let (small, large) = if a.set.len() <= b.set.len() { (a, b) } else { (b, a) };
                if let Some(h) = small.set.iter().find(|h| large.set.contains(h)) {
                    return Ok(Some(*h));
                }
            }
        }
        return Ok(None);
    }
    // Sort runs of all hashes, then merge them.
    let mut runs: Vec<BufReader<std::fs::File>> = Vec::new();
    let mut chunk: Vec<u64> = Vec::with_capacity(RUN_IDS);
    let flush = |chunk: &mut Vec<u64>,
                 runs: &mut Vec<BufReader<std::fs::File>>|
     -> std::io::Result<Option<u64>> {
        chunk.sort_unstable();
        if let Some(w) = chunk.windows(2).find(|w| w[0] == w[1]) {
            return Ok(Some(w[0]));
        }
        let mut f = BufWriter::new(tempfile::tempfile()?);
        for h in chunk.iter() {
            f.write_all(&h.to_le_bytes())?;
        }
        let mut f = f.into_inner().map_err(|e| e.into_error())?;
        f.seek(SeekFrom::Start(0))?;
        runs.push(BufReader::new(f));
        chunk.clear();
        Ok(None)
    };
    for set in sets {
        let mut hashes: Vec<u64> = set.set.into_iter().collect();
        if let Some(w) = set.spill {
            let mut f = w.into_inner().map_err(|e| e.into_error())?;
            f.seek(SeekFrom::Start(0))?;
            let mut r = BufReader::with_capacity(1 << 16, f);
            let mut buf = [0u8; 8];
            loop {
                match r.read_exact(&mut buf) {
                    Ok(()) => hashes.push(u64::from_le_bytes(buf)),
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                    Err(e) => return Err(e),
                }
                if hashes.len() >= RUN_IDS {
                    chunk.append(&mut hashes);
                    if let Some(h) = flush(&mut chunk, &mut runs)? {
                        return Ok(Some(h));
                    }
                }
            }
        }
        chunk.append(&mut hashes);
        if chunk.len() >= RUN_IDS
            && let Some(h) = flush(&mut chunk, &mut runs)?
        {
            return Ok(Some(h));
        }
    }
    if !chunk.is_empty()
        && let Some(h) = flush(&mut chunk, &mut runs)?
    {
        return Ok(Some(h));
    }
    // k-way merge: equal neighbours are duplicates.
    let next = |r: &mut BufReader<std::fs::File>| -> std::io::Result<Option<u64>> {
        let mut buf = [0u8; 8];
        match r.read_exact(&mut buf) {
            Ok(()) => Ok(Some(u64::from_le_bytes(buf))),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    };
    let mut heap = BinaryHeap::new();
    for (i, r) in runs.iter_mut().enumerate() {
        if let Some(h) = next(r)? {
            heap.push(Reverse((h, i)));
        }
    }
    let mut last = None;
    while let Some(Reverse((h, i))) = heap.pop() {
        if last == Some(h) {
            return Ok(Some(h));
        }
        last = Some(h);
        if let Some(n) = next(&mut runs[i])? {
            heap.push(Reverse((n, i)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_found_in_memory_and_after_spilling() {
        let mut a = IdSet::default();
        assert!(a.insert(b"r1").unwrap());
        assert!(!a.insert(b"r1").unwrap());
        let mut b = IdSet::default();
        b.insert(b"r2").unwrap();
        b.insert(b"r1").unwrap();
        assert_eq!(find_duplicate(vec![a, b]).unwrap(), Some(hash_id(b"r1")));
        // Spilled: more ids than fit in memory, with one repeat far apart.
        let mut big = IdSet::default();
        for i in 0..(IN_MEMORY_IDS + 1000) {
            big.insert(format!("id-{i}").as_bytes()).unwrap();
        }
        assert!(!big.in_memory());
        let mut other = IdSet::default();
        other.insert(b"elsewhere").unwrap();
        assert_eq!(find_duplicate(vec![big, other]).unwrap(), None);
        let mut big = IdSet::default();
        for i in 0..(IN_MEMORY_IDS + 1000) {
            big.insert(format!("id-{i}").as_bytes()).unwrap();
        }
        big.insert(b"id-7").unwrap();
        assert_eq!(find_duplicate(vec![big]).unwrap(), Some(hash_id(b"id-7")));
    }
}
