//! Column storage: a snapshot's nodes and edges as one `Vec` per field (no struct per node), and how each value
//! read from `nodes` or `edges` lands in its column (`Rows`).
//!
//! Not kept: `trace_node_id` and `detachedness` (nothing reads them). Limits: node and edge indexes are `u32`;
//! ids are `u64`, stored as `u32` while they fit; a self size over 4 GiB is clamped to `u32::MAX` (V8 heap
//! objects are far smaller).
//!
//! Reserving: when the input's size is known the header's claims were checked against it, and the columns are
//! reserved from them in one go. When it is not (a stream), at most `UNKNOWN_SIZE_ROWS` rows are reserved up
//! front, and the columns grow toward the claim only as the chunks that arrive need the room, doubling
//! (`make_room`): a false claim costs at most twice what the data itself needs.

use super::strings::StringTable;
use crate::heap::memory::{prefault, with_capacity};
use std::fmt;

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

/// Rows reserved up front when the input's size is not known: the columns grow from there as data arrives.
pub const UNKNOWN_SIZE_ROWS: u64 = 1 << 16;

impl HeapSnapshot {
    // Counted on columns the graph keeps: it moves the type columns out (packed) and the edge counts (as offsets).
    pub fn node_count(&self) -> usize {
        self.node_name.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_to.len()
    }

    /// Moves the node and edge columns of `other` to the end of these (the string table is left alone).
    pub(super) fn append_columns(&mut self, other: &mut Self) {
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
    pub(super) fn clear_columns(&mut self) {
        self.node_type.clear();
        self.node_name.clear();
        self.node_id.clear();
        self.node_self_size.clear();
        self.node_edge_count.clear();
        self.edge_type.clear();
        self.edge_name_or_index.clear();
        self.edge_to.clear();
    }

    /// Reserves the node columns for `count` rows.
    pub(super) fn reserve_nodes(&mut self, count: usize) {
        self.node_type = with_capacity(count);
        self.node_name = with_capacity(count);
        self.node_id.reserve_exact(count);
        self.node_self_size = with_capacity(count);
        // One more: the graph turns it into edge offsets in place, with an end.
        self.node_edge_count = with_capacity(count + 1);
    }

    /// Reserves the edge columns for `count` rows.
    pub(super) fn reserve_edges(&mut self, count: usize) {
        self.edge_type = with_capacity(count);
        self.edge_name_or_index = with_capacity(count);
        self.edge_to = with_capacity(count);
    }

    /// Makes room for `rows` more node rows, within the header's `claim` (see `grow_toward`).
    pub(super) fn make_room_for_nodes(&mut self, rows: usize, claim: usize) {
        let needed = self.node_name.len() + rows;
        grow_toward(&mut self.node_type, needed, claim);
        grow_toward(&mut self.node_name, needed, claim);
        self.node_id.grow_toward(needed, claim);
        grow_toward(&mut self.node_self_size, needed, claim);
        // One more, as in `reserve_nodes`.
        grow_toward(
            &mut self.node_edge_count,
            needed + 1,
            claim.saturating_add(1),
        );
    }

    /// Makes room for `rows` more edge rows, within the header's `claim` (see `grow_toward`).
    pub(super) fn make_room_for_edges(&mut self, rows: usize, claim: usize) {
        let needed = self.edge_to.len() + rows;
        grow_toward(&mut self.edge_type, needed, claim);
        grow_toward(&mut self.edge_name_or_index, needed, claim);
        grow_toward(&mut self.edge_to, needed, claim);
    }

    /// Checks that nodes, edges and strings agree once all are read. The error is the message, and whether it is
    /// about what `edges` holds (else `nodes`, or the whole file when no offset fits).
    pub(super) fn check_consistency(&self) -> Result<(), Inconsistency> {
        let node_count = self.node_count();
        if node_count == 0 {
            return Err(Inconsistency::Whole("the snapshot has no nodes".to_owned()));
        }
        let declared: u64 = self
            .node_edge_count
            .iter()
            .map(|&count| u64::from(count))
            .sum();
        if declared != self.edge_count() as u64 {
            return Err(Inconsistency::Edges(format!(
                "the nodes declare {declared} edges but \"edges\" holds {}",
                self.edge_count()
            )));
        }
        if u32::try_from(node_count).is_err() || u32::try_from(self.edge_count()).is_err() {
            return Err(Inconsistency::Whole(
                "over 4 billion nodes or edges: beyond what leakwatch indexes".to_owned(),
            ));
        }
        // A maximum first (vectorised), then the offending value only when there is one.
        let past = |column: &[u32], count: usize| {
            let max = column.iter().copied().max().unwrap_or(0);
            (max as usize >= count)
                .then(|| {
                    column
                        .iter()
                        .copied()
                        .find(|&value| value as usize >= count)
                })
                .flatten()
        };
        if let Some(to) = past(&self.edge_to, node_count) {
            return Err(Inconsistency::Edges(format!(
                "an edge points to node {to}, past the last node ({node_count} nodes)"
            )));
        }
        let string_count = self.strings.len();
        if let Some(name) = past(&self.node_name, string_count) {
            return Err(Inconsistency::Nodes(format!(
                "a node names string {name}, past the last string ({string_count} strings)"
            )));
        }
        // Element and hidden edges hold an index, every other kind a string: a mask per kind keeps the names.
        let mut names_a_string = [0u32; 256];
        for (kind, name) in self.edge_type_names.iter().enumerate().take(256) {
            if name != "element" && name != "hidden" {
                names_a_string[kind] = u32::MAX;
            }
        }
        let named = |(&kind, &name): (&u8, &u32)| name & names_a_string[usize::from(kind)];
        let max_name = self
            .edge_type
            .iter()
            .zip(&self.edge_name_or_index)
            .map(named)
            .max()
            .unwrap_or(0);
        if max_name as usize >= string_count {
            let name = self
                .edge_type
                .iter()
                .zip(&self.edge_name_or_index)
                .map(named)
                .find(|&name| name as usize >= string_count)
                .unwrap_or(max_name);
            return Err(Inconsistency::Edges(format!(
                "an edge names string {name}, past the last string ({string_count} strings)"
            )));
        }
        Ok(())
    }
}

/// What `check_consistency` found, by where the reader points for it.
#[derive(Debug)]
pub enum Inconsistency {
    Nodes(String),
    Edges(String),
    Whole(String),
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
        self.narrow = with_capacity(count);
    }

