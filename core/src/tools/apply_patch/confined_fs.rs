//! Race-free file operations for patches. A file is reached from an anchor directory (its writable root, or
//! `/` for a path the host approved) one name at a time with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
//! RESOLVE_NO_MAGICLINKS)`, and every read, write, rename and removal is made relative to the directory handle
//! found that way. A symlink swapped into the path (even the anchor) makes the operation fail instead of
//! redirecting it, so what was checked is what gets written.
//!
//! `openat2` comes from `rustix`, already in the dependency tree (through `tempfile`): a safe, typed wrapper
//! over the raw syscall, maintained by the Bytecode Alliance. Kernels without it (before Linux 5.6) get an
//! error, never an unconfined write.

use std::ffi::OsStr;
use std::ffi::OsString;
use std::io;
use std::io::Read;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::path::Component;
use std::path::Path;
use std::path::PathBuf;

/// A file below an anchor directory, as the names leading to it. No name is empty, `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfinedPath {
    anchor: PathBuf,
    parents: Vec<OsString>,
    name: OsString,
}

impl ConfinedPath {
    /// `path` (absolute, without `.` or `..`) as seen from `anchor`; `None` unless it lies strictly below it.
    pub fn new(anchor: &Path, path: &Path) -> Option<Self> {
        let mut names = Vec::new();
        for component in path.strip_prefix(anchor).ok()?.components() {
            match component {
                Component::Normal(name) => names.push(name.to_os_string()),
                Component::Prefix(_)
                | Component::RootDir
                | Component::CurDir
                | Component::ParentDir => return None,
            }
        }
        let name = names.pop()?;
        Some(Self {
            anchor: anchor.to_path_buf(),
            parents: names,
            name,
        })
    }

    /// `path` (absolute, without `.` or `..`) reached from `/`.
    pub fn absolute(path: &Path) -> Option<Self> {
        Self::new(Path::new("/"), path)
    }

    pub fn path(&self) -> PathBuf {
        let mut path = self.parent_path();
        path.push(&self.name);
        path
    }

    /// The directory holding the file.
    pub fn parent_path(&self) -> PathBuf {
        let mut path = self.anchor.clone();
        path.extend(&self.parents);
        path
    }

    pub fn name(&self) -> &OsStr {
        &self.name
    }

    /// The directory holding the file; with `created` the missing ones are made (and recorded, outermost
    /// first, so they can be removed again).
    pub fn open_parent(&self, mut created: Option<&mut Vec<CreatedDir>>) -> io::Result<Dir> {
        let mut dir = Dir {
            fd: sys::open_anchor(&self.anchor)?,
        };
        for name in &self.parents {
            let child = match sys::open_dir(&dir.fd, name) {
                Err(error) if error.kind() == io::ErrorKind::NotFound && created.is_some() => {
                    match sys::make_dir(&dir.fd, name) {
                        Ok(()) => {
                            if let Some(created) = created.as_deref_mut() {
                                created.push(CreatedDir {
                                    parent: dir.try_clone()?,
                                    name: name.clone(),
                                });
                            }
                        }
                        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
                        Err(error) => return Err(error),
                    }
                    sys::open_dir(&dir.fd, name)?
                }
                other => other?,
            };
            dir = Dir { fd: child };
        }
        Ok(dir)
    }

    /// The file's bytes, `None` when it (or a directory on its way) does not exist.
    pub fn read(&self) -> io::Result<Option<Vec<u8>>> {
        match self.open_parent(None) {
            Ok(dir) => dir.read(&self.name),
            Err(error) if is_missing(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Whether an error means "no such file": missing, or a file standing where a directory should be.
pub(super) fn is_missing(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// Whether an error means a symlink (or a magic link, or a `..` escape) stood in the path.
pub(super) fn is_link_in_path(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(libc::ELOOP | libc::EXDEV))
}

/// Whether the kernel has no `openat2` (Linux before 5.6, or a seccomp filter that hides it).
pub(super) fn is_openat2_missing(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ENOSYS)
}

/// A directory this patch created, to remove if the patch is rolled back.
#[derive(Debug)]
pub struct CreatedDir {
    parent: Dir,
    name: OsString,
}

impl CreatedDir {
    /// Removes the directory if it is still empty; a directory someone filled since stays.
    pub fn remove(&self) {
        let _ = sys::remove_dir(&self.parent.fd, &self.name);
    }
}

/// A directory reached without following any symlink; names below are looked up in it, never by path.
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
}

impl Dir {
    fn try_clone(&self) -> io::Result<Dir> {
        Ok(Dir {
            fd: self.fd.try_clone()?,
        })
    }

    /// The bytes of the regular file `name`, `None` when it does not exist. Anything else (a directory, a
    /// FIFO, a device) is an error, and opening never blocks on it.
    pub fn read(&self, name: &OsStr) -> io::Result<Option<Vec<u8>>> {
        let fd = match sys::open_read(&self.fd, name) {
            Ok(fd) => fd,
            Err(error) if is_missing(&error) => return Ok(None),
            Err(error) => return Err(error),
        };
        let mut file = std::fs::File::from(fd);
        if !file.metadata()?.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            ));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(Some(bytes))
    }

