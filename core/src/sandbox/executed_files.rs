//! The files the kernel opens for execution when it starts a program: the program itself and, for a
//! dynamically linked ELF executable, its interpreter (the dynamic loader named by `PT_INTERP`). A Landlock
//! ruleset that lets a trusted program run, and nothing else, must allow exactly these.

use std::fs::File;
use std::io;
use std::io::Read;
use std::io::Seek;
use std::io::SeekFrom;
use std::path::Path;
use std::path::PathBuf;

const ELF_MAGIC: [u8; 4] = [0x7f, b'E', b'L', b'F'];
const PT_INTERP: u32 = 3;
/// More than any loader path; a larger `PT_INTERP` is not a loader we would trust.
const MAX_INTERPRETER_LEN: u64 = 4096;

/// The files that must be executable to start `program`: `program` and, when it is a dynamically linked ELF
/// file, its interpreter. `None` when `program` is not an ELF file: a script needs its interpreter (usually a
/// shell), and a confinement that lets a shell run confines nothing.
pub fn executed_files(program: &Path) -> io::Result<Option<Vec<PathBuf>>> {
    let mut file = File::open(program)?;
    let mut header = [0u8; 64];
    let read = read_up_to(&mut file, &mut header)?;
    let Some(elf) = ElfLayout::parse(&header[..read]) else {
        return Ok(None);
    };
    let mut files = vec![program.to_path_buf()];
    for index in 0..u64::from(elf.program_header_count) {
        let offset = elf.program_header_offset + index * u64::from(elf.program_header_size);
        let mut entry = [0u8; 56];
        file.seek(SeekFrom::Start(offset))?;
        let read = read_up_to(&mut file, &mut entry)?;
        let Some((kind, data_offset, data_len)) = elf.program_header(&entry[..read]) else {
            return Ok(None);
        };
        if kind != PT_INTERP {
            continue;
        }
        if data_len == 0 || data_len > MAX_INTERPRETER_LEN {
            return Ok(None);
        }
        let mut interpreter = vec![0u8; usize::try_from(data_len).unwrap_or_default()];
        file.seek(SeekFrom::Start(data_offset))?;
        file.read_exact(&mut interpreter)?;
        let name = interpreter
            .split(|byte| *byte == 0)
            .next()
            .unwrap_or_default();
        if name.is_empty() {
            return Ok(None);
        }
        files.push(path_from_bytes(name));
    }
    Ok(Some(files))
}

/// Where an ELF file keeps its program headers, and how to read them.
struct ElfLayout {
    wide: bool,
    big_endian: bool,
    program_header_offset: u64,
    program_header_size: u16,
    program_header_count: u16,
}

impl ElfLayout {
    fn parse(header: &[u8]) -> Option<ElfLayout> {
        if header.get(..4)? != ELF_MAGIC {
            return None;
        }
        let wide = match header.get(4)? {
            1 => false,
            2 => true,
            _ => return None,
        };
        let big_endian = match header.get(5)? {
            1 => false,
            2 => true,
            _ => return None,
        };
        let field = Fields { big_endian };
        let (offset, size, count) = if wide {
            (
                field.u64(header, 0x20)?,
                field.u16(header, 0x36)?,
                field.u16(header, 0x38)?,
            )
        } else {
            (
                u64::from(field.u32(header, 0x1c)?),
                field.u16(header, 0x2a)?,
                field.u16(header, 0x2c)?,
            )
        };
        let minimum = if wide { 56 } else { 32 };
        if count > 0 && size < minimum {
            return None;
        }
        Some(ElfLayout {
            wide,
            big_endian,
            program_header_offset: offset,
            program_header_size: size,
            program_header_count: count,
        })
    }

    /// `(p_type, p_offset, p_filesz)` of one program header.
    fn program_header(&self, entry: &[u8]) -> Option<(u32, u64, u64)> {
        let field = Fields {
            big_endian: self.big_endian,
        };
        let kind = field.u32(entry, 0)?;
        if self.wide {
            Some((kind, field.u64(entry, 0x08)?, field.u64(entry, 0x20)?))
        } else {
            Some((
                kind,
                u64::from(field.u32(entry, 0x04)?),
                u64::from(field.u32(entry, 0x10)?),
            ))
        }
    }
}

/// Reads integers of the file's byte order.
struct Fields {
    big_endian: bool,
}

impl Fields {
    fn bytes<const N: usize>(&self, data: &[u8], at: usize) -> Option<[u8; N]> {
        let mut bytes: [u8; N] = data.get(at..at.checked_add(N)?)?.try_into().ok()?;
        if self.big_endian {
            bytes.reverse();
        }
        Some(bytes)
    }

