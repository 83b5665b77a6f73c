//! A streaming reader for V8's `.heapsnapshot` JSON, into flat columns.
//!
//! Split as Shark splits its hprof reader, a file per part: `header` (the `snapshot` object: field layout, type
//! names, claimed counts), `strings` (the string arena), `numbers` (the fast scanner of `nodes` and `edges`, and
//! its two-thread split), `columns` (one `Vec` per field, and how values land in them), and here the state
//! machine that walks the top-level object and hands each part its bytes.
//!
//! The text is never held whole: bytes arrive in chunks (`SnapshotParser::push`, or `parse_reader` over any
//! `Read`) and a byte-at-a-time state machine, resumable at any chunk boundary, turns them into columns. The big
//! arrays (`nodes`, `edges`) go through the number scanner straight into the columns (no struct per node, no JSON
//! values), `strings` into one byte arena with offsets. Only the small `snapshot` header is sliced out and handed
//! to serde_json. Every other top-level section (`locations`, `samples`, `trace_*`) is skipped by scanning
//! brackets and strings. The header must come before `nodes` and `edges` (V8 always writes it first).
//!
//! A long run of numbers in one chunk is shared with a second thread, which stores the part after a cut about
//! half-way into columns of its own, appended once both are done (`scan_numbers_split`); the result and the error
//! offsets are those of the serial scan. Skipped values and strings are scanned eight bytes at a time for the
//! bytes that matter (brackets, quotes, escapes).
//!
//! Limits: node and edge indexes are `u32` (over 4 billion nodes or edges is an error, not a wrap); the string
//! arena is capped at 4 GiB (an error past that). A malformed file gives a `SnapshotError` naming the byte offset
//! and what was expected there, never a panic.

mod columns;
mod header;
mod numbers;
mod strings;

pub use columns::{HeapSnapshot, NodeIds};
pub use strings::StringTable;

use super::profile::profile;
use columns::{Field, Inconsistency, Rows, UNKNOWN_SIZE_ROWS};
use numbers::{
    bytes_equal, comma_after, load, scan_far_part, scan_values, split_point, Cut, SPLIT_FROM_BYTES,
};
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

/// What `SnapshotParser::read_from` reads at a time: each chunk's number runs are split over two threads, so fewer,
/// larger chunks mean fewer hand-offs between them (a hand-off costs a thread start, and more on a busy machine).
const READ_CHUNK_BYTES: usize = 16 << 20;

/// Reads a whole snapshot from `reader` (see `SnapshotParser::read_from`); `total_bytes`, when known (a file's
/// length), is what the header's counts are checked against.
pub fn parse_reader(
    reader: impl Read + Send,
    total_bytes: Option<u64>,
) -> Result<HeapSnapshot, SnapshotError> {
    let mut parser = SnapshotParser::new();
    if let Some(total) = total_bytes {
        parser = parser.with_total_bytes(total);
    }
    parser.read_from(reader, |_| true)?;
    parser.finish()
}

