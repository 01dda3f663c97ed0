// Video-OpusClip clip editor (a <dialog>): the clip's ClipSpec (clip-NN.json, read through its
// signed link) is edited in place — start and end moved to word boundaries (the spec carries
// the words around the clip too), caption words fixed or deleted (editor-cuts.js), caption style,
// aspect and title chosen —
// and sent to POST /api/jobs/{id}/render. The source plays in a preview with the output's crop
// box and the styled caption line over it (editor-preview.js), on a timeline whose in and out
// handles snap to words; every edit can be undone. The render job is followed live and its new
// file shown: the same renderer made it, so the rendered file is the export. Uses app.js.
"use strict";

const SIZES = { "9:16": [1080, 1920], "1:1": [1080, 1080], "4:5": [1080, 1350], "16:9": [1920, 1080] };
const LOOK_FIELDS = ["enabled", "font_size", "text_color", "highlight_color", "outline_color", "outline", "highlight_scale", "max_lines", "uppercase"];
// The caption looks by name ({label, look}), in order: the server's table (opusclip-core's
// caption presets, the same names as `--caption-style`), embedded in the page as JSON.
const STYLES = Object.fromEntries(JSON.parse(byId("caption-styles").textContent).map((p) => [p.name, p]));

const editor = { jobId: null, spec: null, original: null, first: 0, last: 0, selected: -1, saved: null, past: [], future: [] };
const EPSILON = 0.01;

function clamp(value, low, high) {
  return Math.max(low, Math.min(high, value));
}

// Words inside [start, end]: the first and last index (the spec's words are in time order).
function clipWordRange(spec) {
  let first = spec.words.findIndex((w) => w.end > spec.start + EPSILON);
  if (first < 0) first = 0;
  let last = first;
  spec.words.forEach((w, i) => {
    if (w.start < spec.end - EPSILON) last = i;
  });
  return [first, Math.max(first, last)];
}

// The style preset this look matches, or "" (as rendered).
function styleName(style) {
  for (const [name, preset] of Object.entries(STYLES)) {
    if (!style.enabled && !preset.look.enabled) return name;
    if (style.enabled && preset.look.enabled && LOOK_FIELDS.every((f) => style[f] === preset.look[f])) return name;
  }
  return "";
}

// One output of `label` from the clip's first output: the crop window keeps the centre it had
// (the subject the reframer followed), at the largest size of the new shape that fits.
function reaspect(spec, label) {
  const kept = spec.outputs.find((o) => o.aspect === label);
  if (kept) return [kept];
  const first = spec.outputs[0];
  const [width, height] = SIZES[label];
  const W = spec.source.display_width;
  const H = spec.source.display_height;
  if (first.layout === "blur_fit") return [{ aspect: label, width, height, layout: "blur_fit", crop_keyframes: first.crop_keyframes }];
  const ratio = width / height;
  const w = Math.floor(Math.min(W, H * ratio) / 2) * 2;
  const h = Math.floor(w / ratio / 2) * 2;
  const crop_keyframes = first.crop_keyframes.map((k) => {
    const cx = k.x + k.w / 2;
    const cy = k.y + k.h / 2;
    return { t: k.t, x: Math.round(clamp(cx - w / 2, 0, W - w)), y: Math.round(clamp(cy - h / 2, 0, H - h)), w, h };
  });
  return [{ aspect: label, width, height, layout: "track", crop_keyframes }];
}

function spanText() {
  const spec = editor.spec;
  const words = spec.words;
  const quote = (i) => (words[i] ? "“" + words[i].text + "”" : "");
  const span = spec.end - spec.start;
  const played = window.playedSeconds();
  const cuts = window.editorCuts().length;
  const cutText = cuts ? ", " + played.toFixed(1) + " s after " + cuts + (cuts === 1 ? " cut" : " cuts") : "";
  return "Starts " + spec.start.toFixed(2) + " s at " + quote(editor.first) + ", ends " + spec.end.toFixed(2) + " s after " + quote(editor.last) + " — " + span.toFixed(1) + " s" + cutText;
}

