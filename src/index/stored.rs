//! Reading a stored document whose bytes may be damaged.
//!
//! tantivy 0.27 reads a stored document by trusting each length in its bytes: a string's
//! length is allocated before a byte of it is read (`String::with_capacity`), so a flipped
//! byte in the doc store can ask for exabytes, and the process aborts ("memory allocation of
//! 4890860426213660773 bytes failed") where no `catch_unwind` can help. Here the bytes of one
//! document (`StoreReader::get_document_bytes`, which tantivy decompresses and bounds) are
//! walked first: every length must fit in what is left, every value type must be one this
//! index stores; only then is the document built, from those bytes, without a second read.
//! Damage becomes a [`DataCorruption`] naming the segment's `.store` file.
//!
//! The layout (tantivy's `BinaryDocumentSerializer`, doc store version 2): a VInt count of
//! values; each value a field number (u32, little-endian), a type code (u8) and its payload:
//! text and bytes a VInt length and the bytes; u64, i64, f64 and dates (i64 nanoseconds) eight
//! bytes little-endian; a bool one byte.

use tantivy::error::DataCorruption;
use tantivy::schema::Field;
use tantivy::store::StoreReader;
use tantivy::{DateTime, DocId, TantivyDocument, TantivyError};

const TEXT: u8 = 0;
const U64: u8 = 1;
const I64: u8 = 2;
const BYTES: u8 = 4;
const DATE: u8 = 5;
const F64: u8 = 6;
const BOOL: u8 = 9;

/// Document `doc` of the store `reader` of a segment with `fields` fields, its bytes checked;
/// `file` names the store in errors.
pub fn read(
    reader: &StoreReader,
    doc: DocId,
    fields: usize,
    file: &std::path::Path,
) -> tantivy::Result<TantivyDocument> {
    let bytes = reader.get_document_bytes(doc)?;
    parse(bytes.as_slice(), fields).map_err(|why| {
        TantivyError::DataCorruption(DataCorruption::new(
            file.to_path_buf(),
            format!("stored document {doc}: {why}"),
        ))
    })
}

/// Document `addr` of `searcher`, its bytes checked, through a reader of its segment's store
/// opened for this one read: for the few articles a pass reads outside a [`crate::index::store::Store`]
/// (which keeps its readers: `Store::doc`).
pub fn doc(
    searcher: &tantivy::Searcher,
    addr: tantivy::DocAddress,
) -> tantivy::Result<TantivyDocument> {
    let seg = searcher.segment_reader(addr.segment_ord);
    let reader = seg.get_store_reader(1)?;
    let file = format!("{}.store", seg.segment_id().uuid_string());
    read(
        &reader,
        addr.doc_id,
        seg.schema().num_fields(),
        std::path::Path::new(&file),
    )
}

/// The document in `bytes` of a schema of `fields` fields, or what is wrong with them.
pub fn parse(bytes: &[u8], fields: usize) -> Result<TantivyDocument, String> {
    let mut doc = TantivyDocument::new();
    walk(bytes, fields, |field, value| match value {
        Stored::Text(text) => doc.add_text(field, text),
        Stored::Bytes(b) => doc.add_bytes(field, b),
        Stored::U64(n) => doc.add_u64(field, n),
        Stored::I64(n) => doc.add_i64(field, n),
        Stored::F64(x) => doc.add_f64(field, x),
        Stored::Date(nanos) => doc.add_date(field, DateTime::from_timestamp_nanos(nanos)),
        Stored::Bool(b) => doc.add_bool(field, b),
    })?;
    Ok(doc)
}

/// The text values of `field` in `bytes`, borrowed (nothing copied), the bytes checked as
/// [`parse`] checks them: for a pass that reads one field of many articles.
pub fn texts(bytes: &[u8], fields: usize, field: Field) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    walk(bytes, fields, |f, value| {
        if let (true, Stored::Text(text)) = (f == field, value) {
            out.push(text);
        }
    })?;
    Ok(out)
}

/// One stored value, borrowed from the bytes.
enum Stored<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
    U64(u64),
    I64(i64),
    F64(f64),
    /// Nanoseconds.
    Date(i64),
    Bool(bool),
}

/// Hands each value of the document in `bytes` to `each`, in order, once all of them are
/// known to be whole: nothing is handed from damaged bytes.
fn walk<'a>(
    mut bytes: &'a [u8],
    fields: usize,
    mut each: impl FnMut(Field, Stored<'a>),
) -> Result<(), String> {
    let b = &mut bytes;
    let count = vint(b)?;
    // Every value takes at least six bytes (field, type, a payload of one or more).
    if count > (b.len() / 6) as u64 {
        return Err(format!("{count} values in {} bytes", b.len()));
    }
    let mut values = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let id = u32::from_le_bytes(take(b, 4)?.try_into().unwrap());
        if id as usize >= fields {
            return Err(format!("field {id} of {fields}"));
        }
        let code = take(b, 1)?[0];
        let value = match code {
            TEXT => {
                let len = length(b)?;
                Stored::Text(
                    std::str::from_utf8(take(b, len)?)
                        .map_err(|e| format!("a text value is not UTF-8 ({e})"))?,
                )
            }
            BYTES => {
                let len = length(b)?;
                Stored::Bytes(take(b, len)?)
            }
            U64 => Stored::U64(u64::from_le_bytes(eight(b)?)),
            I64 => Stored::I64(i64::from_le_bytes(eight(b)?)),
            F64 => Stored::F64(f64::from_bits(u64::from_le_bytes(eight(b)?))),
            DATE => Stored::Date(i64::from_le_bytes(eight(b)?)),
            BOOL => Stored::Bool(take(b, 1)?[0] != 0),
            other => return Err(format!("a value of unknown type {other}")),
        };
        values.push((Field::from_field_id(id), value));
    }
    if !b.is_empty() {
        return Err(format!("{} bytes left after the last value", b.len()));
    }
    for (field, value) in values {
        each(field, value);
    }
    Ok(())
}