    /// A fresh name for a temp file or a backup in this directory.
    pub fn temp_name() -> OsString {
        OsString::from(format!(
            ".apply_patch.{}.tmp",
            uuid::Uuid::new_v4().simple()
        ))
    }

    /// Writes `contents` to a new temp file beside `name` (with the permissions of the file `name` if it
    /// is one) and returns the temp file's name, to [`Dir::rename`] over `name`.
    pub fn write_temp(&self, name: &OsStr, contents: &[u8]) -> io::Result<OsString> {
        let temp = Self::temp_name();
        let mut file = std::fs::File::from(sys::create_new(&self.fd, &temp)?);
        let written =
            file.write_all(contents)
                .and_then(|()| match sys::regular_file_mode(&self.fd, name)? {
                    Some(mode) => sys::set_mode(&file, mode),
                    None => Ok(()),
                });
        if let Err(error) = written {
            let _ = sys::remove_file(&self.fd, &temp);
            return Err(error);
        }
        Ok(temp)
    }

    /// Renames `from` to `to` in this directory, replacing `to` atomically (a reader sees the old or the
    /// new file).
    pub fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        sys::rename(&self.fd, from, to)
    }

    /// Removes the file `name`; one already gone is fine.
    pub fn remove(&self, name: &OsStr) -> io::Result<()> {
        match sys::remove_file(&self.fd, name) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

#[cfg(target_os = "linux")]
mod sys {
    use std::ffi::OsStr;
    use std::io;
    use std::os::fd::OwnedFd;
    use std::path::Path;

    use rustix::fs::AtFlags;
    use rustix::fs::CWD;
    use rustix::fs::FileType;
    use rustix::fs::Mode;
    use rustix::fs::OFlags;
    use rustix::fs::ResolveFlags;

    /// Each lookup is one name, so `BENEATH` only backs up the name check; `NO_SYMLINKS` is what refuses a
    /// swapped-in link, also as the last component.
    const BENEATH: ResolveFlags = ResolveFlags::BENEATH
        .union(ResolveFlags::NO_SYMLINKS)
        .union(ResolveFlags::NO_MAGICLINKS);

    pub(super) fn open_anchor(anchor: &Path) -> io::Result<OwnedFd> {
        // The anchor is canonical: no symlink may stand anywhere in it either.
        let resolve = ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
        match rustix::fs::openat2(CWD, anchor, directory_flags(), Mode::empty(), resolve) {
            Ok(fd) => Ok(fd),
            // An `O_PATH` open needs no permission that could answer EPERM; a seccomp filter that does not
            // know openat2 does (Docker before 20.10): the syscall is as good as missing.
            Err(rustix::io::Errno::PERM) => Err(io::Error::from_raw_os_error(libc::ENOSYS)),
            Err(error) => Err(error.into()),
        }
    }

    pub(super) fn open_dir(dir: &OwnedFd, name: &OsStr) -> io::Result<OwnedFd> {
        Ok(rustix::fs::openat2(
            dir,
            name,
            directory_flags(),
            Mode::empty(),
            BENEATH,
        )?)
    }

    fn directory_flags() -> OFlags {
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC
    }

    pub(super) fn make_dir(dir: &OwnedFd, name: &OsStr) -> io::Result<()> {
        Ok(rustix::fs::mkdirat(
            dir,
            name,
            Mode::from_bits_truncate(0o777),
        )?)
    }

    pub(super) fn open_read(dir: &OwnedFd, name: &OsStr) -> io::Result<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        Ok(rustix::fs::openat2(
            dir,
            name,
            flags,
            Mode::empty(),
            BENEATH,
        )?)
    }

    pub(super) fn create_new(dir: &OwnedFd, name: &OsStr) -> io::Result<OwnedFd> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
        let mode = Mode::from_bits_truncate(0o666);
        Ok(rustix::fs::openat2(dir, name, flags, mode, BENEATH)?)
    }

    /// The permission bits of `name` when it is a regular file.
    pub(super) fn regular_file_mode(dir: &OwnedFd, name: &OsStr) -> io::Result<Option<u32>> {
        match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) if FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile => {
                Ok(Some(stat.st_mode & 0o7777))
            }
            Ok(_) | Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    pub(super) fn set_mode(file: &std::fs::File, mode: u32) -> io::Result<()> {
        Ok(rustix::fs::fchmod(file, Mode::from_bits_truncate(mode))?)
    }

    pub(super) fn rename(dir: &OwnedFd, from: &OsStr, to: &OsStr) -> io::Result<()> {
        Ok(rustix::fs::renameat(dir, from, dir, to)?)
    }

    pub(super) fn remove_file(dir: &OwnedFd, name: &OsStr) -> io::Result<()> {
        Ok(rustix::fs::unlinkat(dir, name, AtFlags::empty())?)
    }

    pub(super) fn remove_dir(dir: &OwnedFd, name: &OsStr) -> io::Result<()> {
        Ok(rustix::fs::unlinkat(dir, name, AtFlags::REMOVEDIR)?)
    }
}

