// Video-OpusClip web page: the API key lives in sessionStorage (this tab only); a video goes to
// POST /api/jobs by upload (XMLHttpRequest, for its progress and cancel) or as a URL; the job
// list is GET /api/jobs; each running job is followed live (server-sent events read with fetch,
// polling as a fallback); a finished job's clips are played and downloaded through the signed
// links its manifest lists (a <video src> cannot send the key). Editing lives in editor.js.
// Plain JavaScript, no build step.
"use strict";

const KEY_STORE = "opusclip.apiKey";
const ENDED = ["succeeded", "failed", "canceled", "deleted"];
const STAGES = {
  queued: "waiting for a worker",
  fetch: "downloading the video",
  probe: "reading the file",
  transcript: "getting the words",
  survey: "scanning sound and picture",
  select: "choosing moments",
  look: "looking closely at each moment",
  reframe: "framing",
  render: "rendering",
  done: "finishing",
};

const byId = (id) => document.getElementById(id);
const apiKey = () => sessionStorage.getItem(KEY_STORE) || "";
const authHeaders = () => (apiKey() ? { Authorization: "Bearer " + apiKey() } : {});
const jobPath = (id) => "/api/jobs/" + encodeURIComponent(id);

// ---- Errors in plain words ----

// What went wrong and what to do, from an error body {error, code, details} (or nothing).
function explain(body, status) {
  const code = body && body.code;
  const said = (body && body.error) || "";
  const details = (body && body.details) || {};
  const problems = Array.isArray(details.problems) && details.problems.length ? details.problems.join("; ") : said;
  switch (code) {
    case "UNAUTHORIZED":
      return "The API key was not accepted (" + said + "). Check it, or make one with `opusclip keys create --name NAME`, and enter it above.";
    case "RATE_LIMITED":
      return "Too many requests just now. Wait " + (details.retry_after_seconds || "a few") + " seconds and try again.";
    case "PAYLOAD_TOO_LARGE":
      return "The file is larger than this server accepts (" + said + "). Trim the video, or ask the operator to raise MAX_UPLOAD_BYTES.";
    case "INVALID_INPUT_ERROR":
      return "Something in the request needs fixing: " + problems + ".";
    case "URL_NOT_ALLOWED":
      return "That URL cannot be fetched: " + said + ". Use a public http(s) link to the video file, or upload the file instead.";
    case "TRANSCRIPT_ERROR":
      return "No words could be found for this video: " + said + " Add a transcript file (.srt or .vtt) and try again.";
    case "FETCH_ERROR":
      return "The video could not be downloaded: " + said + ". Check the link opens the video itself, or upload the file.";
    case "VIDEO_PROCESSING_ERROR":
      return "The video could not be processed: " + said + ". Try another file or export it again as MP4 (H.264).";
    case "WORKER_LOST":
      return "The worker running this job stopped several times. Try again; if it keeps happening, check the server logs.";
    case "NOT_FOUND":
      return "Not found: " + said + " It may have been deleted.";
    case "CONFLICT":
      return said + ".";
    case "CANCELED":
      return "The job was canceled.";
    case "STORAGE_ERROR":
    case "DATABASE_ERROR":
    case "IO_ERROR":
      return "The server had a temporary problem (" + said + "). Try again in a moment.";
    default:
      if (said) return said + (code ? " (" + code + ")" : "");
      if (status === 0) return "The server could not be reached. Check that `opusclip serve` is running, then try again.";
      return "The server answered " + status + ". Try again; if it persists, check the server logs.";
  }
}

// An Error in plain words for a refused response, with the API's `code`.
async function readError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = null;
  }
  return Object.assign(new Error(explain(body, response.status)), { code: body && body.code });
}

async function api(path, options) {
  const opts = options || {};
  let response;
  try {
    response = await fetch(path, { ...opts, headers: { ...authHeaders(), ...(opts.headers || {}) } });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new Error(explain(null, 0));
  }
  if (!response.ok) throw await readError(response);
  return response;
}