    fn grow_toward(&mut self, needed: usize, claim: usize) {
        match &mut self.wide {
            Some(wide) => grow_toward(wide, needed, claim),
            None => grow_toward(&mut self.narrow, needed, claim),
        }
    }

    #[inline(always)]
    fn push(&mut self, id: u64) {
        match (&mut self.wide, u32::try_from(id)) {
            (None, Ok(narrow)) => self.narrow.push(narrow),
            (Some(wide), _) => wide.push(id),
            (None, Err(_)) => self.widen_with(id),
        }
    }

    /// The first id past 32 bits: every id becomes eight bytes from here on.
    #[cold]
    fn widen_with(&mut self, id: u64) {
        let mut wide = Vec::with_capacity(self.narrow.capacity());
        wide.extend(self.narrow.iter().map(|&id| u64::from(id)));
        wide.push(id);
        self.narrow = Vec::new();
        self.wide = Some(wide);
    }
}

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

/// The column a value of a `nodes` or `edges` row goes to, from the header's field names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
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

/// The most values a row may have for the whole-row path (V8 writes 7 for nodes, 3 for edges).
pub const MAX_ROW_WIDTH: usize = 16;

/// How the values of the array being read (`nodes` or `edges`) become columns: everything storing needs but the
/// columns, so that the second thread of a split scan can store into columns of its own.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    fields: Vec<Field>,
    /// Field position within the current row.
    pub field: usize,
    node_types: usize,
    edge_types: usize,
    node_field_count: u64,
    /// `u64::MAX / node_field_count + 1`, for dividing by the field count with a multiply.
    node_field_reciprocal: u64,
    /// Where each column's value sits in a row, for storing whole rows.
    layout: Layout,
}

/// The row layouts that can be stored a whole row at a time: a `nodes` or an `edges` row of at most
/// `MAX_ROW_WIDTH` values (V8's always are). Positions are within the row.
#[derive(Clone, Copy, Debug, Default)]
pub enum Layout {
    Nodes(NodeLayout),
    Edges(EdgeLayout),
    /// Anything else goes value by value.
    #[default]
    ValueByValue,
}

#[derive(Clone, Copy, Debug)]
pub struct NodeLayout {
    width: usize,
    kind: usize,
    name: usize,
    id: usize,
    self_size: usize,
    edge_count: usize,
    node_types: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct EdgeLayout {
    width: usize,
    kind: usize,
    name_or_index: usize,
    to_node: usize,
    edge_types: u64,
    node_field_count: u64,
    node_field_reciprocal: u64,
}

impl NodeLayout {
    pub fn width(&self) -> usize {
        self.width
    }

