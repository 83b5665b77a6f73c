//! leakwatch: per-test resource leak detection for Node.js test suites.
//!
//! The core modules know nothing of napi: `resource_kind`, `stack_frame`, `code_frame`, `uv_handles`,
//! `leak_report`, `leak_group`, `report_text`, `retainer_path_text` and `lone_surrogates` are plain Rust with unit
//! tests. `binding` is the only glue to Node. Lints: the `[lints]` table of Cargo.toml.

pub mod code_frame;
pub mod heap;
pub mod leak_group;
pub mod leak_report;
pub mod lone_surrogates;
pub mod report_text;
pub mod resource_kind;
pub mod retainer_path_text;
pub mod stack_frame;
pub mod uv_handles;

pub mod binding;