function showError(box, message) {
  box.textContent = message;
  box.hidden = !message;
}

// ---- API key ----

let openServer = false; // started with --no-auth: this machine needs no key

function showKeyState(message) {
  byId("key-form").classList.toggle("in-use", Boolean(apiKey()) || openServer);
  byId("change-key").textContent = apiKey() ? "Change key" : "Use a key";
  byId("forget-key").hidden = !apiKey();
  byId("key-status").textContent = message || (apiKey() ? "A key is in use for this tab (kept in session storage only)." : "Enter a key to use the API; it stays in this tab only.");
}

function setupKeyForm() {
  localStorage.removeItem(KEY_STORE); // older pages kept it there; a key belongs to the session only
  const input = byId("api-key");
  input.value = apiKey();
  showKeyState();
  byId("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) return showKeyState("Paste a key first.");
    sessionStorage.setItem(KEY_STORE, input.value.trim());
    showKeyState("Key in use for this tab.");
    loadJobs();
  });
  byId("change-key").addEventListener("click", () => {
    byId("key-form").classList.remove("in-use");
    input.focus();
    input.select();
  });
  byId("forget-key").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORE);
    input.value = "";
    showKeyState("Key forgotten.");
    byId("job-list").replaceChildren();
    byId("no-jobs").hidden = false;
    input.focus();
  });
}

// ---- New job ----

let upload = null; // the XMLHttpRequest in flight

async function jobForm() {
  const form = new FormData();
  const file = byId("video-file").files[0];
  const url = byId("video-url").value.trim();
  if (file) form.append("file", file);
  else if (url) form.append("url", url);
  const transcript = byId("transcript-file").files[0];
  if (transcript) form.append("transcript", transcript);
  form.append("clips", byId("clips-count").value || "3");
  for (const box of document.querySelectorAll('input[name="aspect"]:checked')) form.append("aspect", box.value);
  for (const [id, name] of [["min-seconds", "min"], ["max-seconds", "max"], ["time-range", "range"], ["prompt", "prompt"], ["language", "language"], ["vocabulary", "vocabulary"]]) {
    const value = byId(id).value.trim();
    if (value) form.append(name, value);
  }
  for (const range of byId("lengths").value.split(/[,\s]+/).filter(Boolean)) form.append("length", range);
  if (byId("censor").checked) form.append("censor", "");
  if (byId("tight").checked) {
    form.append("cut_pauses", "on");
    form.append("cut_fillers", "on");
  }
  // A brand template travels as text and sets the whole look, so the preset choice stays out.
  const template = byId("template-file").files[0];
  const captionStyle = byId("captions-choice").value;
  if (template) form.append("template", await template.text());
  else if (captionStyle) form.append("caption_style", captionStyle);
  // The brand's files go as they are: the template names them, the server keeps them with the job.
  for (const [id, name] of [["watermark-file", "watermark"], ["font-file", "font"]]) {
    const file = byId(id).files[0];
    if (file) form.append(name, file);
  }
  return form;
}

// XMLHttpRequest rather than fetch: it reports upload progress and can be aborted.
function sendJob(form, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    upload = request;
    request.open("POST", "/api/jobs");
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value);
    request.responseType = "json";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress((100 * event.loaded) / event.total);
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve(request.response);
      else reject(Object.assign(new Error(explain(request.response, request.status)), { code: request.response && request.response.code }));
    };
    request.onerror = () => reject(new Error(explain(null, 0)));
    request.onabort = () => reject(new Error("Upload canceled."));
    request.send(form);
  });
}

function setUploadProgress(percent) {
  const bar = byId("upload-progress");
  bar.value = percent;
  bar.classList.toggle("idle", percent === null);
  byId("upload-percent").textContent = percent === null ? "" : "Uploading… " + percent.toFixed(0) + "%";
}

