//! The reader against snapshots whose every value is known: generated here with the layouts and spacing the fast
//! paths must handle (V8's rows on lines, compact JSON, stray whitespace, reordered and extra fields, numbers of up
//! to nineteen digits, clamped and wide values), parsed in chunks of many sizes with and without the two-thread
//! split, and compared with the values written and with the plain state machine (`byte_by_byte`).

use super::{HeapSnapshot, SnapshotError, SnapshotParser};
use std::io::Read;

/// A fixed xorshift: the same snapshots every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

#[derive(Clone, Copy, Debug)]
enum Spacing {
    /// V8's: a row per line (`\n,` between rows).
    RowsOnLines,
    /// No whitespace at all.
    Compact,
    /// Whitespace sprinkled around commas, and lines that do not end rows.
    Odd,
}

const NODE_TYPES: [&str; 4] = ["hidden", "array", "string", "object"];
const EDGE_TYPES: [&str; 7] = [
    "context", "element", "property", "internal", "hidden", "shortcut", "weak",
];
const STRING_COUNT: u64 = 50;

/// The columns a generated snapshot must parse into.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    node_type: Vec<u8>,
    node_name: Vec<u32>,
    node_id: Vec<u64>,
    node_self_size: Vec<u32>,
    node_edge_count: Vec<u32>,
    edge_type: Vec<u8>,
    edge_name_or_index: Vec<u32>,
    edge_to: Vec<u32>,
    strings: Vec<String>,
}

impl Expected {
    fn of(snapshot: &HeapSnapshot) -> Self {
        Self {
            node_type: snapshot.node_type.clone(),
            node_name: snapshot.node_name.clone(),
            node_id: snapshot.node_id.iter().collect(),
            node_self_size: snapshot.node_self_size.clone(),
            node_edge_count: snapshot.node_edge_count.clone(),
            edge_type: snapshot.edge_type.clone(),
            edge_name_or_index: snapshot.edge_name_or_index.clone(),
            edge_to: snapshot.edge_to.clone(),
            strings: (0..snapshot.strings.len() as u32)
                .map(|index| snapshot.strings.get(index).to_owned())
                .collect(),
        }
    }
}

/// An id of a length picked at random: mostly short, some of nine to sixteen digits (two loads), a few of
/// seventeen to nineteen (the byte-at-a-time path).
fn id(random: &mut Random) -> u64 {
    match random.below(20) {
        0..=11 => random.below(100_000),
        12..=18 => 10u64.pow(8 + random.below(8) as u32) + random.below(1_000_000),
        _ => 10u64.pow(16 + random.below(3) as u32) + random.below(1_000_000),
    }
}

