#![no_main]

use libfuzzer_sys::fuzz_target;
use orgtoken::facts::Lang;

fuzz_target!(|data: &[u8]| orgtoken_fuzz::lower(Lang::Json, data));