function setupUploadForm() {
  const zone = byId("drop-zone");
  const fileInput = byId("video-file");
  const showName = () => {
    const file = fileInput.files[0];
    byId("drop-name").textContent = file ? file.name + " (" + (file.size / 1e6).toFixed(1) + " MB)" : "No file chosen.";
  };
  fileInput.addEventListener("change", showName);
  for (const id of ["video-file", "video-url", "transcript-file"]) {
    byId(id).addEventListener("input", () => showError(byId("upload-error"), ""));
  }
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      fileInput.files = event.dataTransfer.files;
      showName();
      showError(byId("upload-error"), "");
    }
  });
  setUploadProgress(null);
  byId("cancel-upload").addEventListener("click", () => upload && upload.abort());
  byId("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const errorBox = byId("upload-error");
    const button = byId("upload-button");
    const cancel = byId("cancel-upload");
    showError(errorBox, "");
    const file = byId("video-file").files[0];
    const url = byId("video-url").value.trim();
    if (!file && !url) return showError(errorBox, "Choose or drop a video file, or paste a video URL.");
    if (file && url) return showError(errorBox, "Give either a file or a URL, not both: clear one of them.");
    if (!document.querySelector('input[name="aspect"]:checked')) return showError(errorBox, "Tick at least one aspect ratio.");
    button.disabled = true;
    cancel.hidden = !file;
    setUploadProgress(0);
    try {
      const job = await sendJob(await jobForm(), setUploadProgress);
      const name = file ? file.name : url;
      const element = addJob({ ...job, name }, true);
      followJob(job.id);
      // The new job's progress where the person is looking, not at the top of the other column.
      element.scrollIntoView({ block: "nearest", behavior: "smooth" });
      element.querySelector(".job-progress").focus({ preventScroll: true });
    } catch (error) {
      showError(errorBox, error.message);
      if (error.code === "UNAUTHORIZED") byId("key-form").classList.remove("in-use");
    } finally {
      upload = null;
      button.disabled = false;
      cancel.hidden = true;
      setUploadProgress(null);
    }
  });
}

// ---- Jobs ----

const following = new Map(); // job id → AbortController of its event stream
let nextPage = null;

async function loadJobs(before) {
  const errorBox = byId("jobs-error");
  showError(errorBox, "");
  try {
    const query = "?limit=20" + (before ? "&before=" + encodeURIComponent(before) : "");
    const page = await (await api("/api/jobs" + query)).json();
    if (!before) byId("job-list").replaceChildren();
    page.jobs.forEach((job, index) => {
      addJob(job, false);
      if (!ENDED.includes(job.state)) followJob(job.id);
      else if (job.state === "succeeded" && !before && index < 3) showResults(job.id);
      else if (job.state === "succeeded") jobElement(job.id).querySelector(".job-show").hidden = false;
    });
    nextPage = page.next;
    byId("more-jobs").hidden = !nextPage;
    byId("no-jobs").hidden = byId("job-list").children.length > 0;
  } catch (error) {
    showError(errorBox, error.message);
    if (error.code === "UNAUTHORIZED") {
      openServer = false;
      byId("key-form").classList.remove("in-use");
    }
  }
}

function jobElement(id) {
  return document.querySelector('.job[data-id="' + CSS.escape(id) + '"]');
}

function addJob(job, first) {
  let element = jobElement(job.id);
  if (!element) {
    element = byId("job-template").content.firstElementChild.cloneNode(true);
    element.dataset.id = job.id;
    const remove = element.querySelector(".job-delete");
    remove.addEventListener("click", () => deleteJob(job.id, remove));
    const cancel = element.querySelector(".job-cancel");
    cancel.addEventListener("click", () => cancelJob(job.id, cancel));
    const show = element.querySelector(".job-show");
    show.addEventListener("click", () => {
      show.hidden = true;
      showResults(job.id);
    });
    if (first) byId("job-list").prepend(element);
    else byId("job-list").append(element);
  }
  element.querySelector(".job-name").textContent = job.name || job.id;
  element.querySelector(".job-kind").textContent = job.kind === "render" ? "edit" : job.kind || "";
  showStatus(element, job);
  byId("no-jobs").hidden = true;
  return element;
}

