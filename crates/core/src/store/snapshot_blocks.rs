//! The customers of a snapshot (their aggregates and assignment at that run, `SnapshotRow`), kept
//! in blocks: one row of `snapshot_blocks` per [`ROWS_PER_BLOCK`] customers (fewer when their texts
//! are megabytes long), in the order they were saved. Each block has two parts, both
//! postcard-encoded and LZ4-compressed:
//! - `head`: what the comparison and the tier history read (key, name, tier, segment, revenue) and
//!   the rest of the aggregates and scores, the segment and RFM type names written once per block;
//! - `sentences`: the four sentences per customer (reason and gap, Chinese and English), read only
//!   when the whole snapshot is loaded.
//!
//! A row per customer cost SQLite ~3 µs with its 22 columns plus a covering index, on the store
//! thread of a shop's first import (issue 10 item 4), and made each snapshot of a large shop ~95 MB
//! (240k customers: ~195 bytes of the ~340 a row were the sentences, which compress ~9× because
//! they share their wording). A snapshot is only ever written whole and read whole (the app's
//! start, the history, the comparison, the tier changes), so a block per few thousand customers
//! loses nothing.
//!
//! What this module does not do: decide what a snapshot is (`snapshots`).

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::classify::Assignment;
use crate::error::{Error, Result, StoreError};
use crate::model::{Cents, Customer, Text, Tier};

/// Customers per block: a head of ~60 KB and sentences of ~100 KB before compression.
const ROWS_PER_BLOCK: usize = 4096;

/// The encoding of both parts; a block of another format is refused as damaged, not misread.
const FORMAT: u8 = 1;

/// A block ends early once its customers' texts reach this many bytes (a hostile file's megabyte-long
/// keys or names): LZ4's stated length is 32 bits, and a block is decompressed whole. Real blocks
/// hold ~1 MB of text.
const BLOCK_TEXT_BYTES: usize = 16 << 20;

/// The head of a block as stored.
#[derive(Serialize, Deserialize)]
struct Head<'a> {
    format: u8,
    /// Segment and RFM type names, each once.
    #[serde(borrow)]
    texts: Vec<&'a str>,
    #[serde(borrow)]
    rows: Vec<Row<'a>>,
}

/// One customer's head; dates as days from the common era, names as indexes into `Head::texts`.
#[derive(Serialize, Deserialize)]
struct Row<'a> {
    key: &'a str,
    name: &'a str,
    phone: Option<&'a str>,
    orders: u32,
    revenue: Cents,
    first_order: i32,
    last_order: i32,
    interactions: Option<f64>,
    tier: Letter,
    segment: Option<u32>,
    recency_days: i64,
    r_score: u8,
    f_score: u8,
    m_score: u8,
    abc: Letter,
    rfm_type: u32,
    score: Option<f64>,
}

/// A tier as its letter's byte (b'A' …), as the rows of schema v2–v7 kept it as text.
#[derive(Serialize, Deserialize, Clone, Copy)]
struct Letter(u8);

impl Letter {
    fn of(tier: Tier) -> Letter {
        Letter(tier.letter().as_bytes()[0])
    }

    fn tier(self) -> Result<Tier> {
        std::str::from_utf8(&[self.0]).ok().and_then(Tier::from_letter).ok_or_else(bad_encoding)
    }
}

/// The sentences of a block as stored, a (reason, gap) per customer in the head's order.
#[derive(Serialize, Deserialize)]
struct Sentences<'a> {
    format: u8,
    #[serde(borrow)]
    rows: Vec<Why<'a>>,
}

#[derive(Serialize, Deserialize)]
struct Why<'a> {
    reason_zh: &'a str,
    reason_en: &'a str,
    #[serde(borrow)]
    gap: Option<(&'a str, &'a str)>,
}

fn damaged(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Store(StoreError::Value(rusqlite::types::FromSqlError::Other(Box::new(e))))
}

fn bad_encoding() -> Error {
    damaged(postcard::Error::DeserializeBadEncoding)
}

fn pack<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let bytes = postcard::to_allocvec(value).map_err(damaged)?;
    Ok(lz4_flex::block::compress_prepend_size(&bytes))
}

