//! The serde serializer behind [`Layout::frame`]: one row's fields into the layout's typed
//! columns, each cell pushed straight into its column's buffer.
use super::{Cells, Layout, SUBTESTS_FIELD};
use crate::rules::date;
use serde::ser::{self, Impossible, Serialize, SerializeSeq, SerializeStruct, Serializer};
use std::fmt::{self, Write as _};

/// A serialization failure; [`Layout::frame`] adds the table.
#[derive(Debug)]
pub(super) struct RowError(pub(super) String);

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RowError {}

impl ser::Error for RowError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        RowError(msg.to_string())
    }
}

type Res<T = ()> = std::result::Result<T, RowError>;

/// Where in a row a value is being serialized.
#[derive(Clone, Copy)]
pub(super) enum At {
    /// The row: a struct of the layout's columns.
    Row,
    /// The `subtests` field: one element per subtest.
    Subtests,
    /// One subtest's element, whose columns start at this index: a struct of the suffixes,
    /// or `None`.
    Subtest(usize),
    /// The cell of this column.
    Cell(usize),
}

/// Serializes (a part of) one row into the layout's columns.
pub(super) struct Ser<'r> {
    pub(super) layout: &'r Layout,
    pub(super) cols: &'r mut [Cells],
    pub(super) scratch: &'r mut String,
    pub(super) at: At,
}

/// The error for a value of kind `what` at `at`, where it does not belong.
fn unexpected(layout: &Layout, at: At, what: &str) -> RowError {
    RowError(match at {
        At::Row => format!("a row must be a struct with named fields, not {what}"),
        At::Subtests => {
            format!("field `subtests` must be a sequence (one element per subtest), not {what}")
        }
        At::Subtest(_) => format!(
            "each element of field `subtests` must be a struct of the fields {} (or None), not {what}",
            suffixes(layout)
        ),
        At::Cell(i) => format!(
            "column `{}` is of type {} and cannot hold {what}",
            layout.columns[i].0,
            layout.columns[i].1.name()
        ),
    })
}

/// The suffixes of the layout's per-subtest columns, for messages.
fn suffixes(layout: &Layout) -> String {
    let fields = layout.subtests.as_ref().map_or(&[][..], |g| &g.fields);
    let names: Vec<String> = fields.iter().map(|(s, _)| format!("`{s}`")).collect();
    names.join(", ")
}

impl<'r> Ser<'r> {
    /// The error for a value of kind `what` where it does not belong.
    fn unexpected(&self, what: &str) -> RowError {
        unexpected(self.layout, self.at, what)
    }

    /// The column of a cell, or the error for a value of kind `what` elsewhere.
    fn cell(&self, what: &str) -> Res<usize> {
        match self.at {
            At::Cell(i) => Ok(i),
            _ => Err(self.unexpected(what)),
        }
    }

    fn int(self, v: i128) -> Res {
        let i = self.cell("an integer")?;
        let wrong = |what: &str| unexpected(self.layout, self.at, what);
        match &mut self.cols[i] {
            Cells::Int(values) => match i64::try_from(v) {
                Ok(x) => values.push(Some(x)),
                Err(_) => {
                    // An exact value beyond i64 makes the column text (as before), never rounded.
                    let mut text: Vec<Option<String>> = Vec::with_capacity(values.capacity());
                    text.extend(values.iter().map(|x| x.map(|x| x.to_string())));
                    text.push(Some(v.to_string()));
                    self.cols[i] = Cells::IntText(text);
                }
            },
            Cells::IntText(values) => values.push(Some(v.to_string())),
            Cells::Str(b) => {
                self.scratch.clear();
                let _ = write!(self.scratch, "{v}");
                b.append_value(self.scratch.as_str());
            }
            Cells::Date(values) => {
                let days = i32::try_from(v).map_err(|_| wrong("a day out of range"))?;
                values.push(Some(days));
            }
            Cells::Float(_) | Cells::Bool(_) | Cells::List(_) => return Err(wrong("an integer")),
        }
        Ok(())
    }
}

impl<'r> Serializer for Ser<'r> {
    type Ok = ();
    type Error = RowError;
    type SerializeSeq = Elements<'r>;
    type SerializeTuple = Impossible<(), RowError>;
    type SerializeTupleStruct = Impossible<(), RowError>;
    type SerializeTupleVariant = Impossible<(), RowError>;
    type SerializeMap = Impossible<(), RowError>;
    type SerializeStruct = Fields<'r>;
    type SerializeStructVariant = Impossible<(), RowError>;

