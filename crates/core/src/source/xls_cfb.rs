//! The workbook stream of a legacy `.xls`, byte for byte as calamine 0.38 will read it.
//!
//! calamine has its own compound-file (OLE2) reader (`calamine/src/cfb.rs`), and it differs from the
//! `cfb` crate on damaged files: it reads the file strictly front to back, keeps whatever a sector
//! chain yields when the file ends early, and fills sectors past the end with zeros on a second
//! look. A stream whose directory entry declares 522 MB but whose chain holds one sector is an error
//! to the `cfb` crate and 4 KB of records to calamine (fuzz finding xls-sheet-bof-not-first). The
//! pre-scan must check what calamine parses, so this module repeats calamine's reading rules, with
//! one difference: where calamine would follow a looping chain until memory runs out, this stops and
//! calls the file damaged.

use std::io::Read;

/// Sector ids at and above this are markers, not sectors.
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

/// What reading the workbook stream the way calamine does came to.
#[derive(Debug)]
pub(crate) enum WorkbookStream {
    /// The bytes calamine will parse.
    Bytes(Vec<u8>),
    /// calamine fails (or panics, which the caller catches) before it parses a record: nothing to check.
    Unread,
    /// A sector chain loops: calamine would repeat it until the declared length (up to 2^64 bytes).
    Looping,
}

/// Why a read stopped: calamine's error (harmless, it reports it) or a loop (it would not stop).
enum Stop {
    Unread,
    Looping,
}

type Step<T> = std::result::Result<T, Stop>;

/// Reads the stream named `Workbook` (else `Book`) from `reader` (positioned at the file's start),
/// whose total length is `file_len`.
pub(crate) fn workbook_stream(reader: &mut impl Read, file_len: u64) -> WorkbookStream {
    let Ok(file_len) = usize::try_from(file_len) else { return WorkbookStream::Unread };
    match read(reader, file_len) {
        Ok(bytes) => WorkbookStream::Bytes(bytes),
        Err(Stop::Unread) => WorkbookStream::Unread,
        Err(Stop::Looping) => WorkbookStream::Looping,
    }
}

fn read(reader: &mut impl Read, file_len: usize) -> Step<Vec<u8>> {
    let header = Header::read(reader)?;
    let size = header.sector_size;
    let maxid = file_len / size;
    let mut sectors = Sectors { data: Vec::new(), size, maxid: u32::try_from(maxid).unwrap_or(u32::MAX) };

    let mut difat = header.difat;
    let mut sector_id = header.difat_start;
    let mut difat_sectors = 0usize;
    while sector_id < RESERVED_SECTORS {
        difat_sectors += 1;
        if difat_sectors > maxid.saturating_add(1) {
            return Err(Stop::Unread);
        }
        difat.extend(u32s(sectors.get(sector_id, reader)?));
        sector_id = difat.pop().ok_or(Stop::Unread)?;
    }
    let mut fats = Vec::new();
    for id in difat.into_iter().filter(|id| *id < DIFSECT) {
        fats.extend(u32s(sectors.get(id, reader)?));
    }

    let dirs = sectors.chain(header.dir_start, &fats, reader, usize::MAX)?;
    let dirs: Vec<Directory> =
        dirs.chunks(128).filter(|c| c.len() == 128).map(|c| Directory::new(c, size)).collect::<Step<_>>()?;
    if dirs.is_empty() || (header.version != 3 && dirs[0].start == ENDOFCHAIN) {
        return Err(Stop::Unread);
    }
    let (mini_fats, ministream) = if header.mini_fat_len > 0 {
        let ministream = sectors.chain(dirs[0].start, &fats, reader, dirs[0].len)?;
        let minifat_len = header.mini_fat_len.saturating_mul(size);
        let minifat = sectors.chain(header.mini_fat_start, &fats, reader, minifat_len)?;
        (u32s(&minifat).collect(), ministream)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut mini = Sectors { data: ministream, size: 64, maxid: u32::try_from(maxid * 8).unwrap_or(u32::MAX) };

    // calamine asks for "Workbook" and, on any error, for "Book"; names compare ASCII-case-insensitively.
    let mut stream = |name: &str| -> Step<Vec<u8>> {
        let dir = dirs.iter().find(|d| d.name.as_bytes().eq_ignore_ascii_case(name.as_bytes())).ok_or(Stop::Unread)?;
        if dir.len < 4096 {
            mini.chain(dir.start, &mini_fats, reader, dir.len)
        } else {
            sectors.chain(dir.start, &fats, reader, dir.len)
        }
    };
    match stream("Workbook") {
        Err(Stop::Unread) => stream("Book"),
        other => other,
    }
}

struct Header {
    version: u16,
    sector_size: usize,
    dir_start: u32,
    mini_fat_len: usize,
    mini_fat_start: u32,
    difat_start: u32,
    difat: Vec<u32>,
}

impl Header {
    fn read(reader: &mut impl Read) -> Step<Header> {
        let mut buf = [0u8; 512];
        let mut n = 0;
        while n < buf.len() {
            match reader.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(_) => return Err(Stop::Unread),
            }
        }
        if n < buf.len() || buf[..8] != *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" {
            return Err(Stop::Unread);
        }
        let sector_size = match u16_at(&buf, 30) {
            0x0009 => 512,
            0x000C => {
                // A 4096-byte sector's header is 512 bytes; the rest of the first sector is skipped.
                let mut rest = [0u8; 4096 - 512];
                reader.read_exact(&mut rest).map_err(|_| Stop::Unread)?;
                4096
            }
            _ => return Err(Stop::Unread),
        };
        if u16_at(&buf, 32) != 0x0006 {
            return Err(Stop::Unread);
        }
        Ok(Header {
            version: u16_at(&buf, 26),
            sector_size,
            dir_start: u32_at(&buf, 48),
            mini_fat_len: u32_at(&buf, 64) as usize,
            mini_fat_start: u32_at(&buf, 60),
            difat_start: u32_at(&buf, 68),
            difat: u32s(&buf[76..512]).collect(),
        })
    }
}