/// Reads into all of `buffer` unless the input ends first; how many bytes were read.
fn fill(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
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
    /// Whether the rows of `nodes` and `edges` each end with a newline, as V8 writes them: a split then cuts at a
    /// row's start. Cleared the first time a cut there turns out not to be one.
    rows_end_lines: bool,
    /// Off only in tests: numbers and skipped values byte by byte through the state machine, on one thread: the
    /// reference the fast paths are checked against.
    fast_paths: bool,
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
            rows_end_lines: true,
            fast_paths: true,
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

    /// Turns off the fast paths and the split: the plain state machine, as a reference for tests.
    #[cfg(test)]
    pub(crate) fn byte_by_byte(mut self) -> Self {
        self.fast_paths = false;
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

    /// Feeds all of `reader`, to its end, a chunk at a time: the next chunk is read by a thread of its own while
    /// this one parses the last (copying a large file from the page cache costs a good share of the parse), into
    /// two buffers no bigger than the input, given back when this returns. `progress` gets the bytes read so far
    /// after each chunk; returning `false` stops the reading there (with `Ok`).
    pub fn read_from(
        &mut self,
        reader: impl Read + Send,
        progress: impl FnMut(u64) -> bool,
    ) -> Result<(), SnapshotError> {
        let chunk_bytes = self.total_bytes.map_or(READ_CHUNK_BYTES, |total| {
            usize::try_from(total)
                .map_or(READ_CHUNK_BYTES, |total| total.clamp(1, READ_CHUNK_BYTES))
        });
        self.read_in_chunks(reader, chunk_bytes, progress)
    }

    /// `read_from`, `chunk_bytes` at a time.
    fn read_in_chunks(
        &mut self,
        reader: impl Read + Send,
        chunk_bytes: usize,
        mut progress: impl FnMut(u64) -> bool,
    ) -> Result<(), SnapshotError> {
        std::thread::scope(|scope| {
            // Two buffers go round: filled by the reading thread, emptied here. Both channels end in this closure,
            // so an early return (a parse error) ends the reading thread's next send or receive, and the scope's
            // join.
            let (filled_sender, filled) =
                std::sync::mpsc::sync_channel::<std::io::Result<(Vec<u8>, usize)>>(1);
            let (empty, empty_receiver) = std::sync::mpsc::channel::<Vec<u8>>();
            for _ in 0..2 {
                let _ = empty.send(vec![0u8; chunk_bytes.max(1)]);
            }
            scope.spawn(move || {
                let mut reader = reader;
                while let Ok(mut buffer) = empty_receiver.recv() {
                    let result = fill(&mut reader, &mut buffer);
                    let last = !matches!(result, Ok(read) if read == buffer.len());
                    if filled_sender
                        .send(result.map(|read| (buffer, read)))
                        .is_err()
                        || last
                    {
                        return;
                    }
                }
            });
            while let Ok(result) = filled.recv() {
                let (buffer, read) = result.map_err(SnapshotError::Io)?;
                if read == 0 {
                    break;
                }
                self.push(&buffer[..read])?;
                let go_on = progress(self.offset);
                if read < buffer.len() || !go_on {
                    break;
                }
                let _ = empty.send(buffer);
            }
            Ok(())
        })
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
                i = if split && self.fast_paths && chunk.len() - i >= self.split_from_bytes {
                    self.scan_numbers_split(chunk, i, phase)?
                } else {
                    self.scan_numbers(chunk, i, phase)?
                };
                continue;
            }
            if self.state == State::Strings(StringPhase::InString) {
                // Copy a run of plain bytes in one go: some strings are long.
                let run = first_of(chunk, i, string_specials) - i;
                if run > 0 {
                    self.result.strings.push_bytes(&chunk[i..i + run]);
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
                        if !self.result.strings.end_string() {
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
            // A skipped value (`locations` can be a tenth of a file) changes state only at brackets and quotes.
            if let (
                true,
                State::Skip {
                    started: true,
                    in_string,
                    escape: false,
                    ..
                },
            ) = (self.fast_paths, self.state)
            {
                let next = if in_string {
                    first_of(chunk, i, string_ends)
                } else {
                    first_of(chunk, i, brackets_and_quotes)
                };
                if next > i {
                    i = next;
                    continue;
                }
            }
            let byte = chunk[i];
            self.step(i, byte)?;
            i += 1;
        }
        Ok(())
    }

    /// `scan_numbers` on two threads: this one parses up to a cut about half-way, while a second thread parses
    /// the rest into columns of its own, which are then appended. The second thread must know which field of a
    /// row its first value is: a cut after V8's row-ending `\n,` is at a row's start, and elsewhere the commas
    /// before the cut tell it, if all of them separate values of this array. Either holds when this thread ends its
    /// part still in the array and at that field; otherwise the second thread's work is dropped and the serial path
    /// goes on from the cut (and, when a line did not end a row, later cuts count commas). The second thread stops
    /// at anything but plain numbers each followed by a comma, and the serial path goes on from there, so `]`, odd
    /// spacing, a number cut by the chunk's end and syntax errors are all found where they would be without the
    /// split; an error in a value the second thread stored carries its own offset, reported after this thread's
    /// part.
    fn scan_numbers_split(
        &mut self,
        chunk: &[u8],
        i: usize,
        phase: NumberPhase,
    ) -> Result<usize, SnapshotError> {
        let Some(cut) = split_point(chunk, i, self.rows_end_lines) else {
            return self.scan_numbers(chunk, i, phase);
        };
        let rest = match cut {
            Cut::RowStart(rest) | Cut::AfterComma(rest) => rest,
        };
        let rows = self.rows.clone();
        let mut columns = std::mem::take(&mut self.split_columns);
        let in_edges = self.in_edges;
        let base = self.offset;
        let (first, far) = std::thread::scope(|scope| {
            let columns = &mut columns;
            let worker = scope.spawn(move || {
                scan_far_part(chunk, i, cut, rows, columns, |message, at| {
                    SnapshotError::Parse {
                        offset: base + at as u64,
                        message,
                    }
                })
            });
            let first = self.run(&chunk[..rest], i, false);
            let far = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (first, far)
        });
        self.split_columns = columns;
        first?;
        let agrees = self.state == State::Numbers(NumberPhase::Expect)
            && self.in_edges == in_edges
            && far.start_field == self.rows.field;
        if !agrees {
            self.split_columns.clear_columns();
            // Still in the same array, and not at a row's start after a newline: rows do not end lines here.
            if self.state == State::Numbers(NumberPhase::Expect)
                && self.in_edges == in_edges
                && matches!(cut, Cut::RowStart(_))
            {
                self.rows_end_lines = false;
            }
            return Ok(rest);
        }
        let stop = far.stop?;
        self.result.append_columns(&mut self.split_columns);
        self.rows.field = far.rows.field;
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
            // Fast path: whole rows, then whole numbers each followed by ',' (nearly every value of `nodes` and
            // `edges`): the same as the second thread's.
            if self.fast_paths && matches!(phase, NumberPhase::First | NumberPhase::Expect) {
                let base = self.offset;
                let next =
                    scan_values(chunk, i, &mut self.rows, &mut self.result, |message, at| {
                        SnapshotError::Parse {
                            offset: base + at as u64,
                            message,
                        }
                    })?;
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
        profile(self.current_section_key(), self.started);
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
                    let fields = if self.in_edges {
                        self.edge_fields.clone()
                    } else {
                        self.node_fields.clone()
                    };
                    self.rows = Rows::new(
                        fields,
                        self.result.node_type_names.len(),
                        self.result.edge_type_names.len(),
                        self.node_field_count,
                    );
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
                self.result.reserve_nodes(count);
            }
            Section::Edges => {
                let count = bound(self.edge_count_hint);
                self.result.reserve_edges(count);
            }
            Section::Strings => {}
        }
    }

    /// Before `bytes` more of a number array: room for as many rows as they can hold, within the header's claim.
    fn make_room(&mut self, bytes: usize) {
        let rows = bytes / (2 * self.rows.width().max(1)) + 1;
        let claim = |hint: Option<u64>| usize::try_from(hint.unwrap_or(0)).unwrap_or(usize::MAX);
        if self.in_edges {
            self.result
                .make_room_for_edges(rows, claim(self.edge_count_hint));
        } else {
            self.result
                .make_room_for_nodes(rows, claim(self.node_count_hint));
        }
    }

    fn read_header(&mut self, i: usize) -> Result<(), SnapshotError> {
        let header = header::read(&self.header, self.total_bytes)
            .map_err(|message| self.error(i, message))?;
        self.result.node_type_names = header.node_type_names;
        self.result.edge_type_names = header.edge_type_names;
        self.node_field_count = header.node_fields.len() as u64;
        self.node_fields = header.node_fields;
        self.edge_fields = header.edge_fields;
        self.node_count_hint = header.node_count;
        self.edge_count_hint = header.edge_count;
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
                    self.result.strings.begin_string();
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
                    if !self.result.strings.end_string() {
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
                    self.result.strings.push_byte(decoded);
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
                    self.result.strings.push_utf16_unit(value);
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

    /// Ends the input: checks that the file was complete and that nodes, edges and strings agree.
    pub fn finish(mut self) -> Result<HeapSnapshot, SnapshotError> {
        profile("parse (from parser creation)", self.started);
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
        if let Err(inconsistency) = self.result.check_consistency() {
            return Err(match inconsistency {
                Inconsistency::Nodes(message) => SnapshotError::Parse {
                    offset: self.nodes_end,
                    message,
                },
                Inconsistency::Edges(message) => SnapshotError::Parse {
                    offset: self.edges_end,
                    message,
                },
                Inconsistency::Whole(message) => self.error(0, message),
            });
        }
        // The arena grew by doubling: give back the slack.
        self.result.strings.shrink_to_fit();
        profile("parse checks", checks);
        if std::env::var_os("LEAKWATCH_PROFILE").is_some() {
            let s = &self.result;
            let (bytes, capacity) = s.strings.arena_size();
            eprintln!(
                "leakwatch profile: {} nodes, {} edges, {} strings, {bytes} string bytes (cap {capacity})",
                s.node_count(),
                s.edge_count(),
                s.strings.len(),
            );
        }
        Ok(self.result)
    }
}

/// Where the first byte of `chunk[from..]` that `hits` marks is (`chunk.len()` when none): `hits` gives the high
/// bit of each such byte of an eight-byte word, exact up to the first.
#[inline(always)]
fn first_of(chunk: &[u8], from: usize, hits: impl Fn(u64) -> u64) -> usize {
    let mut i = from;
    while i + 8 <= chunk.len() {
        let found = hits(load(chunk, i));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < chunk.len() {
        let mut word = [0u8; 8];
        word[0] = chunk[i];
        if hits(u64::from_le_bytes(word)) & 0x80 != 0 {
            return i;
        }
        i += 1;
    }
    i
}

/// What ends a run of plain bytes in a string: `"`, `\\` and control bytes (which JSON wants escaped).
#[inline(always)]
fn string_specials(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let control = word.wrapping_sub(ONES * 0x20) & !word & (ONES * 0x80);
    bytes_equal(word, b'"') | bytes_equal(word, b'\\') | control
}

/// What matters inside a skipped string: its end and escapes.
#[inline(always)]
fn string_ends(word: u64) -> u64 {
    bytes_equal(word, b'"') | bytes_equal(word, b'\\')
}

/// What changes the nesting of a skipped value: brackets, braces and quotes.
#[inline(always)]
fn brackets_and_quotes(word: u64) -> u64 {
    // `[` and `]` become `{` and `}` with 0x20 set; no other byte does.
    let folded = word | 0x2020_2020_2020_2020;
    bytes_equal(folded, b'{') | bytes_equal(folded, b'}') | bytes_equal(word, b'"')
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
pub(crate) mod tests;