function drawWords() {
  const box = byId("editor-words");
  box.replaceChildren();
  editor.spec.words.forEach((word, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "word";
    button.dataset.index = index;
    button.textContent = word.text;
    button.title = word.start.toFixed(2) + "–" + word.end.toFixed(2) + " s";
    if (index < editor.first || index > editor.last) button.classList.add("outside");
    if (index === editor.first) button.classList.add("first");
    if (index === editor.last) button.classList.add("last");
    if (index === editor.selected) button.classList.add("selected");
    if (editor.original && word.text !== editor.original[index]) button.classList.add("changed");
    if (window.isDeleted(index)) {
      button.classList.add("deleted");
      button.title += " — deleted (click in delete mode, or Del, to restore)";
    }
    button.setAttribute("aria-pressed", index === editor.selected ? "true" : "false");
    button.addEventListener("click", () => pickWord(index));
    box.append(button);
    const gap = window.gapButton(index);
    if (gap) box.append(gap);
  });
  byId("editor-span").textContent = spanText();
  byId("delete-word").textContent = window.isDeleted(editor.selected) ? "Restore word (Del)" : "Delete word (Del)";
  window.drawTimeline();
}

function setStart(index) {
  if (index < 0 || index > editor.last) return;
  editor.first = index;
  editor.spec.start = Math.max(0, editor.spec.words[index].start);
  drawWords();
}

function setEnd(index) {
  if (index >= editor.spec.words.length || index < editor.first) return;
  editor.last = index;
  editor.spec.end = editor.spec.words[index].end;
  drawWords();
}

// ---- Undo: every committed edit keeps the state before it. ----

function editorSnapshot() {
  return JSON.stringify({
    spec: editor.spec, first: editor.first, last: editor.last, deleted: editor.deleted, gaps: editor.deletedGaps,
    title: byId("edit-title").value, style: byId("edit-style").value, aspect: byId("edit-aspect").value,
    layout: byId("edit-layout").value, position: byId("edit-position").value,
  });
}

function restoreSnapshot(text) {
  const state = JSON.parse(text);
  editor.spec = state.spec;
  editor.first = state.first;
  editor.last = state.last;
  editor.deleted = state.deleted;
  editor.deletedGaps = state.gaps;
  byId("edit-title").value = state.title;
  byId("edit-style").value = state.style;
  byId("edit-aspect").value = state.aspect;
  byId("edit-layout").value = state.layout;
  byId("edit-position").value = state.position;
  drawWords();
}

function updateUndoButtons() {
  byId("undo-edit").disabled = editor.past.length === 0;
  byId("redo-edit").disabled = editor.future.length === 0;
}

// Record the state now as one edit (no-op when nothing changed since the last one).
function commitEdit() {
  if (!editor.spec) return;
  const now = editorSnapshot();
  if (now === editor.saved) return;
  if (editor.saved !== null) editor.past.push(editor.saved);
  if (editor.past.length > 200) editor.past.shift();
  editor.saved = now;
  editor.future = [];
  updateUndoButtons();
}

function undoEdit() {
  if (!editor.past.length) return;
  editor.future.push(editor.saved);
  editor.saved = editor.past.pop();
  restoreSnapshot(editor.saved);
  updateUndoButtons();
}

function redoEdit() {
  if (!editor.future.length) return;
  editor.past.push(editor.saved);
  editor.saved = editor.future.pop();
  restoreSnapshot(editor.saved);
  updateUndoButtons();
}

function pickWord(index) {
  const mode = (document.querySelector('input[name="word-mode"]:checked') || {}).value;
  if (mode === "start") {
    setStart(index);
    return commitEdit();
  }
  if (mode === "end") {
    setEnd(index);
    return commitEdit();
  }
  if (mode === "delete") return window.toggleWordDeleted(index);
  window.previewSeek(editor.spec.words[index].start);
  editor.selected = index;
  const input = byId("word-text");
  input.disabled = false;
  byId("apply-word").disabled = false;
  byId("delete-word").disabled = false;
  input.value = editor.spec.words[index].text;
  drawWords();
  input.focus();
  input.select();
}

