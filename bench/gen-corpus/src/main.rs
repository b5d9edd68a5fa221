//! `gen-corpus --files N --zoho-share P --seed S [--size-mb M] [--fixtures DIR] OUT`
//! `gen-corpus --monorepo N [--files-per-service F] --zoho-share P --seed S [--size-mb M] OUT`
//!
//! Writes a deterministic synthetic monorepo into OUT (which must not exist
//! or be empty) and its manifest, `OUT/.corpus.json`. See `bench/README.md`.

use std::path::PathBuf;
use std::process::ExitCode;

use gen_corpus::{generate, generate_monorepo, Options};

const USAGE: &str = "usage: gen-corpus --files N --zoho-share P --seed S [--size-mb M] [--fixtures DIR] OUT
       gen-corpus --monorepo SERVICES [--files-per-service F] --zoho-share P --seed S [--size-mb M] [--fixtures DIR] OUT";

fn parse() -> Result<(Options, Option<usize>, PathBuf), String> {
    let mut opts = Options::default();
    let mut out = None;
    let mut monorepo = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--files" => opts.files = value("--files")?.parse().map_err(|e| format!("--files: {e}"))?,
            "--zoho-share" => {
                opts.zoho_share = value("--zoho-share")?
                    .parse()
                    .map_err(|e| format!("--zoho-share: {e}"))?
            }
            "--seed" => opts.seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--size-mb" => opts.size_mb = Some(value("--size-mb")?.parse().map_err(|e| format!("--size-mb: {e}"))?),
            "--monorepo" => monorepo = Some(value("--monorepo")?.parse().map_err(|e| format!("--monorepo: {e}"))?),
            "--files-per-service" => {
                opts.files_per_service = value("--files-per-service")?
                    .parse()
                    .map_err(|e| format!("--files-per-service: {e}"))?
            }
            "--fixtures" => opts.fixtures = PathBuf::from(value("--fixtures")?),
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            s if out.is_none() => out = Some(PathBuf::from(s)),
            s => return Err(format!("unexpected argument `{s}`")),
        }
    }
    if !(0.0..=1.0).contains(&opts.zoho_share) {
        return Err("--zoho-share must be between 0 and 1".into());
    }
    let out = out.ok_or("the output directory is missing")?;
    Ok((opts, monorepo, out))
}

fn main() -> ExitCode {
    let (opts, monorepo, out) = match parse() {
        Ok(x) => x,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let made = match monorepo {
        Some(services) => generate_monorepo(&opts, services, &out),
        None => generate(&opts, &out),
    };
    match made {
        Ok(m) => {
            println!("{}", serde_json::to_string_pretty(&m).expect("a JSON value prints"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