/// Without `openat2` there is no confined write: every operation fails (as on a Linux before 5.6).
#[cfg(not(target_os = "linux"))]
mod sys {
    use std::ffi::OsStr;
    use std::io;
    use std::os::fd::OwnedFd;
    use std::path::Path;

    fn unsupported<T>() -> io::Result<T> {
        Err(io::Error::from_raw_os_error(libc::ENOSYS))
    }

    pub fn open_anchor(_anchor: &Path) -> io::Result<OwnedFd> {
        unsupported()
    }
    pub fn open_dir(_dir: &OwnedFd, _name: &OsStr) -> io::Result<OwnedFd> {
        unsupported()
    }
    pub fn make_dir(_dir: &OwnedFd, _name: &OsStr) -> io::Result<()> {
        unsupported()
    }
    pub fn open_read(_dir: &OwnedFd, _name: &OsStr) -> io::Result<OwnedFd> {
        unsupported()
    }
    pub fn create_new(_dir: &OwnedFd, _name: &OsStr) -> io::Result<OwnedFd> {
        unsupported()
    }
    pub fn regular_file_mode(_dir: &OwnedFd, _name: &OsStr) -> io::Result<Option<u32>> {
        unsupported()
    }
    pub fn set_mode(_file: &std::fs::File, _mode: u32) -> io::Result<()> {
        unsupported()
    }
    pub fn rename(_dir: &OwnedFd, _from: &OsStr, _to: &OsStr) -> io::Result<()> {
        unsupported()
    }
    pub fn remove_file(_dir: &OwnedFd, _name: &OsStr) -> io::Result<()> {
        unsupported()
    }
    pub fn remove_dir(_dir: &OwnedFd, _name: &OsStr) -> io::Result<()> {
        unsupported()
    }
}