/// A snapshot of `nodes` nodes with the given field orders (names as in `meta`), and the columns it holds.
fn synthetic(
    seed: u64,
    nodes: usize,
    node_fields: &[&str],
    edge_fields: &[&str],
    spacing: Spacing,
) -> (Vec<u8>, Expected) {
    let mut random = Random(seed);
    let mut expected = Expected::default();
    let mut node_rows = Vec::new();
    let mut edge_rows = Vec::new();
    for _ in 0..nodes {
        let kind = random.below(NODE_TYPES.len() as u64);
        let name = random.below(STRING_COUNT);
        let id = id(&mut random);
        // Now and then a self size past 32 bits, which is clamped.
        let self_size = if random.below(50) == 0 {
            5_000_000_000
        } else {
            random.below(200_000)
        };
        let edge_count = random.below(6);
        let row: Vec<u64> = node_fields
            .iter()
            .map(|&field| match field {
                "type" => kind,
                "name" => name,
                "id" => id,
                "self_size" => self_size,
                "edge_count" => edge_count,
                _ => random.below(3),
            })
            .collect();
        node_rows.push(row);
        expected.node_type.push(kind as u8);
        expected.node_name.push(name as u32);
        expected.node_id.push(id);
        expected
            .node_self_size
            .push(u32::try_from(self_size).unwrap_or(u32::MAX));
        expected.node_edge_count.push(edge_count as u32);
        for _ in 0..edge_count {
            let kind = random.below(EDGE_TYPES.len() as u64);
            let indexed =
                EDGE_TYPES[kind as usize] == "element" || EDGE_TYPES[kind as usize] == "hidden";
            let name_or_index = match (indexed, random.below(10)) {
                (true, 0) => u64::from(u32::MAX) - random.below(1000),
                (true, _) => random.below(1_000_000),
                (false, _) => random.below(STRING_COUNT),
            };
            let to = random.below(nodes as u64);
            let row: Vec<u64> = edge_fields
                .iter()
                .map(|&field| match field {
                    "type" => kind,
                    "name_or_index" => name_or_index,
                    "to_node" => to * node_fields.len() as u64,
                    _ => random.below(3),
                })
                .collect();
            edge_rows.push(row);
            expected.edge_type.push(kind as u8);
            expected.edge_name_or_index.push(name_or_index as u32);
            expected.edge_to.push(to as u32);
        }
    }
    expected.strings = (0..STRING_COUNT).map(|i| format!("s{i}")).collect();
    expected.strings[7] = "é \"quoted\" \\ ]".to_owned();
    let quote = |names: &[&str]| {
        names
            .iter()
            .map(|name| format!("\"{name}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut text = format!(
        "{{\"snapshot\":{{\"meta\":{{\"node_fields\":[{}],\"node_types\":[[{}],\"string\"],\"edge_fields\":[{}],\
         \"edge_types\":[[{}],\"string\"],\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]}},\
         \"node_count\":{},\"edge_count\":{}}},\n",
        quote(node_fields),
        quote(&NODE_TYPES),
        quote(edge_fields),
        quote(&EDGE_TYPES),
        node_rows.len(),
        edge_rows.len(),
    );
    let array = |text: &mut String, key: &str, rows: &[Vec<u64>], random: &mut Random| {
        text.push_str(&format!("\"{key}\":["));
        for (r, row) in rows.iter().enumerate() {
            for (v, value) in row.iter().enumerate() {
                if r + v > 0 {
                    let separator = match spacing {
                        Spacing::RowsOnLines if v == 0 => "\n,",
                        Spacing::RowsOnLines | Spacing::Compact => ",",
                        Spacing::Odd => [",", ",", ",", ", ", " ,", "\n,", ",\n", " , ", "\t,\r\n"]
                            [random.below(9) as usize],
                    };
                    text.push_str(separator);
                }
                text.push_str(&value.to_string());
            }
        }
        text.push_str("],\n");
    };
    array(&mut text, "nodes", &node_rows, &mut random);
    array(&mut text, "edges", &edge_rows, &mut random);
    // Sections nobody reads, skipped: numbers on lines as V8 writes `locations`, and brackets inside strings.
    let locations: Vec<Vec<u64>> = (0..nodes as u64 / 3)
        .map(|i| vec![i * 7, 81, i % 500, 13])
        .collect();
    array(&mut text, "locations", &locations, &mut random);
    text.push_str(
        "\"samples\":[],\"extra\":{\"a\":[\"x]\",\"y\\\"z[\"],\"b\":[1,[2,{\"c\":\"}\"}]]},\n",
    );
    let strings: Vec<String> = expected
        .strings
        .iter()
        .map(|string| serde_json::to_string(string).expect("a string"))
        .collect();
    text.push_str(&format!("\"strings\":[{}]}}", strings.join(",\n")));
    (text.into_bytes(), expected)
}

/// How a test parses: pushes of `chunk` bytes, number runs of `split_from` bytes and more on two threads; or every
/// byte through the state machine.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reading {
    Chunks { chunk: usize, split_from: usize },
    ByteByByte,
}

/// Splits whose second half was kept, on this thread so far.
fn joined_splits() -> usize {
    super::JOINED_SPLITS.with(std::cell::Cell::get)
}

pub(crate) fn parse(bytes: &[u8], reading: Reading) -> Result<HeapSnapshot, (u64, String)> {
    let (mut parser, chunk) = match reading {
        Reading::Chunks { chunk, split_from } => {
            (SnapshotParser::new().split_from(split_from), chunk)
        }
        Reading::ByteByByte => (SnapshotParser::new().byte_by_byte(), bytes.len()),
    };
    parser = parser.with_total_bytes(bytes.len() as u64);
    let result = bytes
        .chunks(chunk.max(1))
        .try_for_each(|piece| parser.push(piece))
        .and_then(|()| parser.finish());
    result.map_err(|error| match error {
        SnapshotError::Parse { offset, message } => (offset, message),
        SnapshotError::Io(error) => panic!("no IO here: {error}"),
    })
}

const READINGS: [Reading; 5] = [
    Reading::ByteByByte,
    Reading::Chunks {
        chunk: usize::MAX,
        split_from: usize::MAX,
    },
    Reading::Chunks {
        chunk: usize::MAX,
        split_from: 0,
    },
    Reading::Chunks {
        chunk: 65_537,
        split_from: 0,
    },
    Reading::Chunks {
        chunk: 4099,
        split_from: 1000,
    },
];

const V8_NODE_FIELDS: [&str; 7] = [
    "type",
    "name",
    "id",
    "self_size",
    "edge_count",
    "trace_node_id",
    "detachedness",
];
const V8_EDGE_FIELDS: [&str; 3] = ["type", "name_or_index", "to_node"];

#[test]
fn generated_snapshots_parse_to_the_values_written_whatever_the_layout_and_spacing() {
    let layouts: [(&[&str], &[&str]); 4] = [
        (&V8_NODE_FIELDS, &V8_EDGE_FIELDS),
        // V8 before detachedness.
        (&V8_NODE_FIELDS[..6], &V8_EDGE_FIELDS),
        // Reordered, with fields leakwatch does not know.
        (
            &["id", "edge_count", "name", "new_field", "type", "self_size"],
            &["to_node", "type", "name_or_index"],
        ),
        // Wider rows than the whole-row path takes.
        (
            &[
                "type",
                "name",
                "id",
                "self_size",
                "edge_count",
                "a",
                "b",
                "c",
            ],
            &["type", "name_or_index", "to_node", "weight"],
        ),
    ];
    for (seed, (node_fields, edge_fields)) in layouts.into_iter().enumerate() {
        for spacing in [Spacing::RowsOnLines, Spacing::Compact, Spacing::Odd] {
            let (bytes, expected) =
                synthetic(seed as u64 + 1, 6000, node_fields, edge_fields, spacing);
            for reading in READINGS {
                let joined = joined_splits();
                let parsed = parse(&bytes, reading).unwrap_or_else(|error| {
                    panic!("{node_fields:?} {spacing:?} {reading:?}: {error:?}")
                });
                assert!(
                    Expected::of(&parsed) == expected,
                    "{node_fields:?} {edge_fields:?} {spacing:?} {reading:?}: the columns differ"
                );
                if let Reading::Chunks { split_from: 0, .. } = reading {
                    assert!(
                        joined_splits() > joined,
                        "{node_fields:?} {spacing:?} {reading:?}: no split was kept"
                    );
                }
            }
        }
    }
}

#[test]
fn a_split_at_a_line_that_does_not_end_a_row_is_dropped_and_the_parse_is_the_same() {
    // Lines end after every fifth value: a cut after `\n,` is at a row's start only now and then.
    let (bytes, expected) = synthetic(9, 8000, &V8_NODE_FIELDS, &V8_EDGE_FIELDS, Spacing::Compact);
    let mut text = Vec::with_capacity(bytes.len() * 11 / 10);
    let mut commas = 0;
    let arrays = String::from_utf8_lossy(&bytes)
        .find("\"nodes\"")
        .expect("nodes");
    for (at, &byte) in bytes.iter().enumerate() {
        if byte == b',' && at > arrays {
            commas += 1;
            if commas % 5 == 0 {
                text.push(b'\n');
            }
        }
        text.push(byte);
    }
    for reading in READINGS {
        let joined = joined_splits();
        let parsed = parse(&text, reading).expect("parses");
        assert!(Expected::of(&parsed) == expected, "{reading:?}");
        // After the first cut that is not at a row's start, cuts count commas, and are kept.
        if let Reading::Chunks { split_from: 0, .. } = reading {
            assert!(joined_splits() > joined, "{reading:?}");
        }
    }
}

#[test]
fn corruptions_of_generated_snapshots_give_the_errors_of_the_plain_state_machine() {
    let (bytes, _) = synthetic(
        3,
        3000,
        &V8_NODE_FIELDS,
        &V8_EDGE_FIELDS,
        Spacing::RowsOnLines,
    );
    let nodes = String::from_utf8_lossy(&bytes)
        .find("\"nodes\"")
        .expect("nodes");
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    for _ in 0..60 {
        let mut corrupt = bytes.clone();
        let at = nodes + random.below((corrupt.len() - nodes) as u64) as usize;
        let bad: &[u8] = [
            &b"x"[..],
            b",",
            b"]",
            b"9",
            b" ",
            b"\n",
            b"99999999999999999999",
            b"4294967296",
            b"-1",
        ][random.below(9) as usize];
        corrupt.splice(at..at + 1, bad.iter().copied());
        let reference = parse(&corrupt, Reading::ByteByByte).map(|parsed| Expected::of(&parsed));
        for reading in &READINGS[1..] {
            let parsed = parse(&corrupt, *reading).map(|parsed| Expected::of(&parsed));
            assert!(
                parsed == reference,
                "{:?} at {at} with {reading:?}: {:?} against {:?}",
                String::from_utf8_lossy(bad),
                parsed.as_ref().err(),
                reference.as_ref().err()
            );
        }
    }
}

/// A reader that gives a few hundred bytes a call, and fails once `fail_at` bytes are read.
struct Trickle<'a> {
    bytes: &'a [u8],
    at: usize,
    fail_at: Option<usize>,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.fail_at.is_some_and(|fail_at| self.at >= fail_at) {
            return Err(std::io::Error::other("the disk went away"));
        }
        let take = buffer.len().min(777).min(self.bytes.len() - self.at);
        buffer[..take].copy_from_slice(&self.bytes[self.at..self.at + take]);
        self.at += take;
        Ok(take)
    }
}