/// The next `n` bytes.
fn take<'a>(b: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if n > b.len() {
        return Err(format!("{n} bytes wanted, {} left", b.len()));
    }
    let (head, rest) = b.split_at(n);
    *b = rest;
    Ok(head)
}

fn eight(b: &mut &[u8]) -> Result<[u8; 8], String> {
    Ok(take(b, 8)?.try_into().unwrap())
}

/// A length that must fit in what is left.
fn length(b: &mut &[u8]) -> Result<usize, String> {
    let len = vint(b)?;
    if len > b.len() as u64 {
        return Err(format!("a value of {len} bytes, {} left", b.len()));
    }
    Ok(len as usize)
}

/// tantivy's VInt: seven bits a byte, least significant first, the last byte's high bit set.
fn vint(b: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = take(b, 1)?[0];
        value |= u64::from(byte & 0x7f) << shift;
        if byte >= 0x80 {
            return Ok(value);
        }
    }
    Err("a number longer than ten bytes".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::Document;
    use tantivy::schema::{STORED, Schema, TEXT as TEXT_OPTS, Value};
    use tantivy::{Index, IndexWriter};

    /// The stored bytes of one document written by tantivy, and tantivy's reading of them.
    fn stored_bytes() -> (Vec<u8>, Schema, TantivyDocument) {
        let mut sb = Schema::builder();
        let text = sb.add_text_field("text", TEXT_OPTS | STORED);
        let n = sb.add_u64_field("n", STORED);
        let i = sb.add_i64_field("i", STORED);
        let when = sb.add_date_field("when", STORED);
        let flag = sb.add_bool_field("flag", STORED);
        let raw = sb.add_bytes_field("raw", STORED);
        let schema = sb.build();
        let index = Index::create_in_ram(schema.clone());
        let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut doc = TantivyDocument::new();
        doc.add_text(text, "première valeur");
        doc.add_text(text, "second value, longer than the first one by far");
        doc.add_u64(n, 1 << 40);
        doc.add_i64(i, -7);
        doc.add_date(when, DateTime::from_timestamp_secs(1_474_070_400));
        doc.add_bool(flag, true);
        doc.add_bytes(raw, &[0u8, 255, 7][..]);
        w.add_document(doc).unwrap();
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let store = searcher.segment_reader(0).get_store_reader(1).unwrap();
        let theirs = searcher.doc(tantivy::DocAddress::new(0, 0)).unwrap();
        (
            store.get_document_bytes(0).unwrap().as_slice().to_vec(),
            schema,
            theirs,
        )
    }

    #[test]
    fn reads_what_tantivy_wrote_as_tantivy_reads_it() {
        let (bytes, schema, theirs) = stored_bytes();
        let ours = parse(&bytes, schema.num_fields()).unwrap();
        assert_eq!(ours.to_json(&schema), theirs.to_json(&schema));
        let text = schema.get_field("text").unwrap();
        let values: Vec<&str> = ours.get_all(text).filter_map(|v| v.as_str()).collect();
        assert_eq!(
            values,
            [
                "première valeur",
                "second value, longer than the first one by far"
            ]
        );
        assert_eq!(
            texts(&bytes, schema.num_fields(), text).unwrap(),
            [
                "première valeur",
                "second value, longer than the first one by far"
            ]
        );
        let when = schema.get_field("when").unwrap();
        assert_eq!(
            ours.get_first(when).and_then(|v| v.as_datetime()),
            Some(DateTime::from_timestamp_secs(1_474_070_400))
        );
    }

    #[test]
    fn damaged_bytes_are_refused_never_allocated() {
        let (bytes, schema, _) = stored_bytes();
        let parse = |b: &[u8]| parse(b, schema.num_fields());
        // A length made enormous (the first text value's, after count, field and type).
        let mut huge = bytes.clone();
        huge[6] = 0x7f;
        huge.splice(7..7, [0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0xff]);
        assert!(
            parse(&huge).unwrap_err().contains("bytes"),
            "{:?}",
            parse(&huge)
        );
        // Every single flipped byte and every cut is an error or a document, never a panic.
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0xa5;
            let _ = parse(&flipped);
            assert!(parse(&bytes[..at]).is_err(), "cut at {at}");
        }
        assert!(parse(&[0xff, 0xff]).is_err());
        assert!(parse(&[]).is_err());
    }
}
