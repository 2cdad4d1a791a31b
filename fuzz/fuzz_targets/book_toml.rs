//! book.toml: never a panic; every refusal is located inside the text.
#![no_main]

use std::path::Path;

use guidebook::config::BookConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(problems) = BookConfig::parse(text, Path::new("book.toml")) {
        let lines = text.lines().count().max(1);
        for problem in problems {
            assert!(
                problem.position.line >= 1 && problem.position.line <= lines + 1,
                "{problem:?}"
            );
        }
    }
});