/// `SnapshotParser::read_from`, `chunk` bytes at a time; the progress reported, in order.
fn read_in_chunks(
    reader: impl Read + Send,
    total_bytes: Option<u64>,
    chunk: usize,
) -> (Result<HeapSnapshot, SnapshotError>, Vec<u64>) {
    let mut parser = SnapshotParser::new();
    if let Some(total) = total_bytes {
        parser = parser.with_total_bytes(total);
    }
    let mut reported = Vec::new();
    let result = parser
        .read_in_chunks(reader, chunk, |read| {
            reported.push(read);
            true
        })
        .and_then(|()| parser.finish());
    (result, reported)
}

#[test]
fn reading_on_a_thread_of_its_own_gives_the_same_parse_and_stops_at_the_first_error() {
    let (bytes, expected) = synthetic(
        5,
        4000,
        &V8_NODE_FIELDS,
        &V8_EDGE_FIELDS,
        Spacing::RowsOnLines,
    );
    let trickle = |fail_at| Trickle {
        bytes: &bytes,
        at: 0,
        fail_at,
    };
    for chunk in [4099, 65_536, bytes.len(), bytes.len() + 1, 16 << 20] {
        let (parsed, reported) = read_in_chunks(trickle(None), Some(bytes.len() as u64), chunk);
        assert!(
            Expected::of(&parsed.expect("parses")) == expected,
            "chunks of {chunk}"
        );
        // After each chunk.
        let steps: Vec<u64> = (1..=bytes.len().div_ceil(chunk))
            .map(|step| (step * chunk).min(bytes.len()) as u64)
            .collect();
        assert_eq!(reported, steps, "chunks of {chunk}");
    }
    // A read that fails, and a parse that fails with reads still to come: each ends the other thread.
    let (failed, _) = read_in_chunks(trickle(Some(bytes.len() / 2)), None, 4099);
    assert!(
        matches!(&failed, Err(SnapshotError::Io(error)) if error.to_string() == "the disk went away"),
        "{failed:?}"
    );
    let mut corrupt = bytes.clone();
    let at = bytes.len() / 3;
    corrupt[at] = b'x';
    let corrupt_reader = Trickle {
        bytes: &corrupt,
        at: 0,
        fail_at: None,
    };
    let (failed, _) = read_in_chunks(corrupt_reader, None, 4099);
    assert!(
        matches!(failed, Err(SnapshotError::Parse { offset, .. }) if offset == at as u64),
        "{failed:?}"
    );
    // Progress that says stop: the parser has what was read so far.
    let mut parser = SnapshotParser::new();
    let mut calls = 0;
    parser
        .read_in_chunks(trickle(None), 4099, |_| {
            calls += 1;
            calls < 3
        })
        .expect("stops without an error");
    assert_eq!((calls, parser.bytes_read()), (3, 3 * 4099));
}
