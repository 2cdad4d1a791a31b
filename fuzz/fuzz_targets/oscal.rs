//! OSCAL catalog import (JSON) and YAML catalogs: never a panic, whatever the input.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = guidebook::load::parse_text(Path::new("frameworks/imported.json"), text);
    let _ = guidebook::load::parse_text(Path::new("frameworks/imported.yaml"), text);
});
