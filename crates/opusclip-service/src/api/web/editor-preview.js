// The editor's preview and timeline: the job's source plays (through its signed link) from the
// clip's start to its end, with the chosen output's crop box over it — where the crop is at that
// moment, following the spec's keyframes — and the caption line styled as the spec says (the
// spoken word in its highlight colour) inside the box. Below, a timeline of the source around
// the clip: the words as ticks, the clip as a band whose in and out handles drag and snap to
// word starts and ends (committed as one edit when released), and the playhead. The crop box
// drags (or moves with the arrow keys) to reframe the chosen aspect: every keyframe of its path
// shifts by the same amount, inside the picture; the layout of an aspect can switch between a
// crop and the whole picture on a blur. Uses editor.js.
"use strict";

const preview = { window: [0, 1], dragging: null, playing: false, moving: null };

function previewVideo() {
  return byId("editor-video");
}

window.previewTime = () => previewVideo().currentTime || editor.spec.start;

window.previewSeek = (t) => {
  const video = previewVideo();
  if (video.src) video.currentTime = Math.max(0, t);
  drawOverlay();
};

// Play from the start (or from where it stands inside the clip); stop and rewind at the end.
window.previewToggle = () => {
  const video = previewVideo();
  if (!video.src) return;
  if (!video.paused) return video.pause();
  if (video.currentTime < editor.spec.start - 0.05 || video.currentTime >= editor.spec.end - 0.05) video.currentTime = editor.spec.start;
  video.play().catch(() => {});
};

window.openPreview = (url, spec) => {
  const video = previewVideo();
  const box = byId("editor-preview");
  const words = spec.words;
  const low = Math.min(spec.start, words.length ? words[0].start : spec.start);
  const high = Math.max(spec.end, words.length ? words[words.length - 1].end : spec.end);
  preview.window = [Math.max(0, low - 0.5), high + 0.5];
  drawTimelineWords(spec);
  if (!url) {
    video.removeAttribute("src");
    box.hidden = true;
    byId("preview-time").textContent = "This job's source is not kept (a URL job): trim on the timeline and the words.";
    return;
  }
  box.hidden = false;
  video.src = url;
  video.addEventListener("loadedmetadata", () => { video.currentTime = editor.spec.start; drawOverlay(); }, { once: true });
};

function toPercent(t) {
  const [low, high] = preview.window;
  return (100 * (t - low)) / Math.max(0.001, high - low);
}

function timeAt(clientX) {
  const rect = byId("timeline").getBoundingClientRect();
  const [low, high] = preview.window;
  return low + ((clientX - rect.left) / Math.max(1, rect.width)) * (high - low);
}

function drawTimelineWords(spec) {
  const box = byId("timeline-words");
  box.replaceChildren();
  for (const word of spec.words) {
    const tick = document.createElement("span");
    tick.style.left = toPercent(word.start) + "%";
    tick.style.width = Math.max(0.2, toPercent(word.end) - toPercent(word.start)) + "%";
    tick.textContent = word.text;
    tick.title = word.text + " " + word.start.toFixed(2) + "–" + word.end.toFixed(2) + " s";
    box.append(tick);
  }
}

window.drawTimeline = () => {
  if (!editor.spec) return;
  const band = byId("timeline-clip");
  band.style.left = toPercent(editor.spec.start) + "%";
  band.style.width = toPercent(editor.spec.end) - toPercent(editor.spec.start) + "%";
  byId("handle-in").setAttribute("aria-valuetext", editor.spec.start.toFixed(2) + " s");
  byId("handle-out").setAttribute("aria-valuetext", editor.spec.end.toFixed(2) + " s");
  window.drawTimelineCuts(toPercent);
  drawOverlay();
};

// The crop window of `keyframes` at clip time `t` (linear between keyframes, held at the ends).
function cropAt(keyframes, t) {
  if (!keyframes.length) return null;
  if (t <= keyframes[0].t) return keyframes[0];
  for (let i = 1; i < keyframes.length; i++) {
    const [a, b] = [keyframes[i - 1], keyframes[i]];
    if (t <= b.t) {
      const share = b.t > a.t ? (t - a.t) / (b.t - a.t) : 1;
      const mix = (key) => a[key] + (b[key] - a[key]) * share;
      return { x: mix("x"), y: mix("y"), w: mix("w"), h: mix("h") };
    }
  }
  return keyframes[keyframes.length - 1];
}

// The output the editor would render for the chosen aspect (see editedSpec in editor.js).
function chosenOutput() {
  const aspect = byId("edit-aspect").value;
  return editor.spec.outputs.find((o) => o.aspect === aspect) || reaspect(editor.spec, aspect)[0];
}