#[cfg(test)]
#[cfg(target_os = "linux")]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::fs::symlink;

    use pretty_assertions::assert_eq;

    use super::*;

    struct Fixture {
        _workspace: tempfile::TempDir,
        _outside: tempfile::TempDir,
        root: PathBuf,
        outside: PathBuf,
    }

    fn fixture() -> Fixture {
        let workspace = tempfile::tempdir().expect("workspace");
        let outside = tempfile::tempdir().expect("outside");
        let root = workspace.path().canonicalize().expect("canonical root");
        let outside_path = outside.path().canonicalize().expect("canonical outside");
        std::fs::create_dir(root.join("dir")).expect("mkdir");
        std::fs::write(outside_path.join("secret.txt"), "outside\n").expect("write");
        Fixture {
            _workspace: workspace,
            _outside: outside,
            root,
            outside: outside_path,
        }
    }

    fn beneath(fixture: &Fixture, relative: &str) -> ConfinedPath {
        ConfinedPath::new(&fixture.root, &fixture.root.join(relative)).expect("below the root")
    }

    /// Writes `contents` at `path` the way a patch does: temp file in the parent, then rename.
    fn write(path: &ConfinedPath, contents: &str) -> io::Result<Vec<CreatedDir>> {
        let mut created = Vec::new();
        let dir = path.open_parent(Some(&mut created))?;
        let temp = dir.write_temp(path.name(), contents.as_bytes())?;
        dir.rename(&temp, path.name())?;
        Ok(created)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_reads_and_removes_below_the_root_creating_directories() {
        let fixture = fixture();
        let path = beneath(&fixture, "dir/new/deeper/file.txt");
        let created = write(&path, "hello\n").expect("write");
        assert_eq!(
            std::fs::read_to_string(fixture.root.join("dir/new/deeper/file.txt")).expect("read"),
            "hello\n"
        );
        assert_eq!(path.read().expect("read"), Some(b"hello\n".to_vec()));
        assert_eq!(names(&fixture.root.join("dir/new/deeper")), ["file.txt"]);
        path.open_parent(None)
            .expect("parent")
            .remove(path.name())
            .expect("remove");
        for dir in created.iter().rev() {
            dir.remove();
        }
        assert_eq!(names(&fixture.root.join("dir")), Vec::<String>::new());
        assert_eq!(
            beneath(&fixture, "dir/gone/file.txt").read().expect("read"),
            None
        );
    }

    #[test]
    fn a_symlink_in_the_middle_of_the_path_is_refused() {
        let fixture = fixture();
        symlink(&fixture.outside, fixture.root.join("link")).expect("symlink");
        for relative in ["link/secret.txt", "link/new.txt", "link/sub/new.txt"] {
            let path = beneath(&fixture, relative);
            let error = write(&path, "pwned\n").expect_err(relative);
            assert!(is_link_in_path(&error), "{relative}: {error}");
            let error = path.read().expect_err(relative);
            assert!(is_link_in_path(&error), "{relative}: {error}");
        }
        assert_eq!(names(&fixture.outside), ["secret.txt"]);
        assert_eq!(
            std::fs::read_to_string(fixture.outside.join("secret.txt")).expect("read"),
            "outside\n"
        );
    }

    #[test]
    fn a_symlink_as_the_file_itself_is_neither_read_nor_followed() {
        let fixture = fixture();
        symlink(
            fixture.outside.join("secret.txt"),
            fixture.root.join("dir/leaf.txt"),
        )
        .expect("symlink");
        let path = beneath(&fixture, "dir/leaf.txt");
        assert!(is_link_in_path(&path.read().expect_err("read")));
        // Replacing the entry replaces the link itself, inside the root; its target is untouched.
        write(&path, "inside\n").expect("write");
        assert!(
            std::fs::symlink_metadata(fixture.root.join("dir/leaf.txt"))
                .expect("stat")
                .is_file()
        );
        assert_eq!(
            std::fs::read_to_string(fixture.outside.join("secret.txt")).expect("read"),
            "outside\n"
        );
    }

    #[test]
    fn a_root_swapped_for_a_symlink_is_refused() {
        let fixture = fixture();
        let moved = fixture.root.with_extension("moved");
        std::fs::rename(&fixture.root, &moved).expect("move the root away");
        symlink(&fixture.outside, &fixture.root).expect("symlink the root");
        let error = write(&beneath(&fixture, "new.txt"), "pwned\n").expect_err("write");
        assert!(is_link_in_path(&error), "{error}");
        assert_eq!(names(&fixture.outside), ["secret.txt"]);
        std::fs::remove_file(&fixture.root).expect("unlink");
        std::fs::rename(&moved, &fixture.root).expect("move back");
    }

    #[test]
    fn a_directory_swapped_after_it_was_opened_keeps_the_write_in_it() {
        let fixture = fixture();
        let path = beneath(&fixture, "dir/file.txt");
        let dir = path.open_parent(None).expect("parent");
        // The directory moves away (still inside the root) and a link to the outside takes its name.
        std::fs::rename(fixture.root.join("dir"), fixture.root.join("real")).expect("rename");
        symlink(&fixture.outside, fixture.root.join("dir")).expect("symlink");
        let temp = dir.write_temp(path.name(), b"kept inside\n").expect("temp");
        dir.rename(&temp, path.name()).expect("replace");
        assert_eq!(
            std::fs::read_to_string(fixture.root.join("real/file.txt")).expect("read"),
            "kept inside\n"
        );
        assert_eq!(names(&fixture.outside), ["secret.txt"]);
    }

    #[test]
    fn dot_dot_and_paths_outside_the_anchor_are_not_confined_paths() {
        let fixture = fixture();
        assert_eq!(
            ConfinedPath::new(&fixture.root, &fixture.root.join("dir/../../escape")),
            None
        );
        assert_eq!(
            ConfinedPath::new(&fixture.root, &fixture.outside.join("x")),
            None
        );
        assert_eq!(ConfinedPath::new(&fixture.root, &fixture.root), None);
        let absolute =
            ConfinedPath::absolute(&fixture.outside.join("secret.txt")).expect("absolute");
        assert_eq!(absolute.path(), fixture.outside.join("secret.txt"));
        assert_eq!(absolute.read().expect("read"), Some(b"outside\n".to_vec()));
    }

    #[test]
    fn a_replaced_file_keeps_its_permissions_and_a_fifo_is_not_read() {
        let fixture = fixture();
        let script = fixture.root.join("dir/run.sh");
        std::fs::write(&script, "old\n").expect("write");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o750)).expect("chmod");
        write(&beneath(&fixture, "dir/run.sh"), "new\n").expect("write");
        let mode = std::fs::metadata(&script)
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o750);

        let fifo =
            std::ffi::CString::new(fixture.root.join("dir/fifo").as_os_str().as_encoded_bytes())
                .expect("path");
        // SAFETY: `fifo` is a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let error = beneath(&fixture, "dir/fifo").read().expect_err("fifo");
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{error}");
    }
}
