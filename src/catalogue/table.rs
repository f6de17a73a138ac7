//! A small columnar layer over the `parquet` crate's column API: a table
//! is named columns of cells, each cell a value, a null or a list, written
//! as one Parquet file (snappy) with key-value metadata and read back
//! whole. The catalogue's files (features, proposals) are tables; pyarrow
//! and DuckDB read them as they are.
//!
//! Every cell is held as `Option<Vec<T>>`: a required or optional value is
//! a list of one (or `None`), a list is itself. The Parquet shapes: a
//! required value (no levels), an optional value (definition 0 or 1), an
//! optional list of required elements (`optional group (LIST) { repeated
//! group list { required T element } }`: definition 0 null, 1 empty, 2 an
//! element; repetition 1 inside a list).

use parquet::basic::Compression;
use parquet::column::reader::get_typed_column_reader;
use parquet::data_type::{ByteArray, ByteArrayType, DataType, FloatType, Int32Type, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Why a table could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path}: not a Matchcut table: {reason}")]
    Format { path: String, reason: String },
}

/// How a column holds its cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Required,
    Optional,
    List,
}

/// A column's cells, by physical type.
#[derive(Clone, Debug, PartialEq)]
pub enum Cells {
    I32(Vec<Option<Vec<i32>>>),
    I64(Vec<Option<Vec<i64>>>),
    F32(Vec<Option<Vec<f32>>>),
    Bytes(Vec<Option<Vec<Vec<u8>>>>),
}

impl Cells {
    fn rows(&self) -> usize {
        match self {
            Cells::I32(c) => c.len(),
            Cells::I64(c) => c.len(),
            Cells::F32(c) => c.len(),
            Cells::Bytes(c) => c.len(),
        }
    }

    fn physical(&self) -> &'static str {
        match self {
            Cells::I32(_) => "int32",
            Cells::I64(_) => "int64",
            Cells::F32(_) => "float",
            Cells::Bytes(_) => "binary",
        }
    }
}

/// One named column; `annotation` is its logical type where it has one
/// (`UTF8` text, `INT_8` for small signed numbers stored as int32).
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: &'static str,
    pub shape: Shape,
    pub annotation: Option<&'static str>,
    pub cells: Cells,
}

/// A table as read back: its columns by name and its metadata.
#[derive(Debug, Default)]
pub struct Table {
    pub rows: usize,
    pub columns: BTreeMap<String, Cells>,
    pub metadata: BTreeMap<String, String>,
}

/// The Parquet message type of `columns`.
fn schema(columns: &[Column]) -> String {
    let mut text = String::from("message matchcut {\n");
    for c in columns {
        let annotation = c.annotation.map(|a| format!(" ({a})")).unwrap_or_default();
        let ty = c.cells.physical();
        let line = match c.shape {
            Shape::Required => format!("  required {ty} {}{annotation};\n", c.name),
            Shape::Optional => format!("  optional {ty} {}{annotation};\n", c.name),
            Shape::List => format!(
                "  optional group {} (LIST) {{ repeated group list {{ required {ty} element{annotation}; }} }}\n",
                c.name
            ),
        };
        text.push_str(&line);
    }
    text.push('}');
    text
}