function drawOverlay() {
  if (!editor.spec) return;
  const video = previewVideo();
  const t = video.src ? video.currentTime : editor.spec.start;
  byId("playhead").style.left = toPercent(t) + "%";
  if (video.src) byId("preview-time").textContent = t.toFixed(2) + " s (clip " + editor.spec.start.toFixed(2) + "–" + editor.spec.end.toFixed(2) + " s)";
  const cropBox = byId("crop-box");
  const output = chosenOutput();
  const width = editor.spec.source.display_width;
  const height = editor.spec.source.display_height;
  if (!video.src || !video.videoWidth || !output || output.layout === "audiogram") {
    cropBox.hidden = true;
    return;
  }
  // Where the picture is drawn inside the <video> element (letterboxed to fit).
  const scale = Math.min(video.clientWidth / width, video.clientHeight / height);
  const left = video.offsetLeft + (video.clientWidth - width * scale) / 2;
  const top = video.offsetTop + (video.clientHeight - height * scale) / 2;
  const crop = output.layout === "blur_fit" ? { x: 0, y: 0, w: width, h: height } : cropAt(output.crop_keyframes, t - editor.spec.start);
  if (!crop) return;
  preview.scale = scale;
  cropBox.hidden = false;
  cropBox.classList.toggle("movable", output.layout === "track");
  cropBox.style.left = left + crop.x * scale + "px";
  cropBox.style.top = top + crop.y * scale + "px";
  cropBox.style.width = crop.w * scale + "px";
  cropBox.style.height = crop.h * scale + "px";
  drawCaption(t);
}

// The caption line at `t`: up to five words around the spoken one, in the spec's colours.
function drawCaption(t) {
  const line = byId("caption-preview");
  const style = editedStyle();
  const spec = editor.spec;
  line.replaceChildren();
  if (!style.enabled || t < spec.start || t > spec.end) return;
  const inside = spec.words.map((w, i) => [w, i]).filter(([w, i]) => w.end > spec.start && w.start < spec.end && !window.isDeleted(i));
  // The spoken word; between words (or before the first) the line around the next one, unlit.
  const spoken = inside.findIndex(([w]) => w.start <= t && t < w.end);
  let anchor = spoken;
  if (anchor < 0) {
    const next = inside.findIndex(([w]) => w.start > t);
    anchor = next < 0 ? inside.length - 1 : next;
  }
  if (anchor < 0) return;
  const from = Math.max(0, anchor - 2);
  // Where the block sits in the output frame: as asked, or (auto) where it usually lands; the
  // renderer moves an auto block off any face it would cover.
  line.style.top = { top: "12%", middle: "44%", bottom: "76%" }[style.position] || (style.position.endsWith("%") ? style.position : "66%");
  line.style.color = "#" + style.text_color;
  line.style.setProperty("--spoken", "#" + style.highlight_color);
  for (const [k, [word]] of inside.slice(from, from + 5).entries()) {
    const span = document.createElement("span");
    span.textContent = (style.uppercase ? word.text.toUpperCase() : word.text) + " ";
    if (from + k === spoken) span.className = "spoken";
    line.append(span);
  }
}

function startDrag(which, event) {
  if (!editor.spec) return;
  event.preventDefault();
  preview.dragging = which;
  try {
    event.target.setPointerCapture(event.pointerId);
  } catch (_) {
    /* a pointer the browser does not track (synthetic): the handle still gets its moves */
  }
}

function moveDrag(event) {
  if (!preview.dragging || !editor.spec) return;
  const t = timeAt(event.clientX);
  if (preview.dragging === "in") setStart(nearestWord(t, "start", 0, editor.last));
  else setEnd(nearestWord(t, "end", editor.first, editor.spec.words.length - 1));
  window.previewSeek(preview.dragging === "in" ? editor.spec.start : Math.max(editor.spec.start, editor.spec.end - 0.05));
}

function endDrag() {
  if (!preview.dragging) return;
  preview.dragging = null;
  commitEdit();
}