// Stop a queued or running job (in any stage); its card stays, marked canceled.
async function cancelJob(id, button) {
  const element = jobElement(id);
  button.disabled = true;
  try {
    const status = await (await api(jobPath(id) + "/cancel", { method: "POST" })).json();
    if (element) showStatus(element, status);
  } catch (error) {
    if (element) showError(element.querySelector(".job-error"), error.message);
  } finally {
    button.disabled = false;
  }
}

async function deleteJob(id, button) {
  if (button.dataset.confirm !== "yes") {
    button.dataset.confirm = "yes";
    button.textContent = "Really delete?";
    setTimeout(() => {
      button.dataset.confirm = "";
      button.textContent = "Delete";
    }, 4000);
    return;
  }
  const element = jobElement(id);
  try {
    await api(jobPath(id), { method: "DELETE" });
    const stream = following.get(id);
    if (stream) stream.abort();
    element.remove();
    byId("no-jobs").hidden = byId("job-list").children.length > 0;
    byId("jobs-heading").focus();
  } catch (error) {
    showError(element.querySelector(".job-error"), error.message);
  }
}

function statusText(status) {
  const percent = Math.max(0, Math.min(100, Number(status.percent) || 0));
  if (status.state === "succeeded") {
    const took = status.finished_at && status.created_at ? " in " + Math.round((status.finished_at - status.created_at) / 1000) + " s" : "";
    return "done" + took + (status.from_cache ? " (from the cache)" : "");
  }
  if (ENDED.includes(status.state)) return "";
  const stage = STAGES[status.stage] || status.stage || STAGES[status.state] || "starting";
  // The ETA comes from how fast each stage ran on this server before (see docs/service.md).
  const eta = status.eta_seconds != null ? " · about " + duration(status.eta_seconds) + " left" : " · estimating the time left";
  return percent.toFixed(0) + "% · " + stage + eta;
}

// 40 s, 3 min, 1 h 5 min.
function duration(seconds) {
  const s = Math.max(1, Math.round(seconds));
  if (s < 90) return s + " s";
  const minutes = Math.round(s / 60);
  if (minutes < 60) return minutes + " min";
  return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
}

function showStatus(element, status) {
  element.dataset.state = status.state;
  element.querySelector(".job-state").textContent = status.state;
  element.querySelector(".job-percent").textContent = statusText(status);
  element.querySelector(".job-progress").value = Math.max(0, Math.min(100, Number(status.percent) || 0));
  element.querySelector(".job-cancel").hidden = !["queued", "running"].includes(status.state);
  if (status.error) showError(element.querySelector(".job-error"), explain(status.error, 0));
}

// Follow a job until it ends; then show its results. `onStatus` sees every status.
async function followJob(id, onStatus) {
  if (following.has(id)) return;
  const controller = new AbortController();
  following.set(id, controller);
  const update = (status) => {
    const element = jobElement(id);
    if (element) showStatus(element, status);
    if (onStatus) onStatus(status);
  };
  let status = null;
  try {
    status = await streamEvents(id, update, controller.signal);
    const element = jobElement(id);
    if (element) element.dataset.updates = "events";
  } catch (error) {
    if (error.name === "AbortError") return following.delete(id);
    status = null; // the stream failed: poll instead
    const element = jobElement(id);
    if (element) element.dataset.updates = "polling";
  }
  try {
    while (!(status && ENDED.includes(status.state))) {
      status = await (await api(jobPath(id), { signal: controller.signal })).json();
      update(status);
      if (!ENDED.includes(status.state)) await new Promise((r) => setTimeout(r, 1000));
    }
    if (status.state === "succeeded") await showResults(id);
  } catch (error) {
    const element = jobElement(id);
    if (element && error.name !== "AbortError") showError(element.querySelector(".job-error"), error.message);
  } finally {
    following.delete(id);
  }
  return status;
}

