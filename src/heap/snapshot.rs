//! A streaming reader for V8's `.heapsnapshot` JSON, into flat columns.
//!
//! The text is never held whole: bytes arrive in chunks (`SnapshotParser::push`, or `parse_reader` over any
//! `Read`) and a byte-at-a-time state machine, resumable at any chunk boundary, turns them into columns. The big
//! arrays (`nodes`, `edges`) go through a hand-written integer scanner straight into `Vec`s, one column per field
//! (no struct per node, no JSON values); `strings` go into one byte arena with offsets. Only the small `snapshot`
//! header (with `meta`) is sliced out and handed to serde_json. Every other top-level section (`locations`,
//! `samples`, `trace_*`) is skipped by scanning brackets and strings.
//!
//! Field positions come from `meta` (`node_fields`, `edge_fields`), so a V8 that adds, drops or reorders fields
//! still parses, as long as `type`, `name`, `id`, `self_size`, `edge_count` and `type`, `name_or_index`, `to_node`
//! are present. The header must come before `nodes` and `edges` (V8 always writes it first).
//!
//! The integer scanner takes 64 bytes at a time: a mask of the commas (found by SWAR, no SIMD), then each number
//! between them by eight-byte SWAR digit arithmetic; anything unusual (spaces, long numbers, a chunk's end) goes
//! through the byte-at-a-time path. A long run of numbers in one chunk is shared with a second thread, which
//! stores the part after a comma about half-way into columns of its own, appended once both are done
//! (`scan_numbers_split`); the result and the error offsets are those of the serial scan. Not kept: `trace_node_id`
//! and `detachedness` (nothing reads them).
//!
//! The header's counts (`node_count`, `edge_count`, `trace_function_count`) are claims of the file, not facts: a
//! corrupt one must not make the parser allocate gigabytes. Each must be a whole number, and when the input's size
//! is known (`with_total_bytes`: a file) they must fit in it, each number taking at least two bytes (`0,`); the
//! columns are then reserved from them in one go. When it is not known (a stream), at most `UNKNOWN_SIZE_ROWS`
//! rows are reserved up front, and the columns grow toward the claim only as the chunks that arrive need the room,
//! doubling (`make_room`): a false claim costs at most twice what the data itself needs.
//!
//! Limits: node and edge indexes are `u32` (over 4 billion nodes or edges is an error, not a wrap); ids are
//! `u64`, stored as `u32` while they fit; the string arena is capped at 4 GiB (an error past that); a self size
//! over 4 GiB is clamped to `u32::MAX` (V8 heap objects are far smaller). A malformed file gives a
//! `SnapshotError` naming the byte offset and what was expected there, never a panic.

use super::memory::{prefault, with_capacity};
use serde::Deserialize;
use std::fmt;
use std::io::Read;

/// Why a snapshot could not be read.
#[derive(Debug)]
pub enum SnapshotError {
    /// The bytes are not a heap snapshot: `offset` is where the reader stopped understanding them.
    Parse { offset: u64, message: String },
    /// The source could not be read.
    Io(std::io::Error),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse { offset, message } => write!(f, "byte {offset}: {message}"),
            Self::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// A parsed snapshot: the header's type tables, nodes and edges as columns, and the string table.
#[derive(Debug, Default)]
pub struct HeapSnapshot {
    /// `meta.node_types[0]`: node type names, indexed by `node_type`.
    pub node_type_names: Vec<String>,
    /// `meta.edge_types[0]`: edge type names, indexed by `edge_type`.
    pub edge_type_names: Vec<String>,
    pub node_type: Vec<u8>,
    /// Index into the string table.
    pub node_name: Vec<u32>,
    /// V8's node ids: four bytes each while they fit (they nearly always do).
    pub node_id: NodeIds,
    pub node_self_size: Vec<u32>,
    pub node_edge_count: Vec<u32>,
    pub edge_type: Vec<u8>,
    /// A string index for named edges, an element index for `element` and `hidden` edges.
    pub edge_name_or_index: Vec<u32>,
    /// The target's node index (the file's `to_node` divided by the node field count).
    pub edge_to: Vec<u32>,
    pub strings: StringTable,
}

impl HeapSnapshot {
    // Counted on columns the graph keeps: it moves the type columns out (packed) and the edge counts (as offsets).
    pub fn node_count(&self) -> usize {
        self.node_name.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_to.len()
    }

    /// Moves the node and edge columns of `other` to the end of these (the string table is left alone).
    fn append_columns(&mut self, other: &mut Self) {
        self.node_type.append(&mut other.node_type);
        self.node_name.append(&mut other.node_name);
        self.node_id.append(&mut other.node_id);
        self.node_self_size.append(&mut other.node_self_size);
        self.node_edge_count.append(&mut other.node_edge_count);
        self.edge_type.append(&mut other.edge_type);
        self.edge_name_or_index
            .append(&mut other.edge_name_or_index);
        self.edge_to.append(&mut other.edge_to);
    }

    /// Empties the node and edge columns, keeping their capacity.
    fn clear_columns(&mut self) {
        self.node_type.clear();
        self.node_name.clear();
        self.node_id.clear();
        self.node_self_size.clear();
        self.node_edge_count.clear();
        self.edge_type.clear();
        self.edge_name_or_index.clear();
        self.edge_to.clear();
    }
}

/// Node ids as `u32` until one does not fit, then as `u64`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeIds {
    narrow: Vec<u32>,
    wide: Option<Vec<u64>>,
}

