#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| folio_core::fuzzing::check_book_file(folio_core::fuzzing::BookFile::BookToml, bytes));