/// Writes `columns` (all of the same length) and `metadata` to `path`.
pub fn write(
    path: &Path,
    columns: &[Column],
    metadata: &[(&str, String)],
) -> Result<(), TableError> {
    let io = |e: &dyn std::fmt::Display| TableError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let rows = columns.first().map_or(0, |c| c.cells.rows());
    if let Some(c) = columns.iter().find(|c| c.cells.rows() != rows) {
        return Err(io(&format!(
            "column {} has {} rows, not {rows}",
            c.name,
            c.cells.rows()
        )));
    }
    let schema = Arc::new(parse_message_type(&schema(columns)).map_err(|e| io(&e))?);
    let kv = metadata
        .iter()
        .map(|(k, v)| KeyValue::new(k.to_string(), v.clone()))
        .collect();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(kv))
        .build();
    let file = std::fs::File::create(path).map_err(|e| io(&e))?;
    let mut writer =
        SerializedFileWriter::new(file, schema, Arc::new(props)).map_err(|e| io(&e))?;
    let mut group = writer.next_row_group().map_err(|e| io(&e))?;
    for column in columns {
        let Some(mut out) = group.next_column().map_err(|e| io(&e))? else {
            return Err(io(&"fewer columns in the schema than given"));
        };
        let written = match &column.cells {
            Cells::I32(c) => put::<Int32Type, _>(out.typed(), column.shape, c, |&v| v),
            Cells::I64(c) => put::<Int64Type, _>(out.typed(), column.shape, c, |&v| v),
            Cells::F32(c) => put::<FloatType, _>(out.typed(), column.shape, c, |&v| v),
            Cells::Bytes(c) => put::<ByteArrayType, _>(out.typed(), column.shape, c, |v| {
                ByteArray::from(v.clone())
            }),
        };
        written.map_err(|e| io(&e))?;
        out.close().map_err(|e| io(&e))?;
    }
    group.close().map_err(|e| io(&e))?;
    writer.close().map_err(|e| io(&e))?;
    Ok(())
}

/// Writes one column's cells with the levels its shape needs.
fn put<T: DataType, V>(
    writer: &mut parquet::column::writer::ColumnWriterImpl<'_, T>,
    shape: Shape,
    cells: &[Option<Vec<V>>],
    convert: impl Fn(&V) -> T::T,
) -> parquet::errors::Result<()> {
    let mut values = Vec::new();
    let (mut def, mut rep) = (Vec::new(), Vec::new());
    for cell in cells {
        match (shape, cell) {
            (Shape::Required, Some(v)) if v.len() == 1 => values.push(convert(&v[0])),
            (Shape::Required, _) => {
                return Err(parquet::errors::ParquetError::General(
                    "a required cell holds one value".into(),
                ))
            }
            (Shape::Optional, Some(v)) if v.len() == 1 => {
                values.push(convert(&v[0]));
                def.push(1);
            }
            (Shape::Optional, None) => def.push(0),
            (Shape::Optional, Some(_)) => {
                return Err(parquet::errors::ParquetError::General(
                    "an optional cell holds one value or none".into(),
                ))
            }
            (Shape::List, None) => {
                def.push(0);
                rep.push(0);
            }
            (Shape::List, Some(v)) if v.is_empty() => {
                def.push(1);
                rep.push(0);
            }
            (Shape::List, Some(v)) => {
                for (i, x) in v.iter().enumerate() {
                    values.push(convert(x));
                    def.push(2);
                    rep.push(i16::from(i > 0));
                }
            }
        }
    }
    let (def, rep) = match shape {
        Shape::Required => (None, None),
        Shape::Optional => (Some(def.as_slice()), None),
        Shape::List => (Some(def.as_slice()), Some(rep.as_slice())),
    };
    writer.write_batch(&values, def, rep)?;
    Ok(())
}

