//! The floor the benchmark job is measured against: parse every record of a CSV file on
//! one core and touch every field, with nothing else done.
//!
//! Usage: `csv-floor simd-csv|csv FILE`. Prints the records and fields read.

use std::fs::File;
use std::io::BufReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, parser, path] = args.as_slice() else {
        return Err("usage: csv-floor simd-csv|csv FILE".into());
    };
    let file = File::open(path)?;
    let (mut records, mut fields, mut bytes) = (0u64, 0u64, 0u64);
    match parser.as_str() {
        "simd-csv" => {
            let mut reader = simd_csv::ZeroCopyReaderBuilder::with_capacity(1 << 20).from_reader(file);
            while let Some(record) = reader.read_byte_record()? {
                records += 1;
                for field in record.iter() {
                    fields += 1;
                    bytes += field.len() as u64;
                }
            }
        }
        "csv" => {
            let mut reader = csv::ReaderBuilder::new().buffer_capacity(1 << 20).from_reader(BufReader::new(file));
            let mut record = csv::ByteRecord::new();
            while reader.read_byte_record(&mut record)? {
                records += 1;
                for field in &record {
                    fields += 1;
                    bytes += field.len() as u64;
                }
            }
        }
        other => return Err(format!("unknown parser '{other}' (expected simd-csv or csv)").into()),
    }
    println!("{records} records, {fields} fields, {bytes} bytes");
    Ok(())
}
