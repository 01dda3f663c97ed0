//! A directory of speech recordings with ground truth (such as `../shared/media/speech/`):
//! which recording goes with which reference — a TextGrid or `.align` word alignment, a `.lab`
//! or `.txt` transcript, a line of a `file<TAB>text` table — and the spot checks some carry.

use super::references::{plain_text_transcript, read_reference_transcript, EvaluationTranscript};
use opusclip_core::{Error, Result, Word};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Extensions of the recordings looked for (audio, or video with an audio track).
pub const MEDIA_EXTENSIONS: [&str; 11] =
    ["flac", "wav", "mp3", "m4a", "ogg", "opus", "mpg", "mp4", "mkv", "mov", "webm"];
/// Extensions of hypothesis transcripts, in the order they are looked for.
pub const TRANSCRIPT_EXTENSIONS: [&str; 9] = ["json", "srt", "vtt", "ass", "ssa", "TextGrid", "align", "lab", "txt"];
/// Reference files beside a recording, best first: word alignments, then human text.
const REFERENCE_SUFFIXES: [&str; 5] = [".TextGrid", ".align", ".lab", ".reference.txt", ".txt"];

/// Where a recording's reference comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReferenceSource {
    /// A file read with [`read_reference_transcript`].
    File { path: PathBuf },
    /// A line of a `file<TAB>text` table (GRID's `transcripts_from_filename.tsv`).
    TableLine { table: PathBuf, text: String },
}

impl ReferenceSource {
    /// The reference words.
    pub fn load(&self) -> Result<EvaluationTranscript> {
        match self {
            ReferenceSource::File { path } => read_reference_transcript(path),
            ReferenceSource::TableLine { table, text } => {
                let transcript = plain_text_transcript(text);
                if transcript.words.is_empty() {
                    return Err(Error::transcript(format!("{} has an empty transcript line", table.display())));
                }
                Ok(transcript)
            }
        }
    }

    /// The file the reference is read from.
    pub fn path(&self) -> &Path {
        match self {
            ReferenceSource::File { path } => path,
            ReferenceSource::TableLine { table, .. } => table,
        }
    }
}

/// A word that must be recognised and span a moment (whisper's own test on `jfk.flac`: the
/// word "Americans" spans t = 1.8 s).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WordAtTime {
    /// The word, normalised (lower case, no punctuation).
    pub word: String,
    /// Seconds.
    pub at: f64,
}

/// The spot checks known for recordings, by file stem.
const KNOWN_WORD_CHECKS: [(&str, &str, f64); 1] = [("jfk", "americans", 1.8)];

/// One recording and its ground truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationItem {
    /// Path of the recording relative to the dataset directory, without extension
    /// (`mfa/acoustic_corpus`): the name a hypothesis file is looked up by.
    pub name: String,
    pub media: PathBuf,
    pub reference: ReferenceSource,
    pub word_checks: Vec<WordAtTime>,
}

/// What a scan of a dataset directory found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DatasetScan {
    pub items: Vec<EvaluationItem>,
    /// Recordings without a transcript reference (e.g. speaker turns only), with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Finds every recording under `directory` (recursively, in name order) and its reference.
pub fn scan_dataset(directory: &Path) -> Result<DatasetScan> {
    if !directory.is_dir() {
        return Err(Error::invalid_input(format!(
            "{} is not a directory: give the directory of recordings and references (e.g. ../shared/media/speech)",
            directory.display()
        )));
    }
    let mut scan = DatasetScan::default();
    for folder in folders_under(directory)? {
        scan_folder(directory, &folder, &mut scan)?;
    }
    Ok(scan)
}

fn folders_under(directory: &Path) -> Result<Vec<PathBuf>> {
    let mut folders = vec![directory.to_path_buf()];
    let mut index = 0;
    while index < folders.len() {
        let mut children: Vec<PathBuf> = list(&folders[index])?.into_iter().filter(|path| path.is_dir()).collect();
        children.sort();
        folders.extend(children);
        index += 1;
    }
    Ok(folders)
}