impl NodeIds {
    pub fn len(&self) -> usize {
        match &self.wide {
            Some(wide) => wide.len(),
            None => self.narrow.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn get(&self, index: usize) -> u64 {
        match &self.wide {
            Some(wide) => wide[index],
            None => u64::from(self.narrow[index]),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let narrow = self
            .wide
            .is_none()
            .then(|| self.narrow.iter().map(|&id| u64::from(id)));
        let wide = self.wide.iter().flat_map(|wide| wide.iter().copied());
        narrow.into_iter().flatten().chain(wide)
    }

    /// Where `id` is, if present.
    pub fn position(&self, id: u64) -> Option<usize> {
        match &self.wide {
            Some(wide) => wide.iter().position(|&have| have == id),
            None => {
                let id = u32::try_from(id).ok()?;
                self.narrow.iter().position(|&have| have == id)
            }
        }
    }

    /// Moves `other`'s ids to the end of these, leaving it empty.
    fn append(&mut self, other: &mut Self) {
        if self.wide.is_none() && other.wide.is_none() {
            self.narrow.append(&mut other.narrow);
        } else {
            for id in other.iter() {
                self.push(id);
            }
            other.clear();
        }
    }

    fn clear(&mut self) {
        self.narrow.clear();
        self.wide = None;
    }

    fn reserve_exact(&mut self, count: usize) {
        self.narrow = super::memory::with_capacity(count);
    }

    fn grow_toward(&mut self, needed: usize, claim: usize) {
        match &mut self.wide {
            Some(wide) => grow_toward(wide, needed, claim),
            None => grow_toward(&mut self.narrow, needed, claim),
        }
    }

    #[inline]
    fn push(&mut self, id: u64) {
        match (&mut self.wide, u32::try_from(id)) {
            (None, Ok(narrow)) => self.narrow.push(narrow),
            (Some(wide), _) => wide.push(id),
            (None, Err(_)) => {
                let mut wide = Vec::with_capacity(self.narrow.capacity());
                wide.extend(self.narrow.iter().map(|&id| u64::from(id)));
                wide.push(id);
                self.narrow = Vec::new();
                self.wide = Some(wide);
            }
        }
    }
}

/// Every string of the snapshot in one byte arena: string `i` is `bytes[offsets[i]..offsets[i + 1]]`.
#[derive(Debug)]
pub struct StringTable {
    bytes: Vec<u8>,
    /// Four bytes a string: the arena is capped at 4 GiB (an error past that).
    offsets: Vec<u32>,
}

impl Default for StringTable {
    fn default() -> Self {
        Self {
            bytes: Vec::new(),
            offsets: vec![0],
        }
    }
}

impl StringTable {
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `index`, or `""` when out of range. The arena holds UTF-8 by construction.
    pub fn get(&self, index: u32) -> &str {
        let index = index as usize;
        if index >= self.len() {
            return "";
        }
        let bytes = &self.bytes[self.offsets[index] as usize..self.offsets[index + 1] as usize];
        std::str::from_utf8(bytes).unwrap_or("")
    }

    /// Ends the current string; `false` when the arena has outgrown 4 GiB.
    /// String `index` as bytes (no UTF-8 check), or empty when out of range.
    pub fn bytes(&self, index: u32) -> &[u8] {
        let index = index as usize;
        if index >= self.len() {
            return &[];
        }
        &self.bytes[self.offsets[index] as usize..self.offsets[index + 1] as usize]
    }

    fn push_end(&mut self) -> bool {
        match u32::try_from(self.bytes.len()) {
            Ok(end) => {
                self.offsets.push(end);
                true
            }
            Err(_) => false,
        }
    }
}

/// Reads a whole snapshot from `reader`, one buffer at a time; `total_bytes`, when known (a file's length), is
/// what the header's counts are checked against.
pub fn parse_reader(
    mut reader: impl Read,
    total_bytes: Option<u64>,
) -> Result<HeapSnapshot, SnapshotError> {
    let mut parser = SnapshotParser::new();
    if let Some(total) = total_bytes {
        parser = parser.with_total_bytes(total);
    }
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(SnapshotError::Io(error)),
        };
        parser.push(&buffer[..read])?;
    }
    parser.finish()
}

/// Reads a whole snapshot held in memory (tests, small inputs).
pub fn parse_bytes(bytes: &[u8]) -> Result<HeapSnapshot, SnapshotError> {
    let mut parser = SnapshotParser::new().with_total_bytes(bytes.len() as u64);
    parser.push(bytes)?;
    parser.finish()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Nodes,
    Edges,
    Strings,
}

impl Section {
    fn key(self) -> &'static str {
        match self {
            Self::Nodes => "nodes",
            Self::Edges => "edges",
            Self::Strings => "strings",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NumberPhase {
    /// After `[` : a number or `]`.
    First,
    /// After `,`: a number.
    Expect,
    InNumber,
    /// After a number and whitespace: `,` or `]`.
    After,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StringPhase {
    /// After `[`: a string or `]`.
    First,
    /// After `,`: a string.
    Expect,
    InString,
    Escape,
    /// `\u` and the hex digits so far.
    Unicode {
        digits: u8,
        value: u32,
    },
    After,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the top-level `{`.
    Start,
    /// After `{`: a key or `}`.
    KeyOrEnd,
    /// After `,`: a key.
    Key,
    InKey {
        escape: bool,
    },
    Colon,
    /// Before a value, knowing its key.
    Value,
    /// Copying the `snapshot` object's bytes for serde.
    Header {
        depth: u32,
        in_string: bool,
        escape: bool,
    },
    ArrayOpen(Section),
    Numbers(NumberPhase),
    Strings(StringPhase),
    /// Scanning past a value we do not need; `depth` counts open brackets.
    Skip {
        depth: u32,
        in_string: bool,
        escape: bool,
        started: bool,
    },
    /// After a top-level value: `,` or `}`.
    CommaOrEnd,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Type,
    Name,
    Id,
    SelfSize,
    EdgeCount,
    EdgeType,
    NameOrIndex,
    ToNode,
    Ignored,
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

/// Rows reserved up front when the input's size is not known: the columns grow from there as data arrives.
const UNKNOWN_SIZE_ROWS: u64 = 1 << 16;

/// Makes room in `column` for `needed` items, up to the header's `claim`: doubling keeps reallocations few
/// (glibc remaps large blocks rather than copying them), and the claim caps it, so a truthful claim ends with no
/// slack. Past the claim (a header that says too few), `Vec`'s own doubling on push takes over.
fn grow_toward<T>(column: &mut Vec<T>, needed: usize, claim: usize) {
    let capacity = column.capacity();
    if needed <= capacity {
        return;
    }
    let target = needed.max(capacity.saturating_mul(2)).min(claim);
    if target > capacity {
        column.reserve_exact(target - column.len());
        prefault(column);
    }
}

/// How the values of the array being read (`nodes` or `edges`) become columns: everything storing needs but the
/// columns, so that the second thread of a split scan can store into columns of its own.
#[derive(Clone, Debug, Default)]
struct Rows {
    fields: Vec<Field>,
    /// Field position within the current row.
    field: usize,
    node_types: usize,
    edge_types: usize,
    node_field_count: u64,
    /// `u64::MAX / node_field_count + 1`, for dividing by the field count with a multiply.
    node_field_reciprocal: u64,
}

impl Rows {
    /// Checks `value` and appends it to its column; the error is the message (the caller knows the offset).
    #[inline(always)]
    fn store(&mut self, snapshot: &mut HeapSnapshot, value: u64) -> Result<(), String> {
        match self.fields[self.field] {
            Field::Type => match u8::try_from(value) {
                Ok(kind) if usize::from(kind) < self.node_types => snapshot.node_type.push(kind),
                _ => {
                    return Err(store_error(format_args!(
                        "unknown node type {value} in \"nodes\""
                    )))
                }
            },
            Field::Name => match u32::try_from(value) {
                Ok(name) => snapshot.node_name.push(name),
                Err(_) => return Err(narrow_error("node name", value)),
            },
            Field::Id => snapshot.node_id.push(value),
            // V8 heap objects are far below 4 GiB; clamping keeps the column at 4 bytes a node.
            Field::SelfSize => snapshot
                .node_self_size
                .push(u32::try_from(value).unwrap_or(u32::MAX)),
            Field::EdgeCount => match u32::try_from(value) {
                Ok(count) => snapshot.node_edge_count.push(count),
                Err(_) => return Err(narrow_error("edge count", value)),
            },
            Field::EdgeType => match u8::try_from(value) {
                Ok(kind) if usize::from(kind) < self.edge_types => snapshot.edge_type.push(kind),
                _ => {
                    return Err(store_error(format_args!(
                        "unknown edge type {value} in \"edges\""
                    )))
                }
            },
            Field::NameOrIndex => match u32::try_from(value) {
                Ok(name) => snapshot.edge_name_or_index.push(name),
                Err(_) => return Err(narrow_error("edge name or index", value)),
            },
            Field::ToNode => {
                let fields = self.node_field_count;
                // Lemire's division by multiplication, exact for 32-bit dividends: no `div` per edge.
                let index = if value <= u64::from(u32::MAX) {
                    ((u128::from(value) * u128::from(self.node_field_reciprocal)) >> 64) as u64
                } else {
                    value / fields
                };
                if index * fields != value {
                    return Err(store_error(format_args!(
                        "edge target {value} is not a multiple of the node field count {fields}"
                    )));
                }
                match u32::try_from(index) {
                    Ok(index) => snapshot.edge_to.push(index),
                    Err(_) => {
                        return Err(store_error(format_args!(
                            "edge target {value} is past any node leakwatch can index"
                        )))
                    }
                }
            }
            Field::Ignored => {}
        }
        self.field += 1;
        if self.field == self.fields.len() {
            self.field = 0;
        }
        Ok(())
    }
}

#[cold]
fn narrow_error(what: &str, value: u64) -> String {
    format!("{what} {value} does not fit in 32 bits")
}

#[cold]
fn store_error(message: fmt::Arguments<'_>) -> String {
    message.to_string()
}

/// Below this, a second thread costs more than it saves.
const SPLIT_FROM_BYTES: usize = 256 << 10;

/// The push-based parser: feed chunks with `push`, then `finish`.
pub struct SnapshotParser {
    state: State,
    /// Bytes consumed before the current chunk.
    offset: u64,
    key: Vec<u8>,
    header: Vec<u8>,
    have_header: bool,
    node_fields: Vec<Field>,
    edge_fields: Vec<Field>,
    /// How the array being read (`nodes` or `edges`) is stored.
    rows: Rows,
    in_edges: bool,
    number: u64,
    /// High surrogate of a `\uD8xx\uDCxx` pair waiting for its low half.
    pending_surrogate: Option<u32>,
    seen: [bool; 3],
    node_count_hint: Option<u64>,
    edge_count_hint: Option<u64>,
    /// The input's size, when known: the header's counts must fit in it.
    total_bytes: Option<u64>,
    node_field_count: u64,
    /// Byte offset of the end of `edges`, for errors found only once everything is read.
    edges_end: u64,
    nodes_end: u64,
    result: HeapSnapshot,
    started: std::time::Instant,
    /// Runs of numbers at least this long are parsed on two threads (`scan_numbers_split`).
    split_from_bytes: usize,
    /// The second thread's columns, emptied after each split (their capacity is kept for the next).
    split_columns: HeapSnapshot,
}

#[cfg(test)]
thread_local! {
    /// Splits whose second half was kept, counted on the parsing thread: the tests check the two-thread path ran.
    pub(crate) static JOINED_SPLITS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Default for SnapshotParser {
    fn default() -> Self {
        Self::new()
    }
}

fn describe_byte(byte: u8) -> String {
    if byte.is_ascii_graphic() || byte == b' ' {
        format!("'{}'", byte as char)
    } else {
        format!("byte 0x{byte:02x}")
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\r' | b'\t')
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

fn append_utf8(bytes: &mut Vec<u8>, code_point: u32) {
    let ch = char::from_u32(code_point).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buffer = [0u8; 4];
    bytes.extend_from_slice(ch.encode_utf8(&mut buffer).as_bytes());
}

impl SnapshotParser {
    pub fn new() -> Self {
        Self {
            state: State::Start,
            offset: 0,
            key: Vec::new(),
            header: Vec::new(),
            have_header: false,
            node_fields: Vec::new(),
            edge_fields: Vec::new(),
            rows: Rows::default(),
            in_edges: false,
            number: 0,
            pending_surrogate: None,
            seen: [false; 3],
            node_count_hint: None,
            edge_count_hint: None,
            total_bytes: None,
            node_field_count: 1,
            edges_end: 0,
            nodes_end: 0,
            result: HeapSnapshot::default(),
            started: std::time::Instant::now(),
            split_from_bytes: SPLIT_FROM_BYTES,
            split_columns: HeapSnapshot::default(),
        }
    }

    /// The input's whole size, when known (a file's length): the header's counts are checked against it, and the
    /// columns reserved from them in one go.
    pub fn with_total_bytes(mut self, total_bytes: u64) -> Self {
        self.total_bytes = Some(total_bytes);
        self
    }

    /// Sets where number runs start being split over two threads (tests compare split and serial parses).
    #[cfg(test)]
    pub(crate) fn split_from(mut self, bytes: usize) -> Self {
        self.split_from_bytes = bytes;
        self
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.offset
    }

    fn error(&self, at: usize, message: impl Into<String>) -> SnapshotError {
        SnapshotError::Parse {
            offset: self.offset + at as u64,
            message: message.into(),
        }
    }

    fn unexpected(&self, at: usize, expected: &str, found: u8) -> SnapshotError {
        let context = match self.state {
            State::Numbers(_) => format!(" in \"{}\"", self.current_section_key()),
            State::Strings(_) => " in \"strings\"".to_owned(),
            State::Header { .. } => " in \"snapshot\"".to_owned(),
            _ => String::new(),
        };
        self.error(
            at,
            format!(
                "expected {expected}{context}, found {}",
                describe_byte(found)
            ),
        )
    }

    fn current_section_key(&self) -> &'static str {
        if self.in_edges {
            "edges"
        } else {
            "nodes"
        }
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), SnapshotError> {
        self.run(chunk, 0, true)?;
        self.offset += chunk.len() as u64;
        Ok(())
    }

    /// Parses `chunk[i..]`; `split` lets a long run of numbers be shared with a second thread.
    fn run(&mut self, chunk: &[u8], mut i: usize, split: bool) -> Result<(), SnapshotError> {
        while i < chunk.len() {
            // The number arrays are nearly all of a snapshot: they get a tight loop of their own.
            if let State::Numbers(phase) = self.state {
                self.make_room(chunk.len() - i);
                i = if split && chunk.len() - i >= self.split_from_bytes {
                    self.scan_numbers_split(chunk, i, phase)?
                } else {
                    self.scan_numbers(chunk, i, phase)?
                };
                continue;
            }
            if self.state == State::Strings(StringPhase::InString) {
                // Copy a run of plain bytes in one go: some strings are long.
                let run = chunk[i..]
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                    .unwrap_or(chunk.len() - i);
                if run > 0 {
                    self.flush_surrogate();
                    self.result
                        .strings
                        .bytes
                        .extend_from_slice(&chunk[i..i + run]);
                    i += run;
                }
                // The string's end, and V8's `,\n"` before the next, without a trip through `step` per byte.
                if chunk.get(i) == Some(&b'"') {
                    let next = match chunk.get(i + 1..i + 4) {
                        Some([b',', b'\n', b'"']) => Some(i + 4),
                        Some([b',', b'"', _]) => Some(i + 3),
                        _ => None,
                    };
                    if let Some(next) = next {
                        self.flush_surrogate();
                        if !self.result.strings.push_end() {
                            return Err(self
                                .error(i, "over 4 GiB of strings: beyond what leakwatch indexes"));
                        }
                        i = next;
                        continue;
                    }
                }
                if run > 0 {
                    continue;
                }
            }
            let byte = chunk[i];
            self.step(i, byte)?;
            i += 1;
        }
        Ok(())
    }

    /// `scan_numbers` on two threads: this one parses up to a comma about half-way, while a second thread parses
    /// the rest into columns of its own, which are then appended. The second thread must know which field of a
    /// row its first value is: the commas before the cut tell it, if all of them separate values of this array,
    /// which holds when this thread ends its part still in the array and at that field; otherwise the second
    /// thread's work is dropped and the serial path goes on from the cut. The second thread stops at anything
    /// but short numbers each followed by a comma, and the serial path goes on from there, so `]`, odd spacing, a
    /// number cut by the chunk's end and syntax errors are all found where they would be without the split; an
    /// error in a value the second thread stored carries its own offset, reported after this thread's part.
    fn scan_numbers_split(
        &mut self,
        chunk: &[u8],
        i: usize,
        phase: NumberPhase,
    ) -> Result<usize, SnapshotError> {
        // The second thread also counts this thread's commas and waits to be scheduled: it takes a little less.
        let mid = i + (chunk.len() - i) * 17 / 32;
        let Some(cut) = chunk[mid..]
            .iter()
            .take(64)
            .position(|&byte| byte == b',')
            .map(|at| mid + at)
        else {
            return self.scan_numbers(chunk, i, phase);
        };
        let rest = cut + 1;
        let mut rows = self.rows.clone();
        let mut columns = std::mem::take(&mut self.split_columns);
        let in_edges = self.in_edges;
        let base = self.offset;
        let (first, (rows, columns, start_field, second)) = std::thread::scope(|scope| {
            let worker = scope.spawn(move || {
                let commas = count_commas(&chunk[i..rest]);
                rows.field = (rows.field + commas) % rows.fields.len().max(1);
                let start_field = rows.field;
                let stop = scan_plain_numbers(chunk, rest, |value, at| {
                    rows.store(&mut columns, value)
                        .map_err(|message| SnapshotError::Parse {
                            offset: base + at as u64,
                            message,
                        })
                });
                (rows, columns, start_field, stop)
            });
            let first = self.run(&chunk[..rest], i, false);
            let second = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (first, second)
        });
        self.split_columns = columns;
        first?;
        let agrees = self.state == State::Numbers(NumberPhase::Expect)
            && self.in_edges == in_edges
            && start_field == self.rows.field;
        if !agrees {
            self.split_columns.clear_columns();
            return Ok(rest);
        }
        let stop = second?;
        self.result.append_columns(&mut self.split_columns);
        self.rows.field = rows.field;
        #[cfg(test)]
        JOINED_SPLITS.with(|joined| joined.set(joined.get() + 1));
        Ok(stop)
    }

    fn scan_numbers(
        &mut self,
        chunk: &[u8],
        mut i: usize,
        mut phase: NumberPhase,
    ) -> Result<usize, SnapshotError> {
        let mut number = self.number;
        while i < chunk.len() {
            // Fast path: a whole number followed by ',' (nearly every value of `nodes` and `edges`).
            if matches!(phase, NumberPhase::First | NumberPhase::Expect) {
                // The same fast path as the second thread's: blocks of eight bytes, then short numbers.
                let next = scan_plain_numbers(chunk, i, |value, at| self.store_number(value, at))?;
                if next > i {
                    i = next;
                    phase = NumberPhase::Expect;
                    continue;
                }
                let digit = chunk[i].wrapping_sub(b'0');
                if digit < 10 {
                    let mut value = u64::from(digit);
                    let mut at = i + 1;
                    // 19 digits always fit in a u64; longer numbers take the checked path below.
                    let limit = chunk.len().min(i + 19);
                    while at < limit {
                        let digit = chunk[at].wrapping_sub(b'0');
                        if digit >= 10 {
                            break;
                        }
                        value = value * 10 + u64::from(digit);
                        at += 1;
                    }
                    if let Some(comma) = comma_after(chunk, at) {
                        self.store_number(value, comma)?;
                        i = comma + 1;
                        phase = NumberPhase::Expect;
                        continue;
                    }
                    number = value;
                    phase = NumberPhase::InNumber;
                    i = at;
                    continue;
                }
            }
            let byte = chunk[i];
            if byte.is_ascii_digit() {
                match phase {
                    NumberPhase::First | NumberPhase::Expect => {
                        number = u64::from(byte - b'0');
                        phase = NumberPhase::InNumber;
                    }
                    NumberPhase::InNumber => {
                        if number > (u64::MAX - 9) / 10 {
                            self.state = State::Numbers(phase);
                            return Err(self.error(
                                i,
                                format!("number too large in \"{}\"", self.current_section_key()),
                            ));
                        }
                        number = number * 10 + u64::from(byte - b'0');
                    }
                    NumberPhase::After => {
                        self.state = State::Numbers(phase);
                        return Err(self.unexpected(i, "',' or ']'", byte));
                    }
                }
            } else if byte == b',' {
                match phase {
                    NumberPhase::InNumber | NumberPhase::After => {
                        self.store_number(number, i)?;
                        phase = NumberPhase::Expect;
                    }
                    _ => {
                        self.state = State::Numbers(phase);
                        return Err(self.unexpected(i, "a number", byte));
                    }
                }
            } else if is_space(byte) {
                if phase == NumberPhase::InNumber {
                    phase = NumberPhase::After;
                }
            } else if byte == b']' {
                match phase {
                    NumberPhase::InNumber | NumberPhase::After => self.store_number(number, i)?,
                    NumberPhase::First => {}
                    NumberPhase::Expect => {
                        self.state = State::Numbers(phase);
                        return Err(self.unexpected(i, "a number", byte));
                    }
                }
                self.number = 0;
                self.end_number_section(i)?;
                return Ok(i + 1);
            } else {
                self.state = State::Numbers(phase);
                let expected = match phase {
                    NumberPhase::First => "a number or ']'",
                    NumberPhase::Expect => "a number",
                    NumberPhase::InNumber => "a digit, ',' or ']'",
                    NumberPhase::After => "',' or ']'",
                };
                return Err(self.unexpected(i, expected, byte));
            }
            i += 1;
        }
        self.number = number;
        self.state = State::Numbers(phase);
        Ok(i)
    }

    #[inline(always)]
    fn store_number(&mut self, value: u64, at: usize) -> Result<(), SnapshotError> {
        self.rows
            .store(&mut self.result, value)
            .map_err(|message| self.error(at, message))
    }

    fn end_number_section(&mut self, at: usize) -> Result<(), SnapshotError> {
        if self.rows.field != 0 {
            return Err(self.error(
                at,
                format!(
                    "\"{}\" ends in the middle of a row (its length is not a multiple of the field count)",
                    self.current_section_key()
                ),
            ));
        }
        super::profile(self.current_section_key(), self.started);
        if self.in_edges {
            self.edges_end = self.offset + at as u64;
        } else {
            self.nodes_end = self.offset + at as u64;
        }
        self.state = State::CommaOrEnd;
        Ok(())
    }

    fn step(&mut self, i: usize, byte: u8) -> Result<(), SnapshotError> {
        match self.state {
            State::Start => {
                if byte == b'{' {
                    self.state = State::KeyOrEnd;
                } else if !is_space(byte) {
                    return Err(self.unexpected(i, "'{' (the start of a heap snapshot)", byte));
                }
            }
            State::KeyOrEnd | State::Key => {
                if byte == b'"' {
                    self.key.clear();
                    self.state = State::InKey { escape: false };
                } else if byte == b'}' && self.state == State::KeyOrEnd {
                    self.state = State::Done;
                } else if !is_space(byte) {
                    let expected = if self.state == State::KeyOrEnd {
                        "a key or '}'"
                    } else {
                        "a key"
                    };
                    return Err(self.unexpected(i, expected, byte));
                }
            }
            State::InKey { escape } => {
                if escape {
                    self.key.push(byte);
                    self.state = State::InKey { escape: false };
                } else if byte == b'\\' {
                    self.state = State::InKey { escape: true };
                } else if byte == b'"' {
                    self.state = State::Colon;
                } else {
                    self.key.push(byte);
                }
            }
            State::Colon => {
                if byte == b':' {
                    self.state = State::Value;
                } else if !is_space(byte) {
                    return Err(self.unexpected(i, "':'", byte));
                }
            }
            State::Value => {
                if is_space(byte) {
                    return Ok(());
                }
                self.start_value(i, byte)?;
            }
            State::Header {
                depth,
                in_string,
                escape,
            } => {
                self.header.push(byte);
                let (depth, in_string, escape) = scan_nesting(depth, in_string, escape, byte);
                if depth == 0 {
                    self.read_header(i)?;
                    self.state = State::CommaOrEnd;
                } else {
                    self.state = State::Header {
                        depth,
                        in_string,
                        escape,
                    };
                }
            }
            State::ArrayOpen(section) => {
                if byte == b'[' {
                    self.in_edges = section == Section::Edges;
                    self.rows = Rows {
                        fields: if self.in_edges {
                            self.edge_fields.clone()
                        } else {
                            self.node_fields.clone()
                        },
                        field: 0,
                        node_types: self.result.node_type_names.len(),
                        edge_types: self.result.edge_type_names.len(),
                        node_field_count: self.node_field_count,
                        node_field_reciprocal: (u64::MAX / self.node_field_count).wrapping_add(1),
                    };
                    self.state = match section {
                        Section::Strings => State::Strings(StringPhase::First),
                        _ => State::Numbers(NumberPhase::First),
                    };
                } else if !is_space(byte) {
                    return Err(self.unexpected(
                        i,
                        &format!("'[' (the \"{}\" array)", section.key()),
                        byte,
                    ));
                }
            }
            State::Numbers(_) => unreachable!("number arrays are scanned in scan_numbers"),
            State::Strings(phase) => self.step_strings(i, byte, phase)?,
            State::Skip {
                depth,
                in_string,
                escape,
                started,
            } => {
                if !started && !in_string && depth == 0 && matches!(byte, b',' | b'}') {
                    // A scalar value ended: the delimiter belongs to the object.
                    self.state = State::CommaOrEnd;
                    return self.step(i, byte);
                }
                let opens = !in_string && matches!(byte, b'[' | b'{');
                let (depth, in_string, escape) = scan_nesting(depth, in_string, escape, byte);
                let started = started || opens;
                if started && depth == 0 {
                    self.state = State::CommaOrEnd;
                } else {
                    if !in_string && depth == 0 && matches!(byte, b']') {
                        return Err(self.unexpected(i, "a value", byte));
                    }
                    self.state = State::Skip {
                        depth,
                        in_string,
                        escape,
                        started,
                    };
                }
            }
            State::CommaOrEnd => {
                if byte == b',' {
                    self.state = State::Key;
                } else if byte == b'}' {
                    self.state = State::Done;
                } else if !is_space(byte) {
                    return Err(self.unexpected(i, "',' or '}' after a top-level value", byte));
                }
            }
            State::Done => {
                if !is_space(byte) {
                    return Err(self.unexpected(i, "the end of the file", byte));
                }
            }
        }
        Ok(())
    }

    fn start_value(&mut self, i: usize, byte: u8) -> Result<(), SnapshotError> {
        let section = match self.key.as_slice() {
            b"snapshot" => None,
            b"nodes" => Some(Section::Nodes),
            b"edges" => Some(Section::Edges),
            b"strings" => Some(Section::Strings),
            _ => {
                self.state = State::Skip {
                    depth: 0,
                    in_string: false,
                    escape: false,
                    started: false,
                };
                return self.step(i, byte);
            }
        };
        let Some(section) = section else {
            if byte != b'{' {
                return Err(self.unexpected(i, "'{' (the \"snapshot\" header)", byte));
            }
            self.header.clear();
            self.header.push(byte);
            self.state = State::Header {
                depth: 1,
                in_string: false,
                escape: false,
            };
            return Ok(());
        };
        let index = match section {
            Section::Nodes => 0,
            Section::Edges => 1,
            Section::Strings => 2,
        };
        if self.seen[index] {
            return Err(self.error(i, format!("\"{}\" appears twice", section.key())));
        }
        if section != Section::Strings && !self.have_header {
            return Err(self.error(
                i,
                format!(
                    "\"{}\" comes before the \"snapshot\" header that describes its fields",
                    section.key()
                ),
            ));
        }
        self.seen[index] = true;
        self.reserve(section);
        self.state = State::ArrayOpen(section);
        self.step(i, byte)
    }

    /// Reserves the columns of `section` from the header's claim: all of it when checked against the input's
    /// size, else a bounded start (`make_room` grows them as data arrives).
    fn reserve(&mut self, section: Section) {
        let bound = |claim: Option<u64>| {
            let claim = claim.unwrap_or(0);
            let count = match self.total_bytes {
                Some(_) => claim,
                None => claim.min(UNKNOWN_SIZE_ROWS),
            };
            usize::try_from(count).unwrap_or(usize::MAX)
        };
        match section {
            Section::Nodes => {
                let count = bound(self.node_count_hint);
                let snapshot = &mut self.result;
                snapshot.node_type = with_capacity(count);
                snapshot.node_name = with_capacity(count);
                snapshot.node_id.reserve_exact(count);
                snapshot.node_self_size = with_capacity(count);
                // One more: the graph turns it into edge offsets in place, with an end.
                snapshot.node_edge_count = with_capacity(count + 1);
            }
            Section::Edges => {
                let count = bound(self.edge_count_hint);
                let snapshot = &mut self.result;
                snapshot.edge_type = with_capacity(count);
                snapshot.edge_name_or_index = with_capacity(count);
                snapshot.edge_to = with_capacity(count);
            }
            Section::Strings => {}
        }
    }

    /// Before `bytes` more of a number array: room for as many rows as they can hold, within the header's claim
    /// (see `grow_toward`).
    fn make_room(&mut self, bytes: usize) {
        let fields = self.rows.fields.len().max(1);
        let rows = bytes / (2 * fields) + 1;
        let claim = |hint: Option<u64>| usize::try_from(hint.unwrap_or(0)).unwrap_or(usize::MAX);
        let snapshot = &mut self.result;
        if self.in_edges {
            let claim = claim(self.edge_count_hint);
            let needed = snapshot.edge_to.len() + rows;
            grow_toward(&mut snapshot.edge_type, needed, claim);
            grow_toward(&mut snapshot.edge_name_or_index, needed, claim);
            grow_toward(&mut snapshot.edge_to, needed, claim);
        } else {
            let claim = claim(self.node_count_hint);
            let needed = snapshot.node_name.len() + rows;
            grow_toward(&mut snapshot.node_type, needed, claim);
            grow_toward(&mut snapshot.node_name, needed, claim);
            snapshot.node_id.grow_toward(needed, claim);
            grow_toward(&mut snapshot.node_self_size, needed, claim);
            // One more, as in `reserve`.
            grow_toward(
                &mut snapshot.node_edge_count,
                needed + 1,
                claim.saturating_add(1),
            );
        }
    }

    fn read_header(&mut self, i: usize) -> Result<(), SnapshotError> {
        let header: Header = serde_json::from_slice(&self.header).map_err(|error| {
            self.error(i, format!("the \"snapshot\" header is not valid: {error}"))
        })?;
        let meta = header.meta;
        self.result.node_type_names = meta.node_types.first().map(type_names).unwrap_or_default();
        self.result.edge_type_names = meta.edge_types.first().map(type_names).unwrap_or_default();
        self.node_fields = meta
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
        self.edge_fields = meta
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
                &self.node_fields,
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
                &self.edge_fields,
                &[Field::EdgeType, Field::NameOrIndex, Field::ToNode][..],
                "edge_fields",
            ),
        ] {
            for field in required {
                if fields.iter().filter(|&have| have == field).count() != 1 {
                    return Err(self.error(
                        i,
                        format!("the \"snapshot\" header's meta.{what} lacks a field leakwatch needs ({field:?})"),
                    ));
                }
            }
        }
        if self.result.node_type_names.is_empty() || self.result.edge_type_names.is_empty() {
            return Err(self.error(
                i,
                "the \"snapshot\" header's meta has no node or edge type names",
            ));
        }
        let count = |value, key| header_count(value, key).map_err(|message| self.error(i, message));
        let node_count = count(&header.node_count, "node_count")?;
        let edge_count = count(&header.edge_count, "edge_count")?;
        let trace_function_count = count(&header.trace_function_count, "trace_function_count")?;
        if let Some(total) = self.total_bytes {
            let claims = [
                (node_count, "nodes", self.node_fields.len()),
                (edge_count, "edges", self.edge_fields.len()),
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
            check_claims(&claims, total).map_err(|message| self.error(i, message))?;
        }
        self.node_field_count = self.node_fields.len() as u64;
        self.node_count_hint = node_count;
        self.edge_count_hint = edge_count;
        self.have_header = true;
        self.header = Vec::new();
        Ok(())
    }

    fn step_strings(
        &mut self,
        i: usize,
        byte: u8,
        phase: StringPhase,
    ) -> Result<(), SnapshotError> {
        match phase {
            StringPhase::First | StringPhase::Expect => {
                if byte == b'"' {
                    self.pending_surrogate = None;
                    self.state = State::Strings(StringPhase::InString);
                } else if byte == b']' && phase == StringPhase::First {
                    self.state = State::CommaOrEnd;
                } else if !is_space(byte) {
                    let expected = if phase == StringPhase::First {
                        "a string or ']'"
                    } else {
                        "a string"
                    };
                    return Err(self.unexpected(i, expected, byte));
                }
            }
            StringPhase::InString => match byte {
                b'"' => {
                    self.flush_surrogate();
                    if !self.result.strings.push_end() {
                        return Err(
                            self.error(i, "over 4 GiB of strings: beyond what leakwatch indexes")
                        );
                    }
                    self.state = State::Strings(StringPhase::After);
                }
                b'\\' => self.state = State::Strings(StringPhase::Escape),
                _ => {
                    return Err(self.unexpected(
                        i,
                        "a string character (control bytes must be escaped)",
                        byte,
                    ))
                }
            },
            StringPhase::Escape => {
                let simple = match byte {
                    b'"' => Some(b'"'),
                    b'\\' => Some(b'\\'),
                    b'/' => Some(b'/'),
                    b'b' => Some(0x08),
                    b'f' => Some(0x0c),
                    b'n' => Some(b'\n'),
                    b'r' => Some(b'\r'),
                    b't' => Some(b'\t'),
                    b'u' => None,
                    _ => return Err(self.unexpected(i, "an escape character", byte)),
                };
                if let Some(decoded) = simple {
                    self.flush_surrogate();
                    self.result.strings.bytes.push(decoded);
                    self.state = State::Strings(StringPhase::InString);
                } else {
                    self.state = State::Strings(StringPhase::Unicode {
                        digits: 0,
                        value: 0,
                    });
                }
            }
            StringPhase::Unicode { digits, value } => {
                let digit = (byte as char)
                    .to_digit(16)
                    .ok_or_else(|| self.unexpected(i, "a hex digit of a \\u escape", byte))?;
                let value = value * 16 + digit;
                if digits < 3 {
                    self.state = State::Strings(StringPhase::Unicode {
                        digits: digits + 1,
                        value,
                    });
                } else {
                    self.decode_unit(value);
                    self.state = State::Strings(StringPhase::InString);
                }
            }
            StringPhase::After => {
                if byte == b',' {
                    self.state = State::Strings(StringPhase::Expect);
                } else if byte == b']' {
                    self.state = State::CommaOrEnd;
                } else if !is_space(byte) {
                    return Err(self.unexpected(i, "',' or ']'", byte));
                }
            }
        }
        Ok(())
    }

    /// Turns one UTF-16 unit into UTF-8, pairing surrogates; a lone surrogate (V8 writes them) becomes U+FFFD.
    fn decode_unit(&mut self, unit: u32) {
        if (0xD800..0xDC00).contains(&unit) {
            self.flush_surrogate();
            self.pending_surrogate = Some(unit);
        } else if (0xDC00..0xE000).contains(&unit) {
            if let Some(high) = self.pending_surrogate.take() {
                let code_point = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
                append_utf8(&mut self.result.strings.bytes, code_point);
            } else {
                append_utf8(&mut self.result.strings.bytes, 0xFFFD);
            }
        } else {
            self.flush_surrogate();
            append_utf8(&mut self.result.strings.bytes, unit);
        }
    }

    fn flush_surrogate(&mut self) {
        if self.pending_surrogate.take().is_some() {
            append_utf8(&mut self.result.strings.bytes, 0xFFFD);
        }
    }

    /// Ends the input: checks that the file was complete and that nodes, edges and strings agree.
    pub fn finish(mut self) -> Result<HeapSnapshot, SnapshotError> {
        super::profile("parse (from parser creation)", self.started);
        let checks = std::time::Instant::now();
        if self.state != State::Done {
            let expected = match self.state {
                State::Start => "'{' (the start of a heap snapshot)".to_owned(),
                State::Numbers(_) => format!("more of \"{}\"", self.current_section_key()),
                State::Strings(_) => "more of \"strings\"".to_owned(),
                State::Header { .. } => "more of the \"snapshot\" header".to_owned(),
                _ => "more of the snapshot object".to_owned(),
            };
            return Err(self.error(0, format!("unexpected end of input: expected {expected}")));
        }
        for (index, what) in [(0, "nodes"), (1, "edges"), (2, "strings")] {
            if !self.seen[index] {
                return Err(self.error(0, format!("the snapshot has no \"{what}\" array")));
            }
        }
        let snapshot = &mut self.result;
        let node_count = snapshot.node_count();
        if node_count == 0 {
            return Err(self.error(0, "the snapshot has no nodes"));
        }
        let declared: u64 = snapshot
            .node_edge_count
            .iter()
            .map(|&count| u64::from(count))
            .sum();
        if declared != snapshot.edge_count() as u64 {
            let at = self.edges_end;
            return Err(SnapshotError::Parse {
                offset: at,
                message: format!(
                    "the nodes declare {declared} edges but \"edges\" holds {}",
                    self.result.edge_count()
                ),
            });
        }
        if u32::try_from(node_count).is_err() || u32::try_from(snapshot.edge_count()).is_err() {
            return Err(self.error(
                0,
                "over 4 billion nodes or edges: beyond what leakwatch indexes",
            ));
        }
        if let Some(&to) = snapshot
            .edge_to
            .iter()
            .find(|&&to| to as usize >= node_count)
        {
            return Err(SnapshotError::Parse {
                offset: self.edges_end,
                message: format!(
                    "an edge points to node {to}, past the last node ({node_count} nodes)"
                ),
            });
        }
        let string_count = snapshot.strings.len();
        if let Some(&name) = snapshot
            .node_name
            .iter()
            .find(|&&name| name as usize >= string_count)
        {
            return Err(SnapshotError::Parse {
                offset: self.nodes_end,
                message: format!(
                    "a node names string {name}, past the last string ({string_count} strings)"
                ),
            });
        }
        let numbered: Vec<bool> = snapshot
            .edge_type_names
            .iter()
            .map(|name| name == "element" || name == "hidden")
            .collect();
        let bad_edge = snapshot
            .edge_type
            .iter()
            .zip(&snapshot.edge_name_or_index)
            .find(|&(&kind, &name)| !numbered[usize::from(kind)] && name as usize >= string_count);
        if let Some((_, name)) = bad_edge {
            return Err(SnapshotError::Parse {
                offset: self.edges_end,
                message: format!(
                    "an edge names string {name}, past the last string ({string_count} strings)"
                ),
            });
        }
        // The arena grew by doubling: give back the slack.
        snapshot.strings.bytes.shrink_to_fit();
        snapshot.strings.offsets.shrink_to_fit();
        super::profile("parse checks", checks);
        if std::env::var_os("LEAKWATCH_PROFILE").is_some() {
            let s = &self.result;
            eprintln!(
                "leakwatch profile: {} nodes, {} edges, {} strings, {} string bytes (cap {})",
                s.node_count(),
                s.edge_count(),
                s.strings.len(),
                s.strings.bytes.len(),
                s.strings.bytes.capacity(),
            );
        }
        Ok(self.result)
    }
}

/// Where the `,` after a number ending at `at` is, when it comes straight away or after V8's row-ending newline.
#[inline(always)]
fn comma_after(chunk: &[u8], at: usize) -> Option<usize> {
    match chunk.get(at) {
        Some(b',') => Some(at),
        Some(b'\n') => (chunk.get(at + 1) == Some(&b',')).then_some(at + 1),
        _ => None,
    }
}

/// The numbers of the 64 bytes from `start` (a number's first byte) that end in a `,` (or V8's `\n,`), by a
/// mask of the commas: no byte-by-byte loop, and each number's work is independent of the one before. Stops
/// at anything else (a long number, spaces, `]`, an error) and returns where it stopped, for the general path.
#[inline(always)]
fn scan_block<E>(
    chunk: &[u8],
    start: usize,
    mut store: impl FnMut(u64, usize) -> Result<(), E>,
) -> Result<usize, E> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut commas = 0u64;
    for (k, word) in chunk[start..start + 64].chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ (ONES * 0x2C);
        let nonzero = (((word & (ONES * 0x7F)) + ONES * 0x7F) | word) & (ONES * 0x80);
        let zero = !nonzero & (ONES * 0x80);
        commas |= ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    let mut at = start;
    while commas != 0 {
        let comma = start + commas.trailing_zeros() as usize;
        commas &= commas - 1;
        // `comma > at`: a chunk may start with a comma (an error found by the general path).
        let end = if comma > at && chunk[comma - 1] == b'\n' {
            comma - 1
        } else {
            comma
        };
        let len = end.wrapping_sub(at);
        if len == 0 || len > 8 {
            break;
        }
        let word = u64::from_le_bytes(chunk[at..at + 8].try_into().expect("eight bytes"));
        let digits = word ^ (ONES * 0x30);
        let non_digit = (digits.wrapping_add(ONES * 0x76) | digits) & (ONES * 0x80);
        if ((non_digit.trailing_zeros() / 8) as usize) < len {
            break;
        }
        store(swar_digits(digits << (8 * (8 - len))), comma)?;
        at = comma + 1;
    }
    Ok(at)
}

/// The number of one to seven digits at `i` and the `,` after it (straight away or after V8's `\n`), read as
/// eight bytes at once: the digit run's length from a mask, its value by three multiplies.
#[inline(always)]
fn short_number(chunk: &[u8], i: usize) -> Option<(u64, usize)> {
    let word = u64::from_le_bytes(chunk.get(i..i + 8)?.try_into().ok()?);
    let digits = word ^ 0x3030_3030_3030_3030;
    let non_digit = (digits.wrapping_add(0x7676_7676_7676_7676) | digits) & 0x8080_8080_8080_8080;
    let len = (non_digit.trailing_zeros() / 8) as usize;
    if !(1..8).contains(&len) {
        return None;
    }
    let comma = comma_after(chunk, i + len)?;
    Some((swar_digits(digits << (8 * (8 - len))), comma))
}

/// Stores the values of `chunk[start..]` (where a number is expected) while they are numbers of up to eight
/// digits each followed by a comma; returns where it stopped (always where a number is expected) or the first
/// error of `store`.
fn scan_plain_numbers<E>(
    chunk: &[u8],
    start: usize,
    mut store: impl FnMut(u64, usize) -> Result<(), E>,
) -> Result<usize, E> {
    let mut i = start;
    loop {
        if i + 72 <= chunk.len() {
            let next = scan_block(chunk, i, &mut store)?;
            if next > i {
                i = next;
                continue;
            }
        }
        match short_number(chunk, i) {
            Some((value, comma)) => {
                store(value, comma)?;
                i = comma + 1;
            }
            None => return Ok(i),
        }
    }
}

/// How many commas `bytes` holds, eight bytes at a time (a byte-wise count is several times slower).
fn count_commas(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let words = bytes.chunks_exact(8);
    let tail = words
        .remainder()
        .iter()
        .filter(|&&byte| byte == b',')
        .count();
    words
        .map(|word| {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ (ONES * 0x2C);
            // Exact per byte (no borrow between bytes): the high bit of each byte that was a comma.
            let nonzero = (((word & (ONES * 0x7F)) + ONES * 0x7F) | word) & (ONES * 0x80);
            (!nonzero & (ONES * 0x80)).count_ones() as usize
        })
        .sum::<usize>()
        + tail
}

/// The number in eight little-endian digit bytes (values 0–9, the first the most significant).
#[inline(always)]
fn swar_digits(digits: u64) -> u64 {
    let pairs = (digits.wrapping_mul(10)).wrapping_add(digits >> 8) & 0x00FF_00FF_00FF_00FF;
    let quads = (pairs.wrapping_mul(100)).wrapping_add(pairs >> 16) & 0x0000_FFFF_0000_FFFF;
    (quads.wrapping_mul(10000)).wrapping_add(quads >> 32) & 0xFFFF_FFFF
}

/// One byte of bracket/string tracking for copying or skipping a JSON value.
fn scan_nesting(depth: u32, in_string: bool, escape: bool, byte: u8) -> (u32, bool, bool) {
    if in_string {
        if escape {
            (depth, true, false)
        } else {
            match byte {
                b'\\' => (depth, true, true),
                b'"' => (depth, false, false),
                _ => (depth, true, false),
            }
        }
    } else {
        match byte {
            b'"' => (depth, true, false),
            b'[' | b'{' => (depth + 1, false, false),
            b']' | b'}' => (depth.saturating_sub(1), false, false),
            _ => (depth, false, false),
        }
    }
}

#[cfg(test)]
mod swar_tests {
    #[test]
    fn eight_digit_words() {
        for text in [
            "12345678", "00000001", "99999999", "10000000", "00000000", "40560027",
        ] {
            let word =
                u64::from_le_bytes(text.as_bytes().try_into().unwrap()) ^ 0x3030_3030_3030_3030;
            assert_eq!(super::swar_digits(word), text.parse::<u64>().unwrap());
        }
        for len in 1..8 {
            let text = &"7654321,"[8 - len - 1..];
            let mut padded = text.as_bytes().to_vec();
            padded.resize(8, b'9');
            let digits = u64::from_le_bytes(padded.try_into().unwrap()) ^ 0x3030_3030_3030_3030;
            let value = super::swar_digits(digits << (8 * (8 - len)));
            assert_eq!(value, text.trim_end_matches(',').parse::<u64>().unwrap());
        }
    }
}