function applyWord() {
  const text = byId("word-text").value.trim();
  if (editor.selected < 0) return;
  if (!text) return showError(byId("render-error"), "A caption word cannot be empty: type the word as it should read.");
  showError(byId("render-error"), "");
  editor.spec.words[editor.selected].text = text;
  drawWords();
  commitEdit();
  const button = byId("editor-words").querySelector('[data-index="' + editor.selected + '"]');
  if (button) button.focus();
}

function resetRenderArea() {
  byId("render-progress").value = 0;
  byId("render-progress").classList.add("idle");
  byId("render-percent").textContent = "";
  showError(byId("render-error"), "");
  byId("render-result").hidden = true;
  byId("render-video").removeAttribute("src");
}

window.openEditor = async function openEditor(jobId, clip) {
  const dialog = byId("editor");
  resetRenderArea();
  byId("editor-heading").textContent = "Edit clip #" + clip.rank + " — " + (clip.title || clip.id);
  byId("editor-words").replaceChildren();
  byId("render-button").disabled = true;
  if (!dialog.open) dialog.showModal();
  try {
    const fresh = await fetchManifest(jobId); // its signed links are new, whatever the page's age
    const response = await fetch(fresh.file_urls[clip.spec]);
    if (!response.ok) throw await readError(response);
    const spec = await response.json();
    editor.jobId = jobId;
    editor.spec = spec;
    editor.original = spec.words.map((w) => w.text);
    editor.selected = -1;
    [editor.first, editor.last] = clipWordRange(spec);
    window.cutsFromSpec(spec);
    byId("delete-word").disabled = true;
    byId("word-text").value = "";
    byId("word-text").disabled = true;
    byId("apply-word").disabled = true;
    byId("edit-title").value = spec.title || "";
    const style = byId("edit-style");
    style.replaceChildren();
    const current = styleName(spec.caption_style);
    if (!current) style.append(new Option("As rendered", ""));
    for (const [name, preset] of Object.entries(STYLES)) style.append(new Option(preset.label, name));
    style.value = current;
    byId("edit-aspect").value = spec.outputs[0].aspect;
    editor.past = [];
    editor.future = [];
    editor.saved = editorSnapshot();
    updateUndoButtons();
    window.openPreview(fresh.source_url, spec);
    drawWords();
    byId("render-button").disabled = false;
  } catch (error) {
    showError(byId("render-error"), "The clip could not be opened for editing: " + error.message);
  }
};

// The spec as edited, ready to send.
// The caption style as edited: the chosen look over the spec's, at the chosen position (also
// what the preview draws, without copying the spec).
function editedStyle() {
  const preset = STYLES[byId("edit-style").value];
  const style = preset ? { ...editor.spec.caption_style, ...preset.look, enabled: preset.look.enabled } : { ...editor.spec.caption_style };
  style.position = byId("edit-position").value;
  return style;
}

function editedSpec() {
  const spec = JSON.parse(JSON.stringify(editor.spec));
  spec.title = byId("edit-title").value.trim();
  spec.caption_style = editedStyle();
  // Every aspect of the clip re-renders; the chosen one comes first (the main file, and the one
  // previewed), added from the first output's crop centres when the clip lacked it.
  const kept = window.keptRanges();
  if (kept.length) spec.kept_ranges = kept;
  else delete spec.kept_ranges;
  const aspect = byId("edit-aspect").value;
  const chosen = reaspect(spec, aspect);
  spec.outputs = chosen.concat(spec.outputs.filter((o) => o.aspect !== aspect));
  return spec;
}