fn list(folder: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(folder).map_err(|source| Error::io("list", folder, source))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
    paths.sort();
    Ok(paths)
}

fn scan_folder(root: &Path, folder: &Path, scan: &mut DatasetScan) -> Result<()> {
    let files: Vec<PathBuf> = list(folder)?.into_iter().filter(|path| path.is_file()).collect();
    let table = table_lines(&files)?;
    for media in files.iter().filter(|path| has_extension(path, &MEDIA_EXTENSIONS)) {
        let stem = file_stem(media);
        let file_name = media.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        let reference = reference_file(&files, &stem).map(|path| ReferenceSource::File { path }).or_else(|| {
            table
                .get(file_name)
                .map(|(table, text)| ReferenceSource::TableLine { table: table.clone(), text: text.clone() })
        });
        let Some(reference) = reference else {
            scan.skipped.push((media.clone(), "no transcript or word alignment beside it".to_string()));
            continue;
        };
        let relative = media.strip_prefix(root).unwrap_or(media).with_extension("");
        let word_checks = KNOWN_WORD_CHECKS
            .iter()
            .filter(|(known_stem, _, _)| *known_stem == stem)
            .map(|(_, word, at)| WordAtTime { word: word.to_string(), at: *at })
            .collect();
        scan.items.push(EvaluationItem {
            name: relative.to_string_lossy().replace('\\', "/"),
            media: media.clone(),
            reference,
            word_checks,
        });
    }
    Ok(())
}

/// The best reference file for a recording stem: `STEM.TextGrid`, `STEM.align` (or `X.align`
/// when the stem ends in `_X`, as GRID's `id2_vcd_swwp2s` does), `STEM.lab`, `STEM.reference.txt`,
/// `STEM.txt`.
fn reference_file(files: &[PathBuf], stem: &str) -> Option<PathBuf> {
    let named = |name: &str| files.iter().find(|path| path.file_name().and_then(|n| n.to_str()) == Some(name)).cloned();
    let stems: Vec<&str> = std::iter::once(stem).chain(stem.rsplit_once('_').map(|(_, last)| last)).collect();
    for suffix in REFERENCE_SUFFIXES {
        for candidate in &stems {
            if let Some(found) = named(&format!("{candidate}{suffix}")) {
                return Some(found);
            }
        }
    }
    None
}

/// `file name → (table, text)` from every `.tsv` beside the recordings.
fn table_lines(files: &[PathBuf]) -> Result<BTreeMap<String, (PathBuf, String)>> {
    let mut lines = BTreeMap::new();
    for table in files.iter().filter(|path| has_extension(path, &["tsv"])) {
        let text = std::fs::read_to_string(table).map_err(|source| Error::io("read", table, source))?;
        for line in text.lines() {
            if let Some((file, transcript)) = line.split_once('\t') {
                lines.insert(file.trim().to_string(), (table.clone(), transcript.trim().to_string()));
            }
        }
    }
    Ok(lines)
}

/// The hypothesis transcript for `item` in `directory`: `NAME.EXT` (the item's relative path)
/// or `STEM.EXT` directly in `directory`, for EXT in [`TRANSCRIPT_EXTENSIONS`].
pub fn find_hypothesis(directory: &Path, item: &EvaluationItem) -> Option<PathBuf> {
    let stem = file_stem(&item.media);
    let bases = [directory.join(&item.name), directory.join(&stem)];
    bases
        .iter()
        .flat_map(|base| {
            TRANSCRIPT_EXTENSIONS.iter().map(move |extension| {
                let mut path = base.clone().into_os_string();
                path.push(".");
                path.push(extension);
                PathBuf::from(path)
            })
        })
        .find(|path| path.is_file())
}

/// Where a spot-check word was found, if it was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WordCheckOutcome {
    pub check: WordAtTime,
    /// The first recognised word that normalises to the check's word: its start and end.
    pub found: Option<(f64, f64)>,
    /// Whether any such word spans the moment.
    pub passed: bool,
}

