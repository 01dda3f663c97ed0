// Jump cuts in the clip editor: words and pauses deleted (and restored) by clicking them, the
// Delete key or the "Delete word" button. A deleted word takes the gap beside it down to a short
// breath; a deleted pause keeps 0.05 s of it on each side. What stays is sent as the spec's
// `kept_ranges` (what `--cut-pauses` writes too, and what the editor opens with), the preview
// skips what was cut and the timeline hatches it. Uses editor.js (the `editor` state) and
// editor-preview.js (`previewSeek`).
"use strict";

// Seconds of the gap left beside a cut, and the shortest stretch worth keeping (the server
// refuses kept ranges under 0.1 s) or pause worth showing.
const CUT_PAD = 0.05;
const SHORTEST_KEPT = 0.1;
const SHORTEST_PAUSE = 0.3;

editor.deleted = [];
editor.deletedGaps = [];

// Whether `t` lies in one of `ranges` ({start, end}).
function within(ranges, t) {
  return ranges.some((range) => t >= range.start && t <= range.end);
}

// The deleted words and pauses a spec's kept_ranges imply: a word (or pause between two words)
// inside the clip whose middle is not kept.
window.cutsFromSpec = (spec) => {
  editor.deleted = [];
  editor.deletedGaps = [];
  const kept = spec.kept_ranges || [];
  if (!kept.length) return;
  const inClip = (t) => t > spec.start && t < spec.end;
  spec.words.forEach((word, index) => {
    const middle = (word.start + word.end) / 2;
    if (inClip(middle) && !within(kept, middle)) editor.deleted.push(index);
  });
  spec.words.forEach((word, index) => {
    const next = spec.words[index + 1];
    if (!next || editor.deleted.includes(index) || editor.deleted.includes(index + 1)) return;
    const middle = (word.end + next.start) / 2;
    if (next.start - word.end >= SHORTEST_PAUSE && inClip(middle) && !within(kept, middle)) editor.deletedGaps.push(index);
  });
};

// The stretches cut out, source seconds, in order and merged.
window.editorCuts = () => {
  const spec = editor.spec;
  const words = spec.words;
  const cuts = [];
  for (const index of editor.deleted) {
    if (index < editor.first || index > editor.last) continue;
    const word = words[index];
    // Into the gaps beside it, leaving a breath where a gap is long enough to have one; the
    // clip's first (last) word takes everything before (after) it.
    const before = index > editor.first ? words[index - 1].end : null;
    const after = index < editor.last ? words[index + 1].start : null;
    const start = before === null ? spec.start : word.start - before > 2 * CUT_PAD ? before + CUT_PAD : word.start;
    const end = after === null ? spec.end : after - word.end > 2 * CUT_PAD ? after - CUT_PAD : word.end;
    cuts.push({ start, end });
  }
  for (const index of editor.deletedGaps) {
    if (index < editor.first || index >= editor.last) continue;
    const start = words[index].end + CUT_PAD;
    const end = words[index + 1].start - CUT_PAD;
    if (end - start >= SHORTEST_KEPT) cuts.push({ start, end });
  }
  cuts.sort((a, b) => a.start - b.start);
  const merged = [];
  for (const cut of cuts) {
    const last = merged[merged.length - 1];
    if (last && cut.start <= last.end + SHORTEST_KEPT) last.end = Math.max(last.end, cut.end);
    else merged.push({ ...cut });
  }
  return merged;
};

// What the clip keeps around the cuts: [] when nothing is cut (the whole span plays).
window.keptRanges = () => {
  const spec = editor.spec;
  const cuts = window.editorCuts();
  if (!cuts.length) return [];
  const kept = [];
  let from = spec.start;
  for (const cut of cuts) {
    if (cut.start - from >= SHORTEST_KEPT) kept.push({ start: from, end: cut.start });
    from = Math.max(from, cut.end);
  }
  if (spec.end - from >= SHORTEST_KEPT) kept.push({ start: from, end: spec.end });
  return kept;
};

// Seconds the clip plays after its cuts.
window.playedSeconds = () => {
  const kept = window.keptRanges();
  if (!kept.length && window.editorCuts().length) return 0;
  if (!kept.length) return editor.spec.end - editor.spec.start;
  return kept.reduce((sum, range) => sum + range.end - range.start, 0);
};

window.isDeleted = (index) => editor.deleted.includes(index);
window.isGapDeleted = (index) => editor.deletedGaps.includes(index);

function toggle(list, index) {
  const at = list.indexOf(index);
  if (at >= 0) list.splice(at, 1);
  else list.push(index);
  list.sort((a, b) => a - b);
}

// Delete the word at `index`, or restore it; one edit.
window.toggleWordDeleted = (index) => {
  if (index < 0 || index >= editor.spec.words.length) return;
  toggle(editor.deleted, index);
  drawWords();
  commitEdit();
};

// Delete the pause after word `index`, or restore it; one edit.
window.toggleGapDeleted = (index) => {
  toggle(editor.deletedGaps, index);
  drawWords();
  commitEdit();
};

// A button for the pause after word `index` when it is long enough to cut, else null.
window.gapButton = (index) => {
  const words = editor.spec.words;
  const next = words[index + 1];
  if (!next || index < editor.first || index >= editor.last) return null;
  const seconds = next.start - words[index].end;
  if (seconds < SHORTEST_PAUSE) return null;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "gap";
  button.dataset.gap = index;
  button.textContent = "⏸ " + seconds.toFixed(1) + " s";
  const deleted = window.isGapDeleted(index);
  if (deleted) button.classList.add("deleted");
  button.setAttribute("aria-pressed", deleted ? "true" : "false");
  button.title = (deleted ? "Restore" : "Cut") + " this pause";
  button.addEventListener("click", () => window.toggleGapDeleted(index));
  return button;
};

// The cuts hatched over the timeline.
window.drawTimelineCuts = (toPercent) => {
  const box = byId("timeline-cuts");
  box.replaceChildren();
  for (const cut of window.editorCuts()) {
    const span = document.createElement("span");
    span.className = "timeline-cut";
    span.style.left = toPercent(cut.start) + "%";
    span.style.width = Math.max(0.2, toPercent(cut.end) - toPercent(cut.start)) + "%";
    box.append(span);
  }
};

// While playing, jump over a cut the playhead enters.
window.skipCuts = (video) => {
  if (video.paused) return;
  const cut = window.editorCuts().find((c) => video.currentTime >= c.start && video.currentTime < c.end - 0.02);
  if (cut) video.currentTime = cut.end;
};

byId("delete-word").addEventListener("click", () => window.toggleWordDeleted(editor.selected));