async function render() {
  const button = byId("render-button");
  resetRenderArea();
  if (!editor.spec) return;
  if (window.playedSeconds() <= 0) return showError(byId("render-error"), "Every word of the clip is deleted: restore some (click them again) before re-rendering.");
  button.disabled = true;
  const bar = byId("render-progress");
  bar.classList.remove("idle");
  byId("render-percent").textContent = "Sending the edit…";
  try {
    const response = await api(jobPath(editor.jobId) + "/render", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(editedSpec()),
    });
    const job = await response.json();
    const parent = jobElement(editor.jobId);
    const element = addJob({ ...job, name: (byId("edit-title").value.trim() || "clip") + " (edited)" }, true);
    if (parent && element !== parent) parent.before(element);
    const status = await followJob(job.id, (s) => {
      bar.value = Number(s.percent) || 0;
      byId("render-percent").textContent = statusText(s) || s.state;
    });
    if (!status || status.state !== "succeeded") {
      const why = status && status.error ? explain(status.error, 0) : "The render did not finish (" + (status ? status.state : "unknown") + ").";
      throw new Error(why);
    }
    const manifest = await fetchManifest(job.id);
    byId("render-result").hidden = false;
    byId("render-result").dataset.job = job.id;
    const output = (manifest.outputs || [])[0];
    if (output) byId("render-result").querySelector(".clip-frame").style.aspectRatio = output.width + " / " + output.height;
    fillRendered(byId("render-video"), byId("render-downloads"), job.id, manifest);
    byId("render-percent").textContent = "Done: the new file is below and in the job list.";
  } catch (error) {
    showError(byId("render-error"), "The re-render failed. " + error.message);
    bar.classList.add("idle");
  } finally {
    button.disabled = false;
  }
}

function nudge(which, step) {
  if (!editor.spec) return;
  if (which === "start") setStart(editor.first + step);
  else setEnd(editor.last + step);
  commitEdit();
}

byId("apply-word").addEventListener("click", applyWord);
byId("word-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    applyWord();
  }
});
byId("render-button").addEventListener("click", render);
byId("start-earlier").addEventListener("click", () => nudge("start", -1));
byId("start-later").addEventListener("click", () => nudge("start", 1));
byId("end-earlier").addEventListener("click", () => nudge("end", -1));
byId("end-later").addEventListener("click", () => nudge("end", 1));
byId("editor").addEventListener("close", () => {
  byId("render-video").pause();
  byId("editor-video").pause();
});
for (const id of ["edit-title", "edit-style", "edit-position"]) byId(id).addEventListener("change", commitEdit);
byId("undo-edit").addEventListener("click", undoEdit);
byId("redo-edit").addEventListener("click", redoEdit);
// Keys while the editor is open (not while typing in a field): Space, I, O, Delete, Ctrl+Z, Ctrl+Y.
byId("editor").addEventListener("keydown", (event) => {
  if (!editor.spec) return;
  const typing = event.target.matches("input, select, textarea");
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z" && !typing) {
    event.preventDefault();
    return event.shiftKey ? redoEdit() : undoEdit();
  }
  if ((event.ctrlKey || event.metaKey) && key === "y" && !typing) {
    event.preventDefault();
    return redoEdit();
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if ((key === "delete" || key === "backspace") && editor.selected >= 0) {
    event.preventDefault();
    window.toggleWordDeleted(editor.selected);
  } else if (key === " " && !event.target.matches("button")) {
    event.preventDefault();
    window.previewToggle();
  } else if (key === "i" || key === "o") {
    event.preventDefault();
    const at = window.previewTime();
    if (key === "i") setStart(nearestWord(at, "start", 0, editor.last));
    else setEnd(nearestWord(at, "end", editor.first, editor.spec.words.length - 1));
    commitEdit();
  }
});

// The word in [low, high] whose start (or end) is nearest `t`.
function nearestWord(t, edge, low, high) {
  let best = low;
  for (let i = low; i <= high; i++) {
    if (Math.abs(editor.spec.words[i][edge] - t) < Math.abs(editor.spec.words[best][edge] - t)) best = i;
  }
  return best;
}