    fn u16(&self, data: &[u8], at: usize) -> Option<u16> {
        self.bytes(data, at).map(u16::from_le_bytes)
    }

    fn u32(&self, data: &[u8], at: usize) -> Option<u32> {
        self.bytes(data, at).map(u32::from_le_bytes)
    }

    fn u64(&self, data: &[u8], at: usize) -> Option<u64> {
        self.bytes(data, at).map(u64::from_le_bytes)
    }
}

/// Fills `buf` as far as the file goes; the number of bytes read.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// A minimal 64-bit little-endian ELF file with a `PT_LOAD` and, when given, a `PT_INTERP` header.
    fn elf64(interpreter: Option<&str>) -> Vec<u8> {
        let mut file = vec![0u8; 64];
        file[..4].copy_from_slice(&ELF_MAGIC);
        file[4] = 2;
        file[5] = 1;
        let headers: Vec<(u32, u64, u64)> = match interpreter {
            Some(name) => vec![(1, 0, 0), (PT_INTERP, 64 + 2 * 56, name.len() as u64 + 1)],
            None => vec![(1, 0, 0)],
        };
        file[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        file[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        file[0x38..0x3a].copy_from_slice(&(headers.len() as u16).to_le_bytes());
        for (kind, offset, len) in headers {
            let mut entry = vec![0u8; 56];
            entry[..4].copy_from_slice(&kind.to_le_bytes());
            entry[0x08..0x10].copy_from_slice(&offset.to_le_bytes());
            entry[0x20..0x28].copy_from_slice(&len.to_le_bytes());
            file.extend(entry);
        }
        if let Some(name) = interpreter {
            file.extend(name.as_bytes());
            file.push(0);
        }
        file
    }

    /// The same in 32-bit big-endian form.
    fn elf32_big_endian(interpreter: &str) -> Vec<u8> {
        let mut file = vec![0u8; 52];
        file[..4].copy_from_slice(&ELF_MAGIC);
        file[4] = 1;
        file[5] = 2;
        file[0x1c..0x20].copy_from_slice(&52u32.to_be_bytes());
        file[0x2a..0x2c].copy_from_slice(&32u16.to_be_bytes());
        file[0x2c..0x2e].copy_from_slice(&1u16.to_be_bytes());
        let mut entry = vec![0u8; 32];
        entry[..4].copy_from_slice(&PT_INTERP.to_be_bytes());
        entry[0x04..0x08].copy_from_slice(&(52u32 + 32).to_be_bytes());
        entry[0x10..0x14].copy_from_slice(&(interpreter.len() as u32 + 1).to_be_bytes());
        file.extend(entry);
        file.extend(interpreter.as_bytes());
        file.push(0);
        file
    }

    fn files_of(contents: &[u8]) -> Option<Vec<PathBuf>> {
        let dir = tempfile::tempdir().expect("tempdir");
        let program = dir.path().join("program");
        std::fs::write(&program, contents).expect("write");
        executed_files(&program).expect("read").map(|files| {
            files
                .into_iter()
                .map(|file| {
                    file.strip_prefix(dir.path())
                        .map(Path::to_path_buf)
                        .unwrap_or(file)
                })
                .collect()
        })
    }

    #[test]
    fn a_dynamic_elf_needs_its_interpreter() {
        assert_eq!(
            files_of(&elf64(Some("/lib64/ld-linux-x86-64.so.2"))),
            Some(vec![
                PathBuf::from("program"),
                PathBuf::from("/lib64/ld-linux-x86-64.so.2")
            ])
        );
        assert_eq!(
            files_of(&elf32_big_endian("/lib/ld.so.1")),
            Some(vec![
                PathBuf::from("program"),
                PathBuf::from("/lib/ld.so.1")
            ])
        );
    }

    #[test]
    fn a_static_elf_needs_only_itself() {
        assert_eq!(files_of(&elf64(None)), Some(vec![PathBuf::from("program")]));
    }

    #[test]
    fn scripts_and_broken_files_are_not_elf() {
        assert_eq!(files_of(b"#!/bin/sh\nexec git \"$@\"\n"), None);
        assert_eq!(files_of(b""), None);
        let mut truncated = elf64(Some("/lib/ld.so"));
        truncated.truncate(64 + 56 + 10);
        assert_eq!(files_of(&truncated), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_running_test_binary_names_an_existing_interpreter() {
        let program = std::env::current_exe().expect("current exe");
        let files = executed_files(&program)
            .expect("read")
            .expect("an ELF file");
        assert_eq!(files.first(), Some(&program));
        assert!(files.iter().all(|file| file.exists()), "{files:?}");
    }
}
