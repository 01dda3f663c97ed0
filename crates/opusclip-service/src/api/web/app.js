// Video-OpusClip web page: keeps the API key in localStorage, uploads a video to POST /api/jobs,
// follows each job live (server-sent events read with fetch, falling back to polling), and shows
// a finished job's ranked clips from its manifest. Plain JavaScript, no build step.
"use strict";

const KEY_STORE = "opusclip.apiKey";
const JOBS_STORE = "opusclip.jobs";
const ENDED = ["succeeded", "failed", "canceled", "deleted"];

const byId = (id) => document.getElementById(id);
const apiKey = () => localStorage.getItem(KEY_STORE) || "";
const authHeaders = () => ({ Authorization: "Bearer " + apiKey() });

function savedJobs() {
  try {
    return JSON.parse(localStorage.getItem(JOBS_STORE) || "[]");
  } catch (_) {
    return [];
  }
}

function saveJobs(jobs) {
  localStorage.setItem(JOBS_STORE, JSON.stringify(jobs.slice(0, 50)));
}

// An error body {error, code, details} (or anything else) as plain words.
function describeError(body, status) {
  if (body && typeof body === "object" && body.error) {
    let text = body.error + (body.code ? " (" + body.code + ")" : "");
    const problems = body.details && body.details.problems;
    if (Array.isArray(problems) && problems.length) text += ": " + problems.join("; ");
    return text;
  }
  return "the server answered " + status;
}

async function readError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = null;
  }
  return describeError(body, response.status);
}

async function api(path, options) {
  const response = await fetch(path, { ...(options || {}), headers: { ...authHeaders(), ...((options || {}).headers || {}) } });
  if (!response.ok) throw new Error(await readError(response));
  return response;
}

// ---- API key ----

function setupKeyForm() {
  const input = byId("api-key");
  input.value = apiKey();
  byId("key-status").textContent = apiKey() ? "A key is saved in this browser." : "Enter a key to use the API.";
  byId("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.setItem(KEY_STORE, input.value.trim());
    byId("key-status").textContent = "Key saved.";
    for (const job of savedJobs()) followJob(job.id, job.name);
  });
}

// ---- Upload ----

function uploadForm() {
  const form = new FormData();
  form.append("file", byId("video-file").files[0]);
  const transcript = byId("transcript-file").files[0];
  if (transcript) form.append("transcript", transcript);
  form.append("clips", byId("clips-count").value || "3");
  form.append("aspect", byId("aspect").value);
  for (const [id, name] of [["min-seconds", "min"], ["max-seconds", "max"]]) {
    const value = byId(id).value.trim();
    if (value) form.append(name, value);
  }
  return form;
}

// XMLHttpRequest rather than fetch: it reports upload progress.
function sendUpload(form, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/jobs");
    request.setRequestHeader("Authorization", "Bearer " + apiKey());
    request.responseType = "json";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress((100 * event.loaded) / event.total);
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve(request.response);
      else reject(new Error(describeError(request.response, request.status)));
    };
    request.onerror = () => reject(new Error("the upload did not reach the server"));
    request.send(form);
  });
}

function setupUploadForm() {
  byId("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const errorBox = byId("upload-error");
    const progress = byId("upload-progress");
    const button = byId("upload-button");
    errorBox.hidden = true;
    if (!apiKey()) {
      errorBox.textContent = "Save an API key first.";
      errorBox.hidden = false;
      return;
    }
    const file = byId("video-file").files[0];
    if (!file) return;
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    try {
      const job = await sendUpload(uploadForm(), (percent) => (progress.value = percent));
      saveJobs([{ id: job.id, name: file.name }, ...savedJobs().filter((j) => j.id !== job.id)]);
      followJob(job.id, file.name, job);
    } catch (error) {
      errorBox.textContent = "Upload refused: " + error.message;
      errorBox.hidden = false;
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  });
}

// ---- Jobs ----

const following = new Map();

function jobElement(id, name) {
  let element = document.querySelector('.job[data-id="' + CSS.escape(id) + '"]');
  if (element) return element;
  element = byId("job-template").content.firstElementChild.cloneNode(true);
  element.dataset.id = id;
  element.querySelector(".job-name").textContent = name || id;
  element.querySelector(".job-forget").addEventListener("click", () => {
    saveJobs(savedJobs().filter((j) => j.id !== id));
    following.delete(id);
    element.remove();
    byId("no-jobs").hidden = savedJobs().length > 0;
  });
  byId("job-list").prepend(element);
  byId("no-jobs").hidden = true;
  return element;
}