/// The bytes of a part, decompressed; its stated length is checked before anything is allocated.
fn unpack(stored: &[u8]) -> Result<Vec<u8>> {
    let (size, compressed) = lz4_flex::block::uncompressed_size(stored).map_err(damaged)?;
    // LZ4 cannot expand its input more than ~255 times: a damaged length is refused before anything
    // is allocated for it.
    if size > compressed.len().saturating_mul(256).saturating_add(64) {
        return Err(bad_encoding());
    }
    lz4_flex::block::decompress(compressed, size).map_err(damaged)
}

fn days(date: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&date)
}

fn date(days: i32) -> Result<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(bad_encoding)
}

/// Writes the customers of snapshot `snapshot_id` (`customers[i]` with `assignments[i]`, equal
/// lengths), a block per [`ROWS_PER_BLOCK`] (or fewer, [`BLOCK_TEXT_BYTES`]), in their order.
pub(super) fn write(
    tx: &Connection,
    snapshot_id: i64,
    customers: &[Customer],
    assignments: &[Assignment],
) -> Result<()> {
    debug_assert_eq!(customers.len(), assignments.len());
    let mut insert = tx.prepare_cached(
        "INSERT INTO snapshot_blocks(snapshot_id, customers, head, sentences) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut start = 0;
    while start < customers.len() {
        let end = block_end(customers, assignments, start);
        let (head, sentences) = encode(&customers[start..end], &assignments[start..end])?;
        insert.execute(rusqlite::params![snapshot_id, (end - start) as i64, head, sentences])?;
        start = end;
    }
    Ok(())
}

/// Where the block that begins at `start` ends: after [`ROWS_PER_BLOCK`] customers, or once their
/// texts reach [`BLOCK_TEXT_BYTES`] (at least one customer).
fn block_end(customers: &[Customer], assignments: &[Assignment], start: usize) -> usize {
    let mut bytes = 0;
    for (i, (c, a)) in customers.iter().zip(assignments).enumerate().skip(start) {
        if i - start == ROWS_PER_BLOCK || (i > start && bytes >= BLOCK_TEXT_BYTES) {
            return i;
        }
        let gap = a.gap.as_ref().map_or(0, |g| g.zh.len() + g.en.len());
        bytes += c.key.len() + c.name.len() + c.phone.as_ref().map_or(0, String::len);
        bytes += a.reason.zh.len() + a.reason.en.len() + gap;
    }
    customers.len()
}

fn encode<'e>(customers: &'e [Customer], assignments: &'e [Assignment]) -> Result<(Vec<u8>, Vec<u8>)> {
    // The segment and RFM type names of a block are a dozen at most.
    let mut texts: Vec<&'e str> = Vec::new();
    let mut index: rustc_hash::FxHashMap<&'e str, u32> = rustc_hash::FxHashMap::default();
    let mut text = |s: &'e Arc<str>| -> u32 {
        let s: &'e str = s;
        *index.entry(s).or_insert_with(|| {
            texts.push(s);
            (texts.len() - 1) as u32
        })
    };
    let mut rows = Vec::with_capacity(customers.len());
    let mut whys = Vec::with_capacity(customers.len());
    for (c, a) in customers.iter().zip(assignments) {
        rows.push(Row {
            key: &c.key,
            name: &c.name,
            phone: c.phone.as_deref(),
            orders: c.orders,
            revenue: c.revenue,
            first_order: days(c.first_order),
            last_order: days(c.last_order),
            interactions: c.interactions,
            tier: Letter::of(a.tier),
            segment: a.segment.as_ref().map(&mut text),
            recency_days: a.recency_days,
            r_score: a.r_score,
            f_score: a.f_score,
            m_score: a.m_score,
            abc: Letter::of(a.abc),
            rfm_type: text(&a.rfm_type),
            score: a.score,
        });
        whys.push(Why {
            reason_zh: &a.reason.zh,
            reason_en: &a.reason.en,
            gap: a.gap.as_ref().map(|g| (g.zh.as_str(), g.en.as_str())),
        });
    }
    let head = pack(&Head { format: FORMAT, texts, rows })?;
    let sentences = pack(&Sentences { format: FORMAT, rows: whys })?;
    Ok((head, sentences))
}

/// One customer of a snapshot as the comparison and the tier history read it (borrowed from the
/// decompressed head).
pub(super) struct Brief<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub tier: Tier,
    pub segment: Option<&'a str>,
    pub revenue: Cents,
}