/// Sectors read so far, in file order: calamine reads the file front to back as far as the highest
/// sector asked for, and never seeks.
struct Sectors {
    data: Vec<u8>,
    size: usize,
    maxid: u32,
}

impl Sectors {
    fn get(&mut self, id: u32, reader: &mut impl Read) -> Step<&[u8]> {
        if self.maxid < id {
            return Err(Stop::Unread);
        }
        let start = id as usize * self.size;
        let end = start + self.size;
        if end > self.data.len() {
            let mut len = self.data.len();
            // Zero-filled, and kept so: a sector past the end reads short once, then as zeros.
            self.data.resize(end, 0);
            while len < end {
                match reader.read(&mut self.data[len..end]) {
                    // Cut short before the sector starts: calamine's slice panics (its caller catches it).
                    Ok(0) if len < start => return Err(Stop::Unread),
                    Ok(0) => return Ok(&self.data[start..len]),
                    Ok(k) => len += k,
                    Err(_) => return Err(Stop::Unread),
                }
            }
        }
        Ok(&self.data[start..end])
    }

    /// A chain of sectors up to `len` bytes. A chain visiting more sectors than the file can hold
    /// loops (calamine would repeat it up to `len`).
    fn chain(&mut self, mut id: u32, fats: &[u32], reader: &mut impl Read, len: usize) -> Step<Vec<u8>> {
        let mut chain = Vec::new();
        let mut visited = 0u64;
        while id != ENDOFCHAIN {
            visited += 1;
            if visited > u64::from(self.maxid) + 1 {
                return Err(Stop::Looping);
            }
            let sector = self.get(id, reader)?;
            let take = sector.len().min(len - chain.len());
            chain.extend_from_slice(&sector[..take]);
            if chain.len() >= len {
                break;
            }
            // calamine indexes the FAT without a check: a panic there, which its caller catches.
            id = *fats.get(id as usize).ok_or(Stop::Unread)?;
        }
        Ok(chain)
    }
}

struct Directory {
    name: String,
    start: u32,
    len: usize,
}

impl Directory {
    fn new(buf: &[u8], sector_size: usize) -> Step<Directory> {
        let units: Vec<u16> = buf[..64].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let mut name = String::from_utf16_lossy(&units);
        if let Some(end) = name.find('\0') {
            name.truncate(end);
        }
        let len = if sector_size == 512 {
            u64::from(u32_at(buf, 120))
        } else {
            u64::from_le_bytes(buf[120..128].try_into().unwrap_or_default())
        };
        Ok(Directory { name, start: u32_at(buf, 116), len: usize::try_from(len).map_err(|_| Stop::Unread)? })
    }
}

fn u16_at(data: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([data[i], data[i + 1]])
}

fn u32_at(data: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]])
}

fn u32s(data: &[u8]) -> impl Iterator<Item = u32> + '_ {
    data.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::{workbook_stream, WorkbookStream};

    /// On a sound file the stream read by calamine's rules is the one the `cfb` crate reads.
    #[test]
    fn a_sound_xls_reads_the_same_as_through_the_cfb_crate() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/orders_split.xls");
        let bytes = std::fs::read(path).unwrap();
        let WorkbookStream::Bytes(ours) = workbook_stream(&mut bytes.as_slice(), bytes.len() as u64) else {
            panic!("the fixture's workbook stream reads")
        };
        let mut compound = cfb::open(path).unwrap();
        let mut theirs = Vec::new();
        compound.open_stream("/Workbook").unwrap().read_to_end(&mut theirs).unwrap();
        assert!(!ours.is_empty());
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_file_that_is_no_compound_file_is_left_to_calamine() {
        let bytes = b"not an ole file at all".repeat(40);
        assert!(matches!(workbook_stream(&mut bytes.as_slice(), bytes.len() as u64), WorkbookStream::Unread));
    }
}
