//! Fuzz target `formats`: see `entry::formats`.

#![no_main]

#[path = "../entry.rs"]
#[allow(dead_code)] // each target uses one of the shared entry points
mod entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry::formats(data));