for (const [id, which] of [["handle-in", "in"], ["handle-out", "out"]]) {
  const handle = byId(id);
  handle.addEventListener("pointerdown", (event) => startDrag(which, event));
  handle.addEventListener("pointermove", moveDrag);
  handle.addEventListener("pointerup", endDrag);
  handle.addEventListener("pointercancel", endDrag);
  handle.addEventListener("keydown", (event) => {
    const step = event.key === "ArrowLeft" ? -1 : event.key === "ArrowRight" ? 1 : 0;
    if (!step) return;
    event.preventDefault();
    nudge(which === "in" ? "start" : "end", step);
  });
}
byId("timeline").addEventListener("pointerdown", (event) => {
  if (event.target.classList.contains("handle")) return;
  window.previewSeek(timeAt(event.clientX));
});
byId("preview-play").addEventListener("click", window.previewToggle);
previewVideo().addEventListener("timeupdate", () => {
  const video = previewVideo();
  if (!video.paused && video.currentTime >= editor.spec.end) {
    video.pause();
    video.currentTime = editor.spec.start;
  }
  window.skipCuts(video);
  drawOverlay();
});
previewVideo().addEventListener("play", () => { byId("preview-play").textContent = "Pause"; });
previewVideo().addEventListener("pause", () => { byId("preview-play").textContent = "Play"; });
byId("edit-aspect").addEventListener("change", drawOverlay);
byId("edit-style").addEventListener("change", drawOverlay);
byId("edit-position").addEventListener("change", drawOverlay);

// The chosen aspect's output inside the spec itself (added from the first output when the clip
// lacked that aspect), so that moving its crop or changing its layout is kept.
function ownOutput() {
  const aspect = byId("edit-aspect").value;
  let output = editor.spec.outputs.find((o) => o.aspect === aspect);
  if (!output) {
    output = reaspect(editor.spec, aspect)[0];
    editor.spec.outputs.push(output);
  }
  return output;
}

// Shift every keyframe of `keyframes` by (dx, dy) source pixels, kept inside the picture.
function shiftedPath(keyframes, dx, dy) {
  const width = editor.spec.source.display_width;
  const height = editor.spec.source.display_height;
  return keyframes.map((k) => ({ ...k, x: Math.round(clamp(k.x + dx, 0, width - k.w)), y: Math.round(clamp(k.y + dy, 0, height - k.h)) }));
}

const cropBox = byId("crop-box");
cropBox.addEventListener("pointerdown", (event) => {
  if (!editor.spec || chosenOutput().layout !== "track") return;
  event.preventDefault();
  const output = ownOutput();
  preview.moving = { x: event.clientX, y: event.clientY, keyframes: output.crop_keyframes.map((k) => ({ ...k })) };
  try {
    cropBox.setPointerCapture(event.pointerId);
  } catch (_) {
    /* a synthetic pointer: the box still gets its moves */
  }
});
cropBox.addEventListener("pointermove", (event) => {
  if (!preview.moving) return;
  const scale = preview.scale || 1;
  const output = ownOutput();
  output.crop_keyframes = shiftedPath(preview.moving.keyframes, (event.clientX - preview.moving.x) / scale, (event.clientY - preview.moving.y) / scale);
  drawOverlay();
});
for (const type of ["pointerup", "pointercancel"]) {
  cropBox.addEventListener(type, () => {
    if (!preview.moving) return;
    preview.moving = null;
    commitEdit();
  });
}
cropBox.addEventListener("keydown", (event) => {
  const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
  if (!steps || !editor.spec || chosenOutput().layout !== "track") return;
  event.preventDefault();
  event.stopPropagation();
  const output = ownOutput();
  const step = Math.max(2, Math.round(editor.spec.source.display_width / 100));
  output.crop_keyframes = shiftedPath(output.crop_keyframes, steps[0] * step, steps[1] * step);
  drawOverlay();
  commitEdit();
});

// Switching the chosen aspect's layout: a crop of the aspect's shape at the largest size the
// picture allows, centred where the picture's fitted window was; or the whole picture.
byId("edit-layout").addEventListener("change", () => {
  if (!editor.spec) return;
  const output = ownOutput();
  const width = editor.spec.source.display_width;
  const height = editor.spec.source.display_height;
  // A split's, grid's or screen's other windows belong to that layout only.
  delete output.lower_crop_keyframes;
  delete output.panel_crop_keyframes;
  delete output.face_crop_keyframes;
  if (byId("edit-layout").value === "blur_fit") {
    output.layout = "blur_fit";
    output.crop_keyframes = [{ t: 0, x: 0, y: 0, w: width, h: height }];
  } else if (output.layout !== "track") {
    const ratio = output.width / output.height;
    const w = Math.floor(Math.min(width, height * ratio) / 2) * 2;
    const h = Math.floor(w / ratio / 2) * 2;
    output.layout = "track";
    output.crop_keyframes = [{ t: 0, x: Math.round((width - w) / 2), y: Math.round((height - h) / 2), w, h }];
  }
  drawOverlay();
  commitEdit();
});
byId("edit-aspect").addEventListener("change", () => {
  if (!editor.spec) return;
  const layout = chosenOutput().layout;
  byId("edit-layout").value = layout === "blur_fit" ? "blur_fit" : "track";
  drawOverlay();
  commitEdit();
});
