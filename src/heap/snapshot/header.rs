//! The `snapshot` header: the field layout of `nodes` and `edges`, the type names, and the counts it claims.
//!
//! The reader copies the header's bytes out of the stream and hands them here, to serde_json: it is small, and
//! V8 always writes it before `nodes` and `edges`. Field positions come from `meta` (`node_fields`,
//! `edge_fields`), so a V8 that adds, drops or reorders fields still parses, as long as `type`, `name`, `id`,
//! `self_size`, `edge_count` and `type`, `name_or_index`, `to_node` are present.
//!
//! The counts (`node_count`, `edge_count`, `trace_function_count`) are claims of the file, not facts: a corrupt one
//! must not make the parser allocate gigabytes. Each must be a whole number, and when the input's size is known
//! they must fit in it, each number taking at least two bytes (`0,`).

use super::columns::Field;
use serde::Deserialize;

/// What the reader needs from the header.
#[derive(Debug)]
pub struct SnapshotHeader {
    /// `meta.node_types[0]`.
    pub node_type_names: Vec<String>,
    /// `meta.edge_types[0]`.
    pub edge_type_names: Vec<String>,
    /// Where each value of a node row goes.
    pub node_fields: Vec<Field>,
    /// Where each value of an edge row goes.
    pub edge_fields: Vec<Field>,
    /// Claimed, checked against the input's size when it is known.
    pub node_count: Option<u64>,
    pub edge_count: Option<u64>,
}

#[derive(Deserialize)]
struct Header {
    meta: Meta,
    // Read as any value, so that a count that is not one gets a message of its own (`header_count`).
    #[serde(default)]
    node_count: serde_json::Value,
    #[serde(default)]
    edge_count: serde_json::Value,
    #[serde(default)]
    trace_function_count: serde_json::Value,
}

#[derive(Deserialize)]
struct Meta {
    node_fields: Vec<String>,
    node_types: Vec<serde_json::Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<serde_json::Value>,
    #[serde(default)]
    trace_function_info_fields: Vec<String>,
}

/// Reads the header's bytes (the `{...}` of `"snapshot"`); `total_bytes`, when known, bounds its counts. The
/// error is the message (the caller knows the offset).
pub fn read(bytes: &[u8], total_bytes: Option<u64>) -> Result<SnapshotHeader, String> {
    let header: Header = serde_json::from_slice(bytes)
        .map_err(|error| format!("the \"snapshot\" header is not valid: {error}"))?;
    let meta = header.meta;
    let node_type_names = meta.node_types.first().map(type_names).unwrap_or_default();
    let edge_type_names = meta.edge_types.first().map(type_names).unwrap_or_default();
    let node_fields: Vec<Field> = meta
        .node_fields
        .iter()
        .map(|name| match name.as_str() {
            "type" => Field::Type,
            "name" => Field::Name,
            "id" => Field::Id,
            "self_size" => Field::SelfSize,
            "edge_count" => Field::EdgeCount,
            _ => Field::Ignored,
        })
        .collect();
    let edge_fields: Vec<Field> = meta
        .edge_fields
        .iter()
        .map(|name| match name.as_str() {
            "type" => Field::EdgeType,
            "name_or_index" => Field::NameOrIndex,
            "to_node" => Field::ToNode,
            _ => Field::Ignored,
        })
        .collect();
    for (fields, required, what) in [
        (
            &node_fields,
            &[
                Field::Type,
                Field::Name,
                Field::Id,
                Field::SelfSize,
                Field::EdgeCount,
            ][..],
            "node_fields",
        ),
        (
            &edge_fields,
            &[Field::EdgeType, Field::NameOrIndex, Field::ToNode][..],
            "edge_fields",
        ),
    ] {
        for field in required {
            if fields.iter().filter(|&have| have == field).count() != 1 {
                return Err(format!(
                    "the \"snapshot\" header's meta.{what} lacks a field leakwatch needs ({field:?})"
                ));
            }
        }
    }
    if node_type_names.is_empty() || edge_type_names.is_empty() {
        return Err("the \"snapshot\" header's meta has no node or edge type names".to_owned());
    }
    let node_count = header_count(&header.node_count, "node_count")?;
    let edge_count = header_count(&header.edge_count, "edge_count")?;
    let trace_function_count = header_count(&header.trace_function_count, "trace_function_count")?;
    if let Some(total) = total_bytes {
        let claims = [
            (node_count, "nodes", node_fields.len()),
            (edge_count, "edges", edge_fields.len()),
            (
                trace_function_count,
                "trace functions",
                meta.trace_function_info_fields.len().max(1),
            ),
        ]
        .map(|(count, what, fields)| HeaderClaim {
            count: count.unwrap_or(0),
            what,
            fields,
        });
        check_claims(&claims, total)?;
    }
    Ok(SnapshotHeader {
        node_type_names,
        edge_type_names,
        node_fields,
        edge_fields,
        node_count,
        edge_count,
    })
}

fn type_names(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|names| {
            names
                .iter()
                .map(|name| name.as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A count from the header: absent, or a whole number from 0 up; anything else says the file is corrupt.
fn header_count(value: &serde_json::Value, key: &str) -> Result<Option<u64>, String> {
    let count = match value {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::Number(number) => number.as_u64().or_else(|| {
            // `1e6` is a whole number too; past u64 the cast saturates, a claim no file can hold.
            let float = number.as_f64()?;
            (float >= 0.0 && float.fract() == 0.0).then_some(float as u64)
        }),
        _ => None,
    };
    count.map(Some).ok_or_else(|| {
        format!(
            "the snapshot's header gives {key} as {value}, which is not a count (a whole number from 0 up): \
             the file is corrupt; take the snapshot again"
        )
    })
}

/// What the header claims, for checking against the input's size.
struct HeaderClaim {
    count: u64,
    /// Plural, as the message says it: "nodes".
    what: &'static str,
    /// Numbers per item: each takes at least two bytes of text (`0,`).
    fields: usize,
}

/// Checks the header's claims against the input's size: `Err` says what the file cannot hold.
fn check_claims(claims: &[HeaderClaim], total_bytes: u64) -> Result<(), String> {
    let needed = claims.iter().fold(0u64, |sum, claim| {
        let bytes = claim
            .count
            .saturating_mul(claim.fields as u64)
            .saturating_mul(2);
        sum.saturating_add(bytes)
    });
    if needed <= total_bytes {
        return Ok(());
    }
    let listed: Vec<String> = claims
        .iter()
        .filter(|claim| claim.count > 0)
        .map(|claim| format!("{} {}", claim.count, claim.what))
        .collect();
    let listed = match listed.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    Err(format!(
        "the snapshot's header claims {listed}, which take at least {needed} bytes, but the file has only \
         {total_bytes} bytes: it is corrupt or truncated; take the snapshot again"
    ))
}