// Read /events with fetch (an EventSource cannot send the key header); the last status seen.
async function streamEvents(id, onStatus, signal) {
  const response = await api(jobPath(id) + "/events", { signal });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return last;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (!data) continue;
      const status = JSON.parse(data);
      if (status.state) {
        last = status;
        onStatus(status);
      } else {
        return { state: "deleted" };
      }
    }
  }
}

// ---- Results ----

async function fetchManifest(id) {
  return (await api(jobPath(id) + "/manifest")).json();
}

function downloadItem(href, name, text) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = href;
  link.download = name;
  link.textContent = text;
  item.append(link);
  return item;
}

// The whole job as an editing timeline, one link per format (absent for a render job).
function showExportLinks(box, id, links) {
  box.hidden = !links;
  if (!links) return;
  const extension = { fcpxml: "fcpxml", xmeml: "xml", otio: "otio", edl: "edl", srt: "srt" };
  for (const link of box.querySelectorAll("a[data-format]")) {
    const format = link.dataset.format;
    link.href = links[format];
    link.download = "opusclip-" + id + "." + extension[format];
  }
}

// A <video> on a signed link; when the link has expired, fresh links come from the manifest.
function playSigned(video, id, name, manifest) {
  video.src = manifest.file_urls[name];
  video.addEventListener("error", async () => {
    if (video.dataset.retried) return;
    video.dataset.retried = "yes";
    try {
      video.src = (await fetchManifest(id)).file_urls[name];
    } catch (_) {
      /* the error box of the job says enough */
    }
  });
}

async function showResults(id) {
  const element = jobElement(id);
  if (!element) return;
  try {
    const manifest = await fetchManifest(id);
    const archive = element.querySelector(".job-archive");
    archive.href = manifest.archive_url;
    archive.download = "opusclip-" + id + ".zip";
    element.querySelector(".job-actions").hidden = false;
    showExportLinks(element.querySelector(".job-export"), id, manifest.export_urls);
    const list = element.querySelector(".clip-list");
    list.replaceChildren();
    if (manifest.kind === "render") {
      list.append(renderedElement(id, manifest));
      return;
    }
    const clips = [...(manifest.clips || [])].sort((a, b) => a.rank - b.rank);
    if (!clips.length) {
      const why = (manifest.warnings || []).join(" ");
      showError(element.querySelector(".job-error"), "The job finished without clips. " + why + " Try shorter lengths or another time range.");
      return;
    }
    for (const clip of clips) list.append(clipElement(id, clip, manifest));
  } catch (error) {
    showError(element.querySelector(".job-error"), error.message);
  }
}

function copyButton(button, text) {
  if (!text) {
    button.hidden = true;
    return;
  }
  const label = button.textContent;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "Copied";
    setTimeout(() => (button.textContent = label), 1500);
  });
}

function seconds(value) {
  return Number(value).toFixed(1);
}

