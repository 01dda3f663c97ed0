//! Reading a CTranslate2 `model.bin` (binary version 5 or 6, as faster-whisper ships): the
//! index of its variables — name, shape, element type and where the bytes are — without loading
//! the weights, and one variable's values on demand.
//!
//! The layout, from CTranslate2's `model_spec.py`: `u32` binary version, the spec name and `u32`
//! revision (version ≥ 2), `u32` variable count, then per variable a string name, `u8` rank,
//! `u32` per dimension, `u8` type id, `u32` byte count and the bytes; then `u32` alias count and
//! `(alias, target)` string pairs. A string is a `u16` length that counts a closing NUL, the
//! UTF-8 bytes and that NUL. Everything is little-endian.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The element types CTranslate2 writes (its `DataType` ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ct2Type {
    /// 0: 32-bit float.
    Float32,
    /// 1: signed byte (quantised weights, flags).
    Int8,
    /// 2: 16-bit integer.
    Int16,
    /// 3: 32-bit integer.
    Int32,
    /// 4: IEEE half.
    Float16,
    /// 5: bfloat16.
    BFloat16,
}

impl Ct2Type {
    fn from_id(id: u8) -> Option<Ct2Type> {
        Some(match id {
            0 => Ct2Type::Float32,
            1 => Ct2Type::Int8,
            2 => Ct2Type::Int16,
            3 => Ct2Type::Int32,
            4 => Ct2Type::Float16,
            5 => Ct2Type::BFloat16,
            _ => return None,
        })
    }

    /// Bytes of one element.
    pub fn size(self) -> usize {
        match self {
            Ct2Type::Float32 | Ct2Type::Int32 => 4,
            Ct2Type::Int16 | Ct2Type::Float16 | Ct2Type::BFloat16 => 2,
            Ct2Type::Int8 => 1,
        }
    }

    /// CTranslate2's name of the type, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Ct2Type::Float32 => "float32",
            Ct2Type::Int8 => "int8",
            Ct2Type::Int16 => "int16",
            Ct2Type::Int32 => "int32",
            Ct2Type::Float16 => "float16",
            Ct2Type::BFloat16 => "bfloat16",
        }
    }
}

/// One variable of the model: its shape and type, and where its bytes are in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ct2Variable {
    /// The dimensions, outermost first (`[rows, columns]` for a linear weight).
    pub shape: Vec<usize>,
    /// The element type.
    pub element: Ct2Type,
    /// Where the bytes start in the file.
    pub offset: u64,
    /// How many bytes there are.
    pub bytes: u64,
}

/// Why a file could not be read as a CTranslate2 model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ct2Problem {
    /// Reading failed (the message of the I/O error).
    Io(String),
    /// The bytes do not follow the format; says where and what.
    Format(String),
}

impl std::fmt::Display for Ct2Problem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ct2Problem::Io(message) | Ct2Problem::Format(message) => formatter.write_str(message),
        }
    }
}

/// The index of a `model.bin`: the spec it declares and every variable (aliases resolved).
#[derive(Debug)]
pub struct Ct2Model {
    path: PathBuf,
    /// The binary format version (5 or 6).
    pub binary_version: u32,
    /// The spec name (`WhisperSpec` for Whisper).
    pub spec_name: String,
    /// The spec revision.
    pub revision: u32,
    /// Every variable by name; an alias maps to a copy of its target's entry.
    pub variables: BTreeMap<String, Ct2Variable>,
}

/// The binary versions read here (CTranslate2 3.x writes 6; 2.x wrote 5).
const SUPPORTED_VERSIONS: std::ops::RangeInclusive<u32> = 3..=6;
/// No real model has more variables than this; a larger count means a foreign file.
const MAX_VARIABLES: u32 = 100_000;

impl Ct2Model {
    /// Read the index of the `model.bin` at `path`, checking that every variable's bytes lie
    /// inside the file.
    pub fn open(path: &Path) -> std::result::Result<Ct2Model, Ct2Problem> {
        let file = File::open(path).map_err(|error| Ct2Problem::Io(format!("cannot open it ({error})")))?;
        let length = file.metadata().map_err(|error| Ct2Problem::Io(error.to_string()))?.len();
        let mut reader = IndexReader { inner: BufReader::new(file), position: 0, length };
        let binary_version = reader.u32("the binary version")?;
        if !SUPPORTED_VERSIONS.contains(&binary_version) {
            return Err(Ct2Problem::Format(format!(
                "binary version {binary_version} is not one this reader knows ({}–{}): not a CTranslate2 model.bin, \
                 or one from a newer CTranslate2",
                SUPPORTED_VERSIONS.start(),
                SUPPORTED_VERSIONS.end()
            )));
        }
        let spec_name = reader.string("the spec name")?;
        let revision = reader.u32("the spec revision")?;
        let count = reader.u32("the variable count")?;
        if count > MAX_VARIABLES {
            return Err(Ct2Problem::Format(format!("it claims {count} variables, more than any model has")));
        }
        let mut variables = BTreeMap::new();
        for _ in 0..count {
            let (name, variable) = reader.variable()?;
            variables.insert(name, variable);
        }
        if reader.position < length {
            let aliases = reader.u32("the alias count")?;
            for _ in 0..aliases.min(MAX_VARIABLES) {
                let alias = reader.string("an alias")?;
                let target = reader.string("an alias target")?;
                if let Some(variable) = variables.get(&target).cloned() {
                    variables.insert(alias, variable);
                }
            }
        }
        Ok(Ct2Model { path: path.to_path_buf(), binary_version, spec_name, revision, variables })
    }

