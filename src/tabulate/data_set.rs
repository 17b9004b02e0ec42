//! A set of responses to count: a responses file (in any format the loader reads) or a
//! table held elsewhere (a data frame handed over through Arrow by the Python package),
//! read once to weight and once to count.

use super::CountTable;
use super::file::{new_table, one_sample, tabulate_file};
use crate::codebook::Codebook;
use crate::data::ids::{IdSet, find_duplicate};
use crate::data::loader::{Lines, load_records};
use crate::data::records::{Record, RecordError, RecordSource};
use crate::data::weighting::weigh;
use crate::data::{LoadError, LoadOptions, LoadSummary, Response};
use crate::digest::Sha256;
use std::path::{Path, PathBuf};

/// Responses that can be read more than once, each read validated by the loader.
pub trait DataSet {
    /// What errors and the summary call it (a file's path, or a name such as
    /// `DataFrame`).
    fn name(&self) -> &Path;

    /// Reads every respondent, validated against `codebook`, into `each`.
    ///
    /// # Errors
    /// [`LoadError`] for a refused row, with its line, column and value.
    fn load(
        &self,
        codebook: &Codebook,
        options: LoadOptions,
        each: &mut dyn FnMut(&Response),
    ) -> Result<LoadSummary, LoadError>;

    /// Counts the respondents (after weighting them to the codebook's margins, when it
    /// has a `[weighting]`).
    ///
    /// # Errors
    /// [`LoadError`] for a refused row or weights that cannot be calibrated.
    fn tabulate(
        &self,
        codebook: &Codebook,
        options: LoadOptions,
    ) -> Result<(CountTable, LoadSummary), LoadError> {
        let name = self.name();
        let weights =
            one_sample(name, weigh(name, codebook, |each| self.load(codebook, options, each))?)?;
        let mut table = new_table(codebook, weights.as_ref());
        let mut summary = {
            let mut add = table.adder();
            self.load(codebook, options, &mut add)?
        };
        table.weight_scale = summary.weight_scale;
        summary.weighting.extend(weights.map(|w| w.summary));
        Ok((table, summary))
    }
}

/// A responses file as a [`DataSet`]: CSV, or converted from a workbook, Parquet, SPSS
/// or Stata file; counted by [`tabulate_file`] (on two threads when large).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponsesFile(pub PathBuf);

impl DataSet for ResponsesFile {
    fn name(&self) -> &Path {
        &self.0
    }

    fn load(
        &self,
        codebook: &Codebook,
        options: LoadOptions,
        each: &mut dyn FnMut(&Response),
    ) -> Result<LoadSummary, LoadError> {
        let path = &self.0;
        match crate::data::convert::open(path)? {
            Some(c) => crate::data::load(&c.csv, codebook, options, each)
                .map(|mut s| {
                    s.file = path.display().to_string();
                    s
                })
                .map_err(|e| c.locate(e, path)),
            None => crate::data::load(path, codebook, options, each),
        }
    }

    fn tabulate(
        &self,
        codebook: &Codebook,
        options: LoadOptions,
    ) -> Result<(CountTable, LoadSummary), LoadError> {
        tabulate_file(&self.0, codebook, options, None)
    }
}

/// Reads the records of a table in memory (its header record first, each row's record
/// starting at its row number) through the loader: the checks and messages of a CSV
/// file, with lines counted as in the table written as CSV (the header is line 1). A
/// repeated respondent id is refused naming the line of its second occurrence (or, once
/// the ids have spilled to disk, the id column alone). The summary's checksum is the
/// SHA-256 of the table's cells, header first, each cell followed by the byte 0x1F and
/// each record by 0x1E.
///
/// # Errors
/// [`LoadError`] for a refused row.
pub fn load_table<S: RecordSource>(
    source: &mut S,
    name: &Path,
    codebook: &Codebook,
    options: LoadOptions,
    each: &mut dyn FnMut(&Response),
) -> Result<LoadSummary, LoadError> {
    let mut ids = IdSet::with_limit(options.ids_in_memory);
    let mut hashed = Hashed { inner: source, hasher: Sha256::default() };
    let mut summary =
        load_records(&mut hashed, name, codebook, options, Lines::Rows, None, &mut ids, each)?;
    summary.sha256 = hashed.hasher.hex();
    let io = |cause| LoadError::Io { file: name.to_path_buf(), cause };
    if find_duplicate(vec![ids]).map_err(io)?.is_some() {
        return Err(LoadError::Format {
            file: name.to_path_buf(),
            message: format!(
                "column '{}': a respondent id appears more than once; expected each id once",
                codebook.id_column
            ),
        });
    }
    Ok(summary)
}

/// A record source whose records are hashed as they are read.
struct Hashed<'a, S> {
    inner: &'a mut S,
    hasher: Sha256,
}

impl<S: RecordSource> RecordSource for Hashed<'_, S> {
    fn read_record(&mut self, record: &mut Record) -> Result<bool, RecordError> {
        let more = self.inner.read_record(record)?;
        if more {
            for field in record.iter() {
                self.hasher.update(field);
                self.hasher.update(b"\x1f");
            }
            self.hasher.update(b"\x1e");
        }
        Ok(more)
    }
}
