//! The sheet part inflated on a thread of its own, a few chunks ahead of the tokenizer.
//!
//! At a million rows, inflating is ~0.8 s of the reading thread's ~3.3 s, while the thread that maps
//! rows to orders waits for rows ~40 % of the time (a profile of `tierbook classify`,
//! docs/benchmarks.md). A third thread that only inflates lets the two cores share the three steps.
//! The bytes are the same, in the same order: only who inflates them changes.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::Scope;

/// Bytes inflated per chunk: the window asks for at least as much at a time (`scan::READ_SIZE`).
const CHUNK: usize = 256 << 10;

/// Chunks inflated ahead of the tokenizer (1 MiB): enough to ride out an uneven step on either side.
const AHEAD: usize = 4;

/// The reading end: a `Read` over the chunks the inflating thread sends.
pub(super) struct ReadAhead {
    chunks: Receiver<io::Result<Vec<u8>>>,
    /// Read chunks go back to the inflating thread to be filled again: a fresh 256 KiB buffer per
    /// chunk would be a fresh mapping (and its page faults) for every 256 KiB of a gigabyte.
    spent: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl ReadAhead {
    /// Starts inflating `src` on a thread of `scope`. `None` when no thread can be made.
    ///
    /// The thread stops at the end of `src`, at its first error (handed on to the reader), or as
    /// soon as this end is dropped.
    pub(super) fn spawn<'scope, R: Read + Send + 'scope>(
        scope: &'scope Scope<'scope, '_>,
        mut src: R,
    ) -> Option<ReadAhead> {
        let (send, chunks) = mpsc::sync_channel::<io::Result<Vec<u8>>>(AHEAD);
        let (spent, reuse) = mpsc::sync_channel::<Vec<u8>>(AHEAD + 2);
        let inflate = move || loop {
            let mut chunk = reuse.try_recv().unwrap_or_default();
            let filled = fill(&mut src, &mut chunk);
            let more = matches!(filled, Ok(true));
            let message = filled.map(|_| chunk);
            if message.as_ref().is_ok_and(Vec::is_empty) {
                return;
            }
            // A send fails once the reader is gone: nobody wants the rest.
            if send.send(message).is_err() || !more {
                return;
            }
        };
        std::thread::Builder::new().name("xlsx inflate".into()).spawn_scoped(scope, inflate).ok()?;
        Some(ReadAhead { chunks, spent, chunk: Vec::new(), at: 0 })
    }
}

/// Fills `chunk` with up to [`CHUNK`] bytes of `src`: `Ok(true)` when full, `Ok(false)` at the end of
/// `src` (what it holds then is the last of it).
fn fill<R: Read>(src: &mut R, chunk: &mut Vec<u8>) -> io::Result<bool> {
    // A recycled chunk is full already: no zeroing then.
    chunk.resize(CHUNK, 0);
    let mut n = 0;
    while let Some(rest) = chunk.get_mut(n..).filter(|rest| !rest.is_empty()) {
        match src.read(rest) {
            Ok(0) => {
                chunk.truncate(n);
                return Ok(false);
            }
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

impl Read for ReadAhead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.chunk.len() {
            match self.chunks.recv() {
                Ok(Ok(next)) => {
                    let spent = std::mem::replace(&mut self.chunk, next);
                    self.at = 0;
                    // Full means the thread has buffers enough, or is gone: drop this one.
                    let _ = self.spent.try_send(spent);
                }
                Ok(Err(e)) => return Err(e),
                // The thread ended after the last chunk.
                Err(_) => return Ok(0),
            }
        }
        let rest = self.chunk.get(self.at..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that hands out at most `step` bytes a read, then fails after `fail_at` bytes if asked.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        step: usize,
        fail_at: Option<usize>,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.fail_at.is_some_and(|f| self.at >= f) {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "broken part"));
            }
            let end = self.data.len().min(self.at + self.step).min(self.at + buf.len());
            let end = self.fail_at.map_or(end, |f| end.min(f));
            let n = end - self.at;
            buf[..n].copy_from_slice(&self.data[self.at..end]);
            self.at = end;
            Ok(n)
        }
    }

    fn bytes(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    #[test]
    fn the_reader_gets_every_byte_in_order_whatever_the_read_sizes() {
        for (len, step) in
            [(0, 1), (1, 1), (CHUNK - 1, 4096), (CHUNK, CHUNK), (3 * CHUNK + 17, 1000), (10 * CHUNK, 9999)]
        {
            let data = bytes(len);
            let got = std::thread::scope(|scope| {
                let src = Trickle { data: data.clone(), at: 0, step, fail_at: None };
                let mut ahead = ReadAhead::spawn(scope, src).unwrap();
                let mut got = Vec::new();
                // Odd read sizes, as the window's refills vary.
                let mut buf = vec![0; 7777];
                loop {
                    let n = ahead.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                got
            });
            assert_eq!(got.len(), data.len(), "length {len}");
            assert!(got == data, "bytes of length {len}");
        }
    }

    #[test]
    fn an_error_of_the_source_reaches_the_reader_after_the_bytes_before_it() {
        let data = bytes(3 * CHUNK);
        let fail_at = CHUNK + 5;
        std::thread::scope(|scope| {
            let src = Trickle { data: data.clone(), at: 0, step: 5000, fail_at: Some(fail_at) };
            let mut ahead = ReadAhead::spawn(scope, src).unwrap();
            let mut got = Vec::new();
            let err = ahead.read_to_end(&mut got).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
            // Whole chunks before the failing one arrive; the failing chunk's bytes do not.
            assert_eq!(got, data[..CHUNK]);
        });
    }

    #[test]
    fn a_reader_that_stops_early_ends_the_thread() {
        // Far more than the chunks ahead: the thread must stop at a failed send, or the scope hangs.
        let data = bytes(40 * CHUNK);
        std::thread::scope(|scope| {
            let src = Trickle { data, at: 0, step: CHUNK, fail_at: None };
            let mut ahead = ReadAhead::spawn(scope, src).unwrap();
            let mut buf = [0; 100];
            assert_eq!(ahead.read(&mut buf).unwrap(), 100);
            drop(ahead);
        });
    }
}