/// A stored block: its head and, when asked for, its sentences (both still compressed).
type Stored = (Vec<u8>, Option<Vec<u8>>);

/// The blocks of snapshot `snapshot_id`, in the order they were written.
fn blocks(conn: &Connection, snapshot_id: i64, with_sentences: bool) -> Result<Vec<Stored>> {
    let sql = if with_sentences {
        "SELECT head, sentences FROM snapshot_blocks WHERE snapshot_id = ?1 ORDER BY id"
    } else {
        "SELECT head, NULL FROM snapshot_blocks WHERE snapshot_id = ?1 ORDER BY id"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([snapshot_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn decode_head(bytes: &[u8]) -> Result<Head<'_>> {
    let head: Head<'_> = postcard::from_bytes(bytes).map_err(damaged)?;
    if head.format != FORMAT {
        return Err(bad_encoding());
    }
    Ok(head)
}

/// Calls `f` with every customer of snapshot `snapshot_id`, in the order they were saved, reading
/// only the heads.
pub(super) fn for_each_brief(conn: &Connection, snapshot_id: i64, mut f: impl FnMut(Brief<'_>)) -> Result<()> {
    for (head, _) in blocks(conn, snapshot_id, false)? {
        let bytes = unpack(&head)?;
        let head = decode_head(&bytes)?;
        let text = |i: u32| head.texts.get(i as usize).copied().ok_or_else(bad_encoding);
        for row in &head.rows {
            f(Brief {
                key: row.key,
                name: row.name,
                tier: row.tier.tier()?,
                segment: row.segment.map(text).transpose()?,
                revenue: row.revenue,
            });
        }
    }
    Ok(())
}

/// Every customer of snapshot `snapshot_id` with the assignment it had, in the order they were saved.
pub(super) fn read(conn: &Connection, snapshot_id: i64) -> Result<Vec<(Customer, Assignment)>> {
    let mut out = Vec::new();
    for (head, sentences) in blocks(conn, snapshot_id, true)? {
        let head_bytes = unpack(&head)?;
        let head = decode_head(&head_bytes)?;
        let sentence_bytes = unpack(sentences.as_deref().unwrap_or_default())?;
        let sentences: Sentences<'_> = postcard::from_bytes(&sentence_bytes).map_err(damaged)?;
        if sentences.format != FORMAT || sentences.rows.len() != head.rows.len() {
            return Err(bad_encoding());
        }
        // Each name once per block, shared by its customers as the classification shares them.
        let texts: Vec<Arc<str>> = head.texts.iter().map(|&t| Arc::from(t)).collect();
        let text = |i: u32| texts.get(i as usize).cloned().ok_or_else(bad_encoding);
        out.reserve(head.rows.len());
        for (row, why) in head.rows.iter().zip(sentences.rows) {
            let customer = Customer {
                key: row.key.to_owned(),
                name: row.name.to_owned(),
                phone: row.phone.map(str::to_owned),
                orders: row.orders,
                revenue: row.revenue,
                first_order: date(row.first_order)?,
                last_order: date(row.last_order)?,
                interactions: row.interactions,
                profit: None,
            };
            let assignment = Assignment {
                tier: row.tier.tier()?,
                segment: row.segment.map(text).transpose()?,
                recency_days: row.recency_days,
                r_score: row.r_score,
                f_score: row.f_score,
                m_score: row.m_score,
                abc: row.abc.tier()?,
                rfm_type: text(row.rfm_type)?,
                score: row.score,
                reason: Text::new(why.reason_zh, why.reason_en),
                gap: why.gap.map(|(zh, en)| Text::new(zh, en)),
            };
            out.push((customer, assignment));
        }
    }
    Ok(out)
}

/// The migration step of schema v8: each snapshot's rows of `snapshot_rows` (v2–v7, a row per
/// customer, in rowid order) go into blocks; `snapshot_rows` and the row range `snapshots` kept of
/// it go.
pub(super) fn blocks_from_rows(tx: &Connection) -> Result<()> {
    let snapshots: Vec<i64> = {
        let mut stmt = tx.prepare("SELECT id FROM snapshots ORDER BY id")?;
        let ids = stmt.query_map([], |r| r.get(0))?;
        ids.collect::<rusqlite::Result<_>>()?
    };
    let mut stmt = tx.prepare(
        "SELECT key, name, phone, orders, revenue, first_order, last_order, interactions, tier, segment,
                recency_days, r_score, f_score, m_score, abc, rfm_type, score, reason_zh, reason_en, gap_zh, gap_en
         FROM snapshot_rows WHERE snapshot_id = ?1 ORDER BY id",
    )?;
    for id in snapshots {
        let (mut customers, mut assignments) = (Vec::new(), Vec::new());
        let mut names: rustc_hash::FxHashMap<String, Arc<str>> = rustc_hash::FxHashMap::default();
        let mut share = |s: String| names.entry(s).or_insert_with_key(|s| Arc::from(s.as_str())).clone();
        let mut rows = stmt.query([id])?;
        while let Some(r) = rows.next()? {
            customers.push(Customer {
                key: r.get(0)?,
                name: r.get(1)?,
                phone: r.get(2)?,
                orders: r.get(3)?,
                revenue: r.get(4)?,
                first_order: r.get(5)?,
                last_order: r.get(6)?,
                interactions: r.get(7)?,
                profit: None,
            });
            // As the rows were read before: an unknown letter read as C, a half-missing gap completed.
            let letter = |i: usize| -> rusqlite::Result<Tier> {
                Ok(Tier::from_letter(&r.get::<_, String>(i)?).unwrap_or(Tier::C))
            };
            let (gap_zh, gap_en): (Option<String>, Option<String>) = (r.get(19)?, r.get(20)?);
            assignments.push(Assignment {
                tier: letter(8)?,
                segment: r.get::<_, Option<String>>(9)?.map(&mut share),
                recency_days: r.get(10)?,
                r_score: r.get(11)?,
                f_score: r.get(12)?,
                m_score: r.get(13)?,
                abc: letter(14)?,
                rfm_type: share(r.get(15)?),
                score: r.get(16)?,
                reason: Text::new(r.get::<_, String>(17)?, r.get::<_, String>(18)?),
                gap: match (gap_zh, gap_en) {
                    (None, None) => None,
                    (zh, en) => Some(Text::new(zh.unwrap_or_default(), en.unwrap_or_default())),
                },
            });
            if customers.len() == ROWS_PER_BLOCK {
                write(tx, id, &customers, &assignments)?;
                (customers, assignments) = (Vec::new(), Vec::new());
            }
        }
        write(tx, id, &customers, &assignments)?;
    }
    drop(stmt);
    tx.execute_batch(
        "DROP TABLE snapshot_rows;
         ALTER TABLE snapshots DROP COLUMN first_row;
         ALTER TABLE snapshots DROP COLUMN last_row;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE snapshot_blocks (id INTEGER PRIMARY KEY, snapshot_id INTEGER NOT NULL,
                customers INTEGER NOT NULL, head BLOB NOT NULL, sentences BLOB NOT NULL);",
        )
        .unwrap();
        conn
    }

    fn day(days: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(days)
    }

    fn customer(i: usize) -> (Customer, Assignment) {
        let customer = Customer {
            key: format!("买家{i}"),
            name: format!("昵称{i}"),
            phone: i.is_multiple_of(2).then(|| "138****0000".to_string()),
            orders: i as u32,
            revenue: i as i64 * 1000 - 5,
            first_order: day(i as i64),
            last_order: day(i as i64 + 30),
            interactions: i.is_multiple_of(3).then_some(2.5),
            profit: None,
        };
        let assignment = Assignment {
            tier: [Tier::A, Tier::B, Tier::C, Tier::D][i % 4],
            segment: (i % 2 == 1).then(|| Arc::from("重要价值客户")),
            recency_days: i as i64,
            r_score: 5,
            f_score: 4,
            m_score: 3,
            abc: Tier::B,
            rfm_type: Arc::from("一般发展客户"),
            score: Some(i as f64 / 3.0),
            reason: Text::new(format!("累计消费第 {i}"), format!("rank {i}")),
            gap: (!i.is_multiple_of(4)).then(|| Text::new("再消费 ¥180 升至 A 类", "¥180 more to reach A")),
        };
        (customer, assignment)
    }

    fn saved(conn: &Connection, n: usize) -> Vec<(Customer, Assignment)> {
        let (customers, assignments): (Vec<Customer>, Vec<Assignment>) = (0..n).map(customer).unzip();
        write(conn, 1, &customers, &assignments).unwrap();
        customers.into_iter().zip(assignments).collect()
    }

    /// Customers with megabyte-long names (a hostile export's) go into smaller blocks, each part far
    /// below LZ4's 4 GB, and read back whole.
    #[test]
    fn long_texts_make_smaller_blocks_that_read_back() {
        let conn = workspace();
        let (mut customers, assignments): (Vec<Customer>, Vec<Assignment>) = (0..12).map(customer).unzip();
        for (i, c) in customers.iter_mut().enumerate() {
            c.name = format!("{i}{}", "长".repeat(1 << 20));
        }
        write(&conn, 1, &customers, &assignments).unwrap();
        let blocks: i64 = conn.query_row("SELECT count(*) FROM snapshot_blocks", [], |r| r.get(0)).unwrap();
        assert_eq!(blocks, 2, "3 MB a name: a block ends once 6 of them pass 16 MB");
        let back: Vec<(Customer, Assignment)> = read(&conn, 1).unwrap();
        assert_eq!(back, customers.into_iter().zip(assignments).collect::<Vec<_>>());
    }

    #[test]
    fn customers_read_back_as_saved_across_blocks() {
        let conn = workspace();
        let expected = saved(&conn, ROWS_PER_BLOCK * 2 + 3);
        let blocks: i64 = conn.query_row("SELECT count(*) FROM snapshot_blocks", [], |r| r.get(0)).unwrap();
        assert_eq!(blocks, 3);
        assert_eq!(read(&conn, 1).unwrap(), expected);
        let mut briefs = Vec::new();
        for_each_brief(&conn, 1, |b| briefs.push((b.key.to_owned(), b.tier, b.segment.map(str::to_owned), b.revenue)))
            .unwrap();
        let wanted: Vec<_> = expected
            .iter()
            .map(|(c, a)| (c.key.clone(), a.tier, a.segment.as_deref().map(str::to_owned), c.revenue))
            .collect();
        assert_eq!(briefs, wanted);
        // Another snapshot's blocks are not this one's.
        assert!(read(&conn, 2).unwrap().is_empty());
    }

    /// Whatever a damaged block holds, reading it is a `Store` error, never a panic or a huge
    /// allocation: a stated length of 4 GB, bytes that are not LZ4, a valid LZ4 of bytes that are
    /// not a block, a tier letter that is none, sentences that do not match the head.
    #[test]
    fn a_damaged_block_is_an_error() {
        let (customers, assignments): (Vec<Customer>, Vec<Assignment>) = (0..3).map(customer).unzip();
        let (good_head, good_sentences) = encode(&customers, &assignments).unwrap();
        let (_, fewer_sentences) = encode(&customers[..2], &assignments[..2]).unwrap();
        let (mut bad_tier, _) = encode(&customers[..1], &assignments[..1]).unwrap();
        // The head of one customer, its tier letter changed ('A' is the only such byte).
        let mut plain = lz4_flex::block::decompress_size_prepended(&bad_tier).unwrap();
        let at = plain.iter().position(|&b| b == b'A').unwrap();
        plain[at] = b'X';
        bad_tier = lz4_flex::block::compress_prepend_size(&plain);
        let cases: [(&str, Vec<u8>, Vec<u8>); 5] = [
            ("stated 4 GB", vec![0xff, 0xff, 0xff, 0xff, 0x10, 0x41], good_sentences.clone()),
            ("not LZ4", good_head[..good_head.len() / 2].to_vec(), good_sentences.clone()),
            ("not a block", lz4_flex::block::compress_prepend_size(b"\x07garbage"), good_sentences.clone()),
            ("no such tier", bad_tier, lz4_flex::block::compress_prepend_size(&[FORMAT, 1, 0, 0, 0])),
            ("sentences of two for three", good_head.clone(), fewer_sentences),
        ];
        for (what, head, sentences) in cases {
            let conn = workspace();
            conn.execute(
                "INSERT INTO snapshot_blocks(snapshot_id, customers, head, sentences) VALUES (1, 3, ?1, ?2)",
                (head, sentences),
            )
            .unwrap();
            assert!(matches!(read(&conn, 1), Err(Error::Store(_))), "{what}");
        }
    }
}
