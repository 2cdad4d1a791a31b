//! The integration tests, as one binary (one link, one process to start): each module tests
//! one capability end to end on real inputs; `common` holds the harness ([`common::Book`]) and
//! the helpers they share.

mod common;

mod accessibility;
mod authoring;
mod baselines;
mod browser;
mod client_search;
mod coverage;
mod crash;
mod crosswalks;
mod csv_catalog;
mod diff;
mod exports;
mod hostile;
mod incremental;
mod oscal;
mod pipeline;
mod properties;
mod reader_bytes;
mod roles;
mod search;
mod serve;
mod shipped_content;
mod threats;
mod xss;