    fn serialize_bool(self, v: bool) -> Res {
        let i = self.cell("a bool")?;
        let wrong = |what: &str| unexpected(self.layout, self.at, what);
        match &mut self.cols[i] {
            Cells::Bool(values) => values.push(Some(v)),
            Cells::Str(b) => b.append_value(if v { "true" } else { "false" }),
            _ => return Err(wrong("a bool")),
        }
        Ok(())
    }
    super::integers_through!(int);
    fn serialize_u128(self, v: u128) -> Res {
        match i128::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => Err(self.unexpected("an integer beyond i128")),
        }
    }
    fn serialize_f32(self, v: f32) -> Res {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Res {
        let i = self.cell("a float")?;
        let wrong = |what: &str| unexpected(self.layout, self.at, what);
        match &mut self.cols[i] {
            Cells::Float(values) => values.push(Some(v)),
            _ => return Err(wrong("a float")),
        }
        Ok(())
    }
    fn serialize_char(self, v: char) -> Res {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Res {
        let i = self.cell("text")?;
        let wrong = |what: &str| unexpected(self.layout, self.at, what);
        match &mut self.cols[i] {
            Cells::Str(b) => b.append_value(v),
            // The empty text is the empty list.
            Cells::List(b) => b.append_values_iter(v.split(';').filter(|x| !x.is_empty())),
            Cells::Date(values) => {
                let days = date::parse_iso(v)
                    .and_then(|d| i32::try_from(date::to_days(d)).ok())
                    .ok_or_else(|| wrong(&format!("`{v}`, not a date YYYY-MM-DD")))?;
                values.push(Some(days));
            }
            _ => return Err(wrong("text")),
        }
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Res {
        Err(self.unexpected("bytes"))
    }
    fn serialize_none(self) -> Res {
        match self.at {
            At::Cell(i) => self.cols[i].null(),
            At::Subtest(first) => {
                let width = self.layout.subtests.as_ref().map_or(0, |g| g.fields.len());
                self.cols[first..first + width]
                    .iter_mut()
                    .for_each(Cells::null);
            }
            At::Row | At::Subtests => return Err(self.unexpected("None")),
        }
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Res {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Res {
        Err(self.unexpected("a unit value"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Res {
        Err(self.unexpected("a unit struct"))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Res {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> Res {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Res {
        Err(self.unexpected("an enum variant with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Res<Elements<'r>> {
        match self.at {
            At::Subtests => Ok(Elements { ser: self, next: 0 }),
            _ => Err(self.unexpected("a sequence")),
        }
    }
    fn serialize_tuple(self, _: usize) -> Res<Self::SerializeTuple> {
        Err(self.unexpected("a tuple"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Res<Self::SerializeTupleStruct> {
        Err(self.unexpected("a tuple"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Res<Self::SerializeTupleVariant> {
        Err(self.unexpected("an enum variant with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Res<Self::SerializeMap> {
        Err(self.unexpected("a map"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Res<Fields<'r>> {
        match self.at {
            At::Row | At::Subtest(_) => Ok(Fields { ser: self, next: 0 }),
            _ => Err(self.unexpected("a struct")),
        }
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Res<Self::SerializeStructVariant> {
        Err(self.unexpected("an enum variant with data"))
    }
}

/// The fields of a row (matched to the layout's columns in order) or of one subtest's
/// element (matched to the suffixes).
pub(super) struct Fields<'r> {
    ser: Ser<'r>,
    /// Fields serialized so far.
    next: usize,
}

impl<'r> Fields<'r> {
    /// A part of the row for the value at `at`.
    fn part(&mut self, at: At) -> Ser<'_> {
        Ser {
            layout: self.ser.layout,
            cols: &mut *self.ser.cols,
            scratch: &mut *self.ser.scratch,
            at,
        }
    }
}

impl SerializeStruct for Fields<'_> {
    type Ok = ();
    type Error = RowError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> Res {
        let layout = self.ser.layout;
        if let At::Subtest(first) = self.ser.at {
            let fields = layout.subtests.as_ref().map_or(&[][..], |g| &g.fields);
            if fields
                .get(self.next)
                .is_none_or(|(suffix, _)| suffix != key)
            {
                return Err(RowError(format!(
                    "field `subtests.{key}`: a subtest's fields must be {}, in that order",
                    suffixes(layout)
                )));
            }
            v.serialize(self.part(At::Cell(first + self.next)))?;
            self.next += 1;
            return Ok(());
        }
        // Most fields are the next column (checked first: this runs for every cell).
        if layout
            .columns
            .get(self.next)
            .is_some_and(|(name, _)| name == key)
        {
            v.serialize(self.part(At::Cell(self.next)))?;
            self.next += 1;
            return Ok(());
        }
        if let Some(g) = layout.subtests.as_ref().filter(|g| g.at == self.next) {
            if key == SUBTESTS_FIELD {
                v.serialize(self.part(At::Subtests))?;
                self.next += g.count * g.fields.len();
                return Ok(());
            }
        }
        Err(match layout.columns.get(self.next) {
            Some((name, _)) if layout.names().contains(&key) => RowError(format!(
                "field `{key}` comes where the schema has column `{name}` (a row's fields follow the schema's order)"
            )),
            _ => RowError(format!("field `{key}` is not a column of the schema")),
        })
    }

    fn end(self) -> Res {
        let layout = self.ser.layout;
        let missing = match self.ser.at {
            At::Subtest(first) => {
                let width = layout.subtests.as_ref().map_or(0, |g| g.fields.len());
                (self.next < width).then(|| first + self.next)
            }
            _ => (self.next < layout.columns.len()).then_some(self.next),
        };
        match missing {
            None => Ok(()),
            Some(i) => Err(RowError(format!(
                "column `{}` has no field in the row",
                layout.columns[i].0
            ))),
        }
    }
}

/// The elements of the `subtests` field, one per subtest.
pub(super) struct Elements<'r> {
    ser: Ser<'r>,
    /// Elements serialized so far.
    next: usize,
}

impl SerializeSeq for Elements<'_> {
    type Ok = ();
    type Error = RowError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Res {
        let Some(g) = self.ser.layout.subtests.as_ref() else {
            return Err(self.ser.unexpected("a sequence"));
        };
        if self.next >= g.count {
            return Err(RowError(format!(
                "field `subtests` has more elements than the {} subtests of the layout",
                g.count
            )));
        }
        let at = At::Subtest(g.at + self.next * g.fields.len());
        v.serialize(Ser {
            layout: self.ser.layout,
            cols: &mut *self.ser.cols,
            scratch: &mut *self.ser.scratch,
            at,
        })?;
        self.next += 1;
        Ok(())
    }

    fn end(self) -> Res {
        let count = self.ser.layout.subtests.as_ref().map_or(0, |g| g.count);
        if self.next == count {
            return Ok(());
        }
        Err(RowError(format!(
            "field `subtests` has {} elements for the {count} subtests of the layout",
            self.next
        )))
    }
}