function clipElement(id, clip, manifest) {
  const item = byId("clip-template").content.firstElementChild.cloneNode(true);
  item.dataset.clip = clip.id;
  item.querySelector(".clip-title").textContent = "#" + clip.rank + " " + (clip.title || clip.id);
  item.querySelector(".clip-score").textContent = Number(clip.score.total).toFixed(1);
  item.querySelector(".clip-time").textContent = seconds(clip.start) + "–" + seconds(clip.end) + " s (" + seconds(clip.duration) + " s)";
  const parts = item.querySelector(".clip-parts");
  for (const [name, part] of Object.entries(clip.score.parts || {})) {
    const row = document.createElement("li");
    row.textContent = name.replace(/_/g, " ") + " " + Number(part.value).toFixed(0) + ": " + part.reason;
    parts.append(row);
  }
  item.querySelector(".clip-description").textContent = clip.description || "";
  const hashtags = (clip.hashtags || []).join(" ");
  item.querySelector(".clip-hashtags").textContent = hashtags;
  copyButton(item.querySelector(".copy-title"), clip.title);
  copyButton(item.querySelector(".copy-description"), clip.description);
  copyButton(item.querySelector(".copy-hashtags"), hashtags);
  item.querySelector(".clip-transcript").textContent = clip.transcript || "(no words)";
  const downloads = item.querySelector(".clip-downloads");
  const outputs = clip.outputs || [];
  if (outputs[0]) {
    const video = item.querySelector(".clip-video");
    playSigned(video, id, outputs[0].path, manifest);
    item.querySelector(".clip-frame").style.aspectRatio = outputs[0].width + " / " + outputs[0].height;
    if (clip.thumbnail && manifest.file_urls[clip.thumbnail]) video.poster = manifest.file_urls[clip.thumbnail];
  }
  for (const output of outputs) {
    downloads.append(downloadItem(manifest.file_urls[output.path], output.path, "MP4 " + output.aspect + " (" + output.width + "×" + output.height + ")"));
  }
  const captions = (manifest.caption_urls || {})[clip.id];
  if (captions) {
    downloads.append(downloadItem(captions.srt, clip.id + ".srt", "Captions SRT"));
    downloads.append(downloadItem(captions.vtt, clip.id + ".vtt", "Captions VTT"));
  }
  item.querySelector(".clip-edit").addEventListener("click", () => window.openEditor(id, clip));
  return item;
}

// The one output of a render job (an edited clip).
function renderedElement(id, manifest) {
  const item = byId("clip-template").content.firstElementChild.cloneNode(true);
  item.classList.add("rendered");
  const name = manifest.video;
  item.querySelector(".clip-title").textContent = "Edited clip";
  item.querySelector(".clip-meta").textContent = seconds(manifest.start) + "–" + seconds(manifest.end) + " s of the source";
  for (const selector of [".clip-why", ".clip-words", ".copy-row", ".clip-edit", ".clip-description", ".clip-hashtags"]) {
    item.querySelector(selector).hidden = true;
  }
  fillRendered(item.querySelector(".clip-video"), item.querySelector(".clip-downloads"), id, manifest);
  const output = (manifest.outputs || [])[0];
  if (output) item.querySelector(".clip-frame").style.aspectRatio = output.width + " / " + output.height;
  item.dataset.clip = name || "";
  return item;
}

// A render job's video and its downloads, into `video` and the list `downloads`.
function fillRendered(video, downloads, id, manifest) {
  downloads.replaceChildren();
  const outputs = manifest.outputs || [];
  if (outputs[0]) playSigned(video, id, outputs[0].path, manifest);
  for (const output of outputs) {
    downloads.append(downloadItem(manifest.file_urls[output.path], output.path, "MP4 " + output.aspect + " (" + output.width + "×" + output.height + ")"));
  }
  const clipId = manifest.id || "video";
  const captions = (manifest.caption_urls || {})[clipId];
  if (captions) {
    downloads.append(downloadItem(captions.srt, clipId + ".srt", "Captions SRT"));
    downloads.append(downloadItem(captions.vtt, clipId + ".vtt", "Captions VTT"));
  }
  downloads.append(downloadItem(manifest.archive_url, "opusclip-" + id + ".zip", "All files (zip)"));
}

// Without a key: does this server answer anyway (`opusclip serve --no-auth` on localhost)?
async function probeOpenServer() {
  try {
    const response = await fetch("/api/jobs?limit=1");
    if (!response.ok) return;
    openServer = true;
    showKeyState("This server needs no key (started with --no-auth, for this machine only).");
    loadJobs();
  } catch (_) {
    /* the key form stays */
  }
}

setupKeyForm();
setupUploadForm();
byId("refresh-jobs").addEventListener("click", () => loadJobs());
byId("more-jobs").addEventListener("click", () => loadJobs(nextPage));
if (apiKey()) loadJobs();
else probeOpenServer();
