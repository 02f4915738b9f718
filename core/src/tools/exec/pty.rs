//! The PTY of an interactive command: opened (and resized) with `portable-pty`; its slave becomes the
//! child's stdin, stdout and stderr and its controlling terminal, while the child itself is spawned by our
//! own launch path (so a sandboxed one runs inside bubblewrap like every command); its master is read and
//! written without blocking through tokio.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::fd::FromRawFd;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Arc;

use portable_pty::MasterPty;
use portable_pty::PtySize;
use tokio::io::unix::AsyncFd;

/// The daemon's side of one PTY.
pub(super) struct Pty {
    /// Kept for resizing; its descriptor is shared with `io`.
    master: Box<dyn MasterPty + Send>,
    /// A non-blocking duplicate of the master, for reading output and writing input.
    pub(super) io: Arc<AsyncFd<OwnedFd>>,
}

impl Pty {
    /// Opens a PTY of `rows` x `cols`; returns it with its slave, to hand to the child.
    pub(super) fn open(rows: u16, cols: u16) -> io::Result<(Pty, File)> {
        let pair = portable_pty::native_pty_system()
            .openpty(size(rows, cols))
            .map_err(|error| io::Error::other(error.to_string()))?;
        let slave_path = pair
            .master
            .tty_name()
            .ok_or_else(|| io::Error::other("the PTY has no slave device name"))?;
        // Opened here rather than taken from `pair.slave`, whose descriptor portable-pty keeps to itself; the
        // child gets this one (O_NOCTTY: it must not become the daemon's controlling terminal).
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
            .open(slave_path)?;
        let raw_master = pair
            .master
            .as_raw_fd()
            .ok_or_else(|| io::Error::other("the PTY master has no descriptor"))?;
        // SAFETY: F_DUPFD_CLOEXEC on a descriptor the master keeps open returns a new descriptor or -1.
        let duplicate = unsafe { libc::fcntl(raw_master, libc::F_DUPFD_CLOEXEC, 0) };
        if duplicate < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `duplicate` was just returned by fcntl and is owned by nobody else.
        let io = unsafe { OwnedFd::from_raw_fd(duplicate) };
        set_nonblocking(&io)?;
        // SAFETY: an `OwnedFd` keeps its one descriptor open, and always the same, until it is dropped.
        let io = unsafe { AsyncFd::register(io) }.map_err(io::Error::from)?;
        Ok((
            Pty {
                master: pair.master,
                io: Arc::new(io),
            },
            slave,
        ))
    }

    pub(super) fn resize(&self, rows: u16, cols: u16) -> io::Result<()> {
        self.master
            .resize(size(rows, cols))
            .map_err(|error| io::Error::other(error.to_string()))
    }
}

fn size(rows: u16, cols: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

fn set_nonblocking(fd: &OwnedFd) -> io::Result<()> {
    // SAFETY: F_GETFL/F_SETFL only read and set the flags of a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// What the child runs between `fork` and `exec` (async-signal-safe): a session of its own, whose
/// controlling terminal is the slave on its stdin.
pub(super) fn child_setup() -> impl FnMut() -> io::Result<()> + Send + Sync + 'static {
    || {
        // SAFETY: setsid and ioctl(TIOCSCTTY) take integers and only change the calling process.
        unsafe {
            if libc::setsid() < 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::ioctl(0, libc::TIOCSCTTY, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }
}

/// Reads what the terminal shows into `buffer`; 0 once every slave is closed (EIO on Linux).
pub(super) async fn read(io: &AsyncFd<OwnedFd>, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        let mut guard = io.readable().await?;
        let result = guard.try_io(|fd| {
            // SAFETY: reads at most `buffer.len()` bytes into a live buffer.
            let read =
                unsafe { libc::read(fd.as_raw_fd(), buffer.as_mut_ptr().cast(), buffer.len()) };
            usize::try_from(read).map_err(|_| io::Error::last_os_error())
        });
        match result {
            Ok(Err(error)) if error.raw_os_error() == Some(libc::EIO) => return Ok(0),
            Ok(result) => return result,
            Err(_would_block) => {}
        }
    }
}

/// Writes all of `bytes` as typed input.
pub(super) async fn write_all(io: &AsyncFd<OwnedFd>, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        let mut guard = io.writable().await?;
        let result = guard.try_io(|fd| {
            // SAFETY: writes at most `bytes.len()` bytes from a live buffer.
            let written =
                unsafe { libc::write(fd.as_raw_fd(), bytes.as_ptr().cast(), bytes.len()) };
            usize::try_from(written).map_err(|_| io::Error::last_os_error())
        });
        match result {
            Ok(Ok(written)) => bytes = &bytes[written..],
            Ok(Err(error)) => return Err(error),
            Err(_would_block) => {}
        }
    }
    Ok(())
}

/// The byte that ends the input of a terminal's reader (its VEOF character, ^D by default).
pub(super) fn end_of_input(io: &AsyncFd<OwnedFd>) -> u8 {
    // SAFETY: termios is plain data; tcgetattr fills it or fails, leaving zeros.
    let mut termios: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: tcgetattr writes into the live struct above.
    if unsafe { libc::tcgetattr(io.get_ref().as_raw_fd(), &raw mut termios) } == 0 {
        let eof = termios.c_cc[libc::VEOF];
        if eof != 0 {
            return eof;
        }
    }
    0x04
}