/// A format error about the file at `path`.
pub fn bad(path: &Path, reason: impl std::fmt::Display) -> TableError {
    TableError::Format {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

fn open(path: &Path) -> Result<SerializedFileReader<std::fs::File>, TableError> {
    let file = std::fs::File::open(path).map_err(|e| TableError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    SerializedFileReader::new(file).map_err(|e| bad(path, e))
}

/// The rows of a table, from its footer alone.
pub fn rows(path: &Path) -> Result<usize, TableError> {
    usize::try_from(open(path)?.metadata().file_metadata().num_rows()).map_err(|e| bad(path, e))
}

impl Table {
    /// A metadata value; a format error naming `path` when it is missing.
    pub fn meta(&self, path: &Path, key: &str) -> Result<String, TableError> {
        self.metadata
            .get(key)
            .cloned()
            .ok_or_else(|| bad(path, format!("no {key} in its metadata")))
    }
}

/// A scalar column's cells, or a format error naming the column.
macro_rules! scalars {
    ($name:ident, $variant:ident, $ty:ty, $what:literal) => {
        pub fn $name(&self, path: &Path, name: &str) -> Result<Vec<$ty>, TableError> {
            match self.columns.get(name) {
                Some(Cells::$variant(c)) => Ok(c
                    .iter()
                    .map(|v| {
                        v.as_ref()
                            .and_then(|v| v.first())
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect()),
                _ => Err(bad(path, format!("no {} column {name}", $what))),
            }
        }
    };
}

impl Table {
    scalars!(integers, I64, i64, "int64");
    scalars!(floats, F32, f32, "float");
    scalars!(byte_strings, Bytes, Vec<u8>, "text");

    /// A UTF-8 column's cells.
    pub fn texts(&self, path: &Path, name: &str) -> Result<Vec<String>, TableError> {
        Ok(self
            .byte_strings(path, name)?
            .into_iter()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect())
    }
}

/// Reads a table whose `matchcut.format` is `format`.
pub fn read_format(path: &Path, format: &str) -> Result<Table, TableError> {
    let t = read(path)?;
    if t.meta(path, "matchcut.format")? != format {
        return Err(bad(path, format!("its format is not {format}")));
    }
    Ok(t)
}

/// Reads a whole table written by [`write`].
pub fn read(path: &Path) -> Result<Table, TableError> {
    let format = |e: &dyn std::fmt::Display| bad(path, e);
    let reader = open(path)?;
    let meta = reader.metadata();
    let mut table = Table {
        rows: usize::try_from(meta.file_metadata().num_rows()).map_err(|e| format(&e))?,
        ..Table::default()
    };
    for kv in meta
        .file_metadata()
        .key_value_metadata()
        .into_iter()
        .flatten()
    {
        if let Some(v) = &kv.value {
            table.metadata.insert(kv.key.clone(), v.clone());
        }
    }
    let descr = meta.file_metadata().schema_descr_ptr();
    for group in 0..reader.num_row_groups() {
        let rows = reader.get_row_group(group).map_err(|e| format(&e))?;
        for i in 0..descr.num_columns() {
            let column = descr.column(i);
            let name = column.path().parts()[0].clone();
            let (max_def, max_rep) = (column.max_def_level(), column.max_rep_level());
            let shape = match (max_def, max_rep) {
                (0, 0) => Shape::Required,
                (1, 0) => Shape::Optional,
                (2, 1) => Shape::List,
                other => return Err(format(&format!("column {name} has levels {other:?}"))),
            };
            let reader = rows.get_column_reader(i).map_err(|e| format(&e))?;
            let n = rows.metadata().num_rows() as usize;
            let cells = match column.physical_type() {
                parquet::basic::Type::INT32 => Cells::I32(
                    take::<Int32Type, _>(reader, shape, n, |v| v).map_err(|e| format(&e))?,
                ),
                parquet::basic::Type::INT64 => Cells::I64(
                    take::<Int64Type, _>(reader, shape, n, |v| v).map_err(|e| format(&e))?,
                ),
                parquet::basic::Type::FLOAT => Cells::F32(
                    take::<FloatType, _>(reader, shape, n, |v| v).map_err(|e| format(&e))?,
                ),
                parquet::basic::Type::BYTE_ARRAY => Cells::Bytes(
                    take::<ByteArrayType, _>(reader, shape, n, |v: ByteArray| v.data().to_vec())
                        .map_err(|e| format(&e))?,
                ),
                other => return Err(format(&format!("column {name} is {other}"))),
            };
            append(
                table
                    .columns
                    .entry(name)
                    .or_insert_with(|| empty_like(&cells)),
                cells,
            );
        }
    }
    Ok(table)
}

fn empty_like(cells: &Cells) -> Cells {
    match cells {
        Cells::I32(_) => Cells::I32(Vec::new()),
        Cells::I64(_) => Cells::I64(Vec::new()),
        Cells::F32(_) => Cells::F32(Vec::new()),
        Cells::Bytes(_) => Cells::Bytes(Vec::new()),
    }
}

fn append(to: &mut Cells, more: Cells) {
    match (to, more) {
        (Cells::I32(a), Cells::I32(b)) => a.extend(b),
        (Cells::I64(a), Cells::I64(b)) => a.extend(b),
        (Cells::F32(a), Cells::F32(b)) => a.extend(b),
        (Cells::Bytes(a), Cells::Bytes(b)) => a.extend(b),
        _ => {}
    }
}

/// Reads `rows` rows of one column back into cells.
fn take<T: DataType, V>(
    reader: parquet::column::reader::ColumnReader,
    shape: Shape,
    rows: usize,
    convert: impl Fn(T::T) -> V,
) -> parquet::errors::Result<Vec<Option<Vec<V>>>> {
    let mut typed = get_typed_column_reader::<T>(reader);
    let (mut values, mut def, mut rep) = (Vec::new(), Vec::new(), Vec::new());
    let (def_out, rep_out) = match shape {
        Shape::Required => (None, None),
        Shape::Optional => (Some(&mut def), None),
        Shape::List => (Some(&mut def), Some(&mut rep)),
    };
    let mut read = 0;
    let (mut d, mut r) = (def_out, rep_out);
    while read < rows {
        let (records, _, _) =
            typed.read_records(rows - read, d.as_deref_mut(), r.as_deref_mut(), &mut values)?;
        if records == 0 {
            break;
        }
        read += records;
    }
    let mut values = values.into_iter().map(convert);
    let mut cells = Vec::with_capacity(rows);
    match shape {
        Shape::Required => cells.extend(values.map(|v| Some(vec![v]))),
        Shape::Optional => {
            for level in def {
                cells.push(if level == 1 {
                    values.next().map(|v| vec![v])
                } else {
                    None
                });
            }
        }
        Shape::List => {
            for (level, repeat) in def.into_iter().zip(rep) {
                if repeat == 0 {
                    cells.push(match level {
                        0 => None,
                        _ => Some(Vec::new()),
                    });
                }
                if level == 2 {
                    if let (Some(Some(list)), Some(v)) = (cells.last_mut(), values.next()) {
                        list.push(v);
                    }
                }
            }
        }
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_and_type_comes_back_as_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("t.parquet");
        let columns = vec![
            Column {
                name: "id",
                shape: Shape::Required,
                annotation: None,
                cells: Cells::I64(vec![Some(vec![7]), Some(vec![-3]), Some(vec![0])]),
            },
            Column {
                name: "label",
                shape: Shape::Optional,
                annotation: Some("UTF8"),
                cells: Cells::Bytes(vec![
                    Some(vec![b"cut".to_vec()]),
                    None,
                    Some(vec![Vec::new()]),
                ]),
            },
            Column {
                name: "vector",
                shape: Shape::List,
                annotation: None,
                cells: Cells::F32(vec![Some(vec![0.5, -1.0]), None, Some(Vec::new())]),
            },
            Column {
                name: "small",
                shape: Shape::List,
                annotation: Some("INT_8"),
                cells: Cells::I32(vec![Some(vec![-128, 127, 0]), Some(vec![1]), None]),
            },
            Column {
                name: "score",
                shape: Shape::Optional,
                annotation: None,
                cells: Cells::F32(vec![None, Some(vec![0.25]), None]),
            },
        ];
        write(&path, &columns, &[("matchcut.kind", "test".into())]).expect("write");
        let table = read(&path).expect("read");
        assert_eq!(table.rows, 3);
        assert_eq!(
            table.metadata.get("matchcut.kind").map(String::as_str),
            Some("test")
        );
        for c in &columns {
            assert_eq!(table.columns.get(c.name), Some(&c.cells), "{}", c.name);
        }
    }

    #[test]
    fn a_file_that_is_not_parquet_is_a_format_error_naming_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bad.parquet");
        std::fs::write(&path, b"not parquet at all").expect("write");
        let e = read(&path).expect_err("not parquet");
        assert!(
            matches!(e, TableError::Format { .. }) && e.to_string().contains("bad.parquet"),
            "{e}"
        );
    }
}