/// Runs a spot check on hypothesis words.
pub fn check_word_at_time(words: &[Word], check: &WordAtTime) -> WordCheckOutcome {
    let matching: Vec<&Word> =
        words.iter().filter(|word| super::normalize_text(&word.text).contains(&check.word)).collect();
    let passed = matching.iter().any(|word| word.start <= check.at && check.at <= word.end);
    WordCheckOutcome { check: check.clone(), found: matching.first().map(|word| (word.start, word.end)), passed }
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| extensions.iter().any(|known| known.eq_ignore_ascii_case(extension)))
}

fn file_stem(path: &Path) -> String {
    path.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn recordings_find_their_references() {
        let directory = tempfile::tempdir().expect("temp dir");
        let root = directory.path();
        touch(&root.join("jfk/jfk.flac"), "");
        touch(&root.join("jfk/jfk.reference.txt"), "And so my fellow Americans");
        touch(&root.join("grid/id2_vcd_swwp2s.mpg"), "");
        touch(&root.join("grid/swwp2s.align"), "0 100 sil\n100 200 set\n");
        touch(&root.join("grid/bbaf2n.mpg"), "");
        touch(&root.join("grid/table.tsv"), "bbaf2n.mpg\tbin blue at f two now\n");
        touch(&root.join("mfa/a.wav"), "");
        touch(&root.join("mfa/a.lab"), "text only");
        touch(&root.join("mfa/a.TextGrid"), "aligned");
        touch(&root.join("ami/x.wav"), "");
        let scan = scan_dataset(root).expect("scans");
        let found: Vec<(&str, &Path)> =
            scan.items.iter().map(|item| (item.name.as_str(), item.reference.path())).collect();
        assert_eq!(
            found,
            [
                ("grid/bbaf2n", root.join("grid/table.tsv").as_path()),
                ("grid/id2_vcd_swwp2s", root.join("grid/swwp2s.align").as_path()),
                ("jfk/jfk", root.join("jfk/jfk.reference.txt").as_path()),
                ("mfa/a", root.join("mfa/a.TextGrid").as_path()),
            ]
        );
        assert_eq!(scan.skipped.len(), 1);
        assert_eq!(scan.items[2].word_checks, [WordAtTime { word: "americans".into(), at: 1.8 }]);
        let grid_text = scan.items[0].reference.load().expect("table line");
        assert_eq!(grid_text.words.len(), 6);

        let hypotheses = tempfile::tempdir().expect("temp dir");
        touch(&hypotheses.path().join("mfa/a.srt"), "");
        touch(&hypotheses.path().join("jfk.json"), "");
        assert_eq!(find_hypothesis(hypotheses.path(), &scan.items[3]), Some(hypotheses.path().join("mfa/a.srt")));
        assert_eq!(find_hypothesis(hypotheses.path(), &scan.items[2]), Some(hypotheses.path().join("jfk.json")));
        assert_eq!(find_hypothesis(hypotheses.path(), &scan.items[0]), None);
    }

    #[test]
    fn the_word_check_needs_the_word_to_span_the_moment() {
        let word =
            |text: &str, start: f64, end: f64| Word { text: text.into(), start, end, confidence: 1.0, speaker: None };
        let check = WordAtTime { word: "americans".into(), at: 1.8 };
        let spanning = check_word_at_time(&[word("fellow", 1.0, 1.3), word("Americans,", 1.3, 2.0)], &check);
        assert!(spanning.passed);
        assert_eq!(spanning.found, Some((1.3, 2.0)));
        let early = check_word_at_time(&[word("Americans", 0.5, 1.0)], &check);
        assert!(!early.passed && early.found.is_some());
        assert!(check_word_at_time(&[], &check).found.is_none());
        assert!(scan_dataset(Path::new("/nonexistent/speech")).is_err());
    }
}