    /// The variable called `name`.
    pub fn get(&self, name: &str) -> Option<&Ct2Variable> {
        self.variables.get(name)
    }

    /// A scalar integer variable (`encoder/num_heads`), read from the file.
    pub fn scalar(&self, name: &str) -> std::result::Result<Option<i64>, Ct2Problem> {
        let Some(variable) = self.variables.get(name) else { return Ok(None) };
        let bytes = self.read(variable)?;
        let value = match (variable.element, bytes.as_slice()) {
            (Ct2Type::Int8, [a]) => i64::from(*a as i8),
            (Ct2Type::Int16, [a, b]) => i64::from(i16::from_le_bytes([*a, *b])),
            (Ct2Type::Int32, [a, b, c, d]) => i64::from(i32::from_le_bytes([*a, *b, *c, *d])),
            _ => return Err(Ct2Problem::Format(format!("{name} is not a scalar integer"))),
        };
        Ok(Some(value))
    }

    /// The bytes of `variable`.
    pub fn read(&self, variable: &Ct2Variable) -> std::result::Result<Vec<u8>, Ct2Problem> {
        let io = |error: std::io::Error| Ct2Problem::Io(format!("cannot read {} ({error})", self.path.display()));
        let mut file = File::open(&self.path).map_err(io)?;
        file.seek(SeekFrom::Start(variable.offset)).map_err(io)?;
        let mut bytes = vec![0u8; variable.bytes as usize];
        file.read_exact(&mut bytes).map_err(io)?;
        Ok(bytes)
    }
}

/// A sequential reader of the index that skips over the weights.
struct IndexReader {
    inner: BufReader<File>,
    position: u64,
    length: u64,
}

impl IndexReader {
    fn take<const N: usize>(&mut self, what: &str) -> std::result::Result<[u8; N], Ct2Problem> {
        let mut bytes = [0u8; N];
        self.inner.read_exact(&mut bytes).map_err(|error| self.truncated(what, error))?;
        self.position += N as u64;
        Ok(bytes)
    }

    fn truncated(&self, what: &str, error: std::io::Error) -> Ct2Problem {
        if error.kind() == std::io::ErrorKind::UnexpectedEof {
            Ct2Problem::Format(format!("the file ends at byte {} while reading {what}: truncated", self.position))
        } else {
            Ct2Problem::Io(error.to_string())
        }
    }

    fn u8(&mut self, what: &str) -> std::result::Result<u8, Ct2Problem> {
        Ok(self.take::<1>(what)?[0])
    }

    fn u32(&mut self, what: &str) -> std::result::Result<u32, Ct2Problem> {
        Ok(u32::from_le_bytes(self.take::<4>(what)?))
    }

    fn string(&mut self, what: &str) -> std::result::Result<String, Ct2Problem> {
        let length = u16::from_le_bytes(self.take::<2>(what)?) as usize;
        let mut bytes = vec![0u8; length];
        self.inner.read_exact(&mut bytes).map_err(|error| self.truncated(what, error))?;
        self.position += length as u64;
        if bytes.pop() != Some(0) {
            return Err(Ct2Problem::Format(format!("{what} at byte {} does not end with NUL", self.position)));
        }
        String::from_utf8(bytes).map_err(|_| Ct2Problem::Format(format!("{what} is not UTF-8")))
    }

    fn variable(&mut self) -> std::result::Result<(String, Ct2Variable), Ct2Problem> {
        let name = self.string("a variable name")?;
        let rank = self.u8("a rank")?;
        let mut shape = Vec::with_capacity(rank as usize);
        for _ in 0..rank {
            shape.push(self.u32("a dimension")? as usize);
        }
        let type_id = self.u8("a type id")?;
        let element = Ct2Type::from_id(type_id)
            .ok_or_else(|| Ct2Problem::Format(format!("{name} has the unknown type id {type_id}")))?;
        let bytes = u64::from(self.u32("a byte count")?);
        let elements: u64 = shape.iter().map(|&dimension| dimension as u64).product();
        if elements * element.size() as u64 != bytes {
            return Err(Ct2Problem::Format(format!(
                "{name}: shape {shape:?} of {} needs {} bytes, the file says {bytes}",
                element.name(),
                elements * element.size() as u64
            )));
        }
        let offset = self.position;
        if offset + bytes > self.length {
            return Err(Ct2Problem::Format(format!(
                "{name} runs past the end of the file ({} bytes): truncated (were all parts joined?)",
                self.length
            )));
        }
        self.inner.seek_relative(bytes as i64).map_err(|error| Ct2Problem::Io(error.to_string()))?;
        self.position += bytes;
        Ok((name, Ct2Variable { shape, element, offset, bytes }))
    }
}