function showStatus(element, status) {
  const percent = Math.max(0, Math.min(100, Number(status.percent) || 0));
  element.dataset.state = status.state;
  element.querySelector(".job-state").textContent = status.state;
  element.querySelector(".job-stage").textContent = status.stage || "";
  const eta = status.eta_seconds != null && !ENDED.includes(status.state) ? " · ~" + Math.ceil(status.eta_seconds) + " s left" : "";
  element.querySelector(".job-percent").textContent = percent.toFixed(0) + "%" + eta;
  element.querySelector(".job-progress").value = percent;
  const errorBox = element.querySelector(".job-error");
  if (status.error) {
    errorBox.textContent = describeError(status.error, 0);
    errorBox.hidden = false;
  }
}

function showJobError(element, message) {
  const errorBox = element.querySelector(".job-error");
  errorBox.textContent = message;
  errorBox.hidden = false;
}

async function followJob(id, name, first) {
  const element = jobElement(id, name);
  if (following.get(id)) return;
  following.set(id, true);
  if (first) showStatus(element, first);
  let status = null;
  try {
    status = await streamEvents(id, (s) => showStatus(element, s));
    element.dataset.updates = "events";
  } catch (_) {
    status = null; // the stream failed: fall back to polling
    element.dataset.updates = "polling";
  }
  try {
    while (following.get(id) && !(status && ENDED.includes(status.state))) {
      status = await (await api("/api/jobs/" + encodeURIComponent(id))).json();
      showStatus(element, status);
      if (!ENDED.includes(status.state)) await new Promise((r) => setTimeout(r, 1000));
    }
    if (status && status.state === "succeeded") await showClips(element, id);
  } catch (error) {
    showJobError(element, error.message);
  } finally {
    following.delete(id);
  }
}

// Read /events with fetch (EventSource cannot send the key header); the last status seen.
async function streamEvents(id, onStatus) {
  const response = await api("/api/jobs/" + encodeURIComponent(id) + "/events");
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

// ---- Clips ----

async function fileUrl(id, name) {
  const response = await api("/api/jobs/" + encodeURIComponent(id) + "/files/" + encodeURIComponent(name));
  return URL.createObjectURL(await response.blob());
}

async function showClips(element, id) {
  const manifest = await (await api("/api/jobs/" + encodeURIComponent(id) + "/manifest")).json();
  const list = element.querySelector(".clip-list");
  list.replaceChildren();
  const clips = [...(manifest.clips || [])].sort((a, b) => a.rank - b.rank);
  if (!clips.length) {
    showJobError(element, "The job finished without clips. " + (manifest.warnings || []).join(" "));
    return;
  }
  for (const clip of clips) list.append(await clipElement(id, clip));
}

async function clipElement(id, clip) {
  const item = byId("clip-template").content.firstElementChild.cloneNode(true);
  item.querySelector(".clip-title").textContent = "#" + clip.rank + " " + (clip.title || clip.id);
  item.querySelector(".clip-score").textContent = Number(clip.score.total).toFixed(1);
  item.querySelector(".clip-time").textContent =
    clip.start.toFixed(1) + "–" + clip.end.toFixed(1) + " s (" + clip.duration.toFixed(1) + " s)";
  const parts = item.querySelector(".clip-parts");
  for (const [name, part] of Object.entries(clip.score.parts || {})) {
    const row = document.createElement("li");
    row.textContent = name + " " + Number(part.value).toFixed(0) + ": " + part.reason;
    parts.append(row);
  }
  item.querySelector(".clip-transcript").textContent = clip.transcript || "";
  const output = (clip.outputs || [])[0];
  const link = item.querySelector(".clip-download");
  if (output) {
    const url = await fileUrl(id, output.path);
    const video = item.querySelector(".clip-video");
    video.src = url;
    video.style.aspectRatio = output.width + " / " + output.height;
    link.href = url;
    link.download = output.path;
    link.textContent = "Download " + output.path + " (" + output.width + "×" + output.height + ")";
  } else {
    link.hidden = true;
  }
  return item;
}

setupKeyForm();
setupUploadForm();
for (const job of [...savedJobs()].reverse()) jobElement(job.id, job.name);
if (apiKey()) for (const job of savedJobs()) followJob(job.id, job.name);
