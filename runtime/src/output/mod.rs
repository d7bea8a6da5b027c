//! Sinks that turn the engine's events into output: strace's text, the `-c` table; and
//! the filters that decide which events reach them.

pub mod count;
pub mod filter;
pub mod json;
pub(crate) mod lines;
pub mod summary;
pub mod text;

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// One writer shared by several sinks (the trace and the `-c` table after it, with `-C`),
/// so that what they write lands in order in one file.
#[derive(Clone)]
pub struct SharedWriter(Rc<RefCell<Box<dyn Write>>>);

impl SharedWriter {
    /// Shares `out`.
    pub fn new(out: Box<dyn Write>) -> Self {
        SharedWriter(Rc::new(RefCell::new(out)))
    }
}

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.borrow_mut().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}
