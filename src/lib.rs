//! guidebook turns a knowledge base of guidelines, control catalogs and worked examples into a
//! static site. One pipeline, one direction: `load` -> `resolve` -> `render` -> `output`; the
//! `pipeline` module runs it and the `cli` module is the thin command-line edge.

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod error;
pub mod export;
pub mod init;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod resolve;
pub mod safe_path;
pub mod schema;
pub mod search;
pub mod serve;
pub mod staging;
