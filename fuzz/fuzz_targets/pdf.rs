#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| folio::fuzzing::check_pdf(bytes));