    /// Stores a whole row when every value is in range (the value-by-value path finds which is not, and says
    /// so); no branch per value.
    #[inline(always)]
    pub fn store(&self, snapshot: &mut HeapSnapshot, row: &[u64; MAX_ROW_WIDTH]) -> bool {
        let (kind, name, count) = (
            row[self.kind % MAX_ROW_WIDTH],
            row[self.name % MAX_ROW_WIDTH],
            row[self.edge_count % MAX_ROW_WIDTH],
        );
        let narrow = u64::from(u32::MAX);
        if !((kind < self.node_types) & (name <= narrow) & (count <= narrow)) {
            return false;
        }
        snapshot.node_type.push(kind as u8);
        snapshot.node_name.push(name as u32);
        snapshot.node_id.push(row[self.id % MAX_ROW_WIDTH]);
        // V8 heap objects are far below 4 GiB; clamping keeps the column at 4 bytes a node.
        snapshot
            .node_self_size
            .push(row[self.self_size % MAX_ROW_WIDTH].min(narrow) as u32);
        snapshot.node_edge_count.push(count as u32);
        true
    }
}

impl EdgeLayout {
    pub fn width(&self) -> usize {
        self.width
    }

    /// Stores a whole row when every value is in range and the target a 32-bit multiple of the node field count
    /// (larger targets go value by value); no branch per value.
    #[inline(always)]
    pub fn store(&self, snapshot: &mut HeapSnapshot, row: &[u64; MAX_ROW_WIDTH]) -> bool {
        let (kind, name, to) = (
            row[self.kind % MAX_ROW_WIDTH],
            row[self.name_or_index % MAX_ROW_WIDTH],
            row[self.to_node % MAX_ROW_WIDTH],
        );
        let narrow = u64::from(u32::MAX);
        // Lemire's division by multiplication, exact for 32-bit dividends.
        let index = ((u128::from(to) * u128::from(self.node_field_reciprocal)) >> 64) as u64;
        let fits = (kind < self.edge_types)
            & (name <= narrow)
            & (to <= narrow)
            & (index.wrapping_mul(self.node_field_count) == to);
        if !fits {
            return false;
        }
        snapshot.edge_type.push(kind as u8);
        snapshot.edge_name_or_index.push(name as u32);
        snapshot.edge_to.push(index as u32);
        true
    }
}

impl Rows {
    /// Rows of `fields`, at the start of a row; `node_field_count` divides `to_node` into a node index.
    pub fn new(
        fields: Vec<Field>,
        node_types: usize,
        edge_types: usize,
        node_field_count: u64,
    ) -> Self {
        let node_field_reciprocal = (u64::MAX / node_field_count).wrapping_add(1);
        let at = |wanted: Field| fields.iter().position(|&field| field == wanted);
        let width = fields.len();
        let layout = if width > MAX_ROW_WIDTH {
            Layout::ValueByValue
        } else if let (Some(kind), Some(name), Some(id), Some(self_size), Some(edge_count)) = (
            at(Field::Type),
            at(Field::Name),
            at(Field::Id),
            at(Field::SelfSize),
            at(Field::EdgeCount),
        ) {
            Layout::Nodes(NodeLayout {
                width,
                kind,
                name,
                id,
                self_size,
                edge_count,
                // A code must also fit the column's byte.
                node_types: node_types.min(256) as u64,
            })
        } else if let (Some(kind), Some(name_or_index), Some(to_node)) = (
            at(Field::EdgeType),
            at(Field::NameOrIndex),
            at(Field::ToNode),
        ) {
            Layout::Edges(EdgeLayout {
                width,
                kind,
                name_or_index,
                to_node,
                edge_types: edge_types.min(256) as u64,
                node_field_count,
                node_field_reciprocal,
            })
        } else {
            Layout::ValueByValue
        };
        Self {
            fields,
            field: 0,
            node_types,
            edge_types,
            node_field_count,
            node_field_reciprocal,
            layout,
        }
    }

    /// Values per row.
    pub fn width(&self) -> usize {
        self.fields.len()
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Checks `value` and appends it to its column; the error is the message (the caller knows the offset).
    #[inline(always)]
    pub fn store(&mut self, snapshot: &mut HeapSnapshot, value: u64) -> Result<(), String> {
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
