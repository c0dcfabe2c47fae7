//! Builds the compact GeoNames index: `cargo run --release -p sitrep-geo
//! --example build_gazetteer -- OUT.bin.gz cities500.txt [more dumps...]`.
use std::path::PathBuf;

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let Some((out, inputs)) = args.split_first() else {
        eprintln!("usage: build_gazetteer OUT.bin.gz GEONAMES_FILE...");
        std::process::exit(2);
    };
    match sitrep_geo::build(inputs, out) {
        Ok(s) => eprintln!(
            "{} rows read, {} entries, {} keys, {} bytes",
            s.rows_read, s.entries, s.keys, s.bytes
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
