//! The web page: served at `/` with its assets and no key, and driven end to end in headless
//! Chromium over the WebDriver protocol (chromedriver) against a real service on 127.0.0.1:
//! key → a refused URL explained in plain words → a generated talk with its SRT picked and
//! dropped, a caption look chosen (the editor opens on it) → live progress (no layout shift) →
//! ranked clips with scores → a clip plays through its signed link → export links for editing
//! software (the Premiere/Resolve timeline downloads) → the editor: a caption word
//! changed to ZEBRA, the end moved one word earlier and a later word deleted with the Delete key
//! (a jump cut, undone and redone) → re-render → the new file plays, differs, is as long as its
//! kept ranges, its captions lack the deleted word, and its captions, spec and zip carry ZEBRA → the job list at phone width → delete. The browser test prints a
//! note and skips when Debian's `chromium` / `chromium-driver` are not installed
//! (`scripts/setup.sh` installs them; `OPUSCLIP_REQUIRE_SERVICES=1` makes that a failure).
//! Screenshots of each step go to `target/tmp/web_page/`.

mod common;
#[path = "web_page/webdriver.rs"]
mod webdriver;

use common::{make_talk, request, TestService};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use webdriver::{browser_available, Browser, Driver};

#[test]
fn the_page_and_its_assets_load_without_a_key_while_the_api_still_needs_one() {
    let service = TestService::sqlite(&[], 0);
    let page = request("GET", &service.url("/"), &[], None);
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap_or_default().starts_with("text/html"));
    let html = page.text();
    for needle in [
        "id=\"api-key\"",
        "id=\"upload-form\"",
        "id=\"drop-zone\"",
        "type=\"file\"",
        "id=\"video-url\"",
        "id=\"clips-count\"",
        "name=\"aspect\"",
        "id=\"lengths\"",
        "id=\"time-range\"",
        "id=\"prompt\"",
        "id=\"language\"",
        "id=\"captions-choice\"",
        "id=\"editor\"",
    ] {
        assert!(html.contains(needle), "the page has {needle}");
    }
    let choice = &html[html.find("id=\"captions-choice\"").unwrap()..];
    let choice = &choice[..choice.find("</select>").expect("the captions select closes")];
    assert!(choice.contains("name=\"caption_style\""), "the New job form sends caption_style");
    for name in opusclip_core::caption_style_names() {
        assert!(choice.contains(&format!("<option value=\"{name}\"")), "the New job form offers the {name} captions");
    }
    assert!(html.contains("id=\"caption-styles\""), "the editor's looks come with the page");
    assert!(page.header("content-security-policy").unwrap_or_default().contains("default-src 'self'"));
    for (path, kind, needle) in [
        ("/assets/app.js", "text/javascript", "/api/jobs"),
        ("/assets/editor.js", "text/javascript", "/render"),
        ("/assets/editor-preview.js", "text/javascript", "crop-box"),
        ("/assets/app.css", "text/css", ".clip-list"),
    ] {
        assert!(html.contains(path), "the page links {path}");
        let asset = request("GET", &service.url(path), &[], None);
        assert_eq!(asset.status, 200, "{path} is served");
        assert!(asset.header("content-type").unwrap_or_default().starts_with(kind), "{path} is {kind}");
        assert!(asset.text().contains(needle), "{path} is the real asset");
    }
    assert_eq!(request("GET", &service.url("/assets/missing.js"), &[], None).status, 404);
    let refused = request("GET", &service.url("/api/jobs/j_none"), &[], None);
    assert_eq!(refused.status, 401, "the API still needs a key");
    assert_eq!(refused.json()["code"], "UNAUTHORIZED");
}

#[test]
fn without_keys_only_on_this_machine_and_the_page_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut open = common::config(dir.path(), &[]);
    open.no_auth = true;
    open.settings.api_host = "0.0.0.0".into();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let refused = runtime.block_on(opusclip_service::RunningServer::start(open.clone(), 0));
    let error = refused.expect_err("--no-auth is refused on an address other than loopback");
    assert!(error.message.contains("--no-auth"), "{}", error.message);
    drop(runtime);

    open.settings.api_host = "127.0.0.1".into();
    let service = TestService::start(open, 0);
    let listed = request("GET", &service.url("/api/jobs"), &[], None);
    assert_eq!(listed.status, 200, "no key needed: {}", listed.text());
    assert_eq!(listed.json()["jobs"], json!([]));
    let key = service.key("someone");
    assert_eq!(request("GET", &service.url("/api/jobs"), &[("x-api-key", key.as_str())], None).status, 200);
    let wrong = request("GET", &service.url("/api/jobs"), &[("x-api-key", "ock_wrong")], None);
    assert_eq!(wrong.status, 401, "a key that is given is still checked");
    if !browser_available() {
        return;
    }
    let driver = Driver::start();
    let browser = driver.session();
    browser.navigate(&service.url("/"));
    let shown = browser.wait_for(
        "return { open: document.getElementById('key-form').classList.contains('in-use'),\
                  said: document.getElementById('key-status').textContent };",
        secs(10),
        |v| v["open"] == json!(true),
    );
    assert!(shown["said"].as_str().unwrap_or_default().contains("needs no key"), "{shown}");
    browser.screenshot(&screenshot_dir().join("10-no-auth.png"));

    // /docs renders the API description's Markdown: code, not backticks.
    browser.navigate(&service.url("/docs"));
    let docs = browser.wait_for(
        "return { routes: document.querySelectorAll('#paths details').length,\
                  backticks: (document.body.innerText.match(/`/g) || []).length,\
                  code: document.querySelectorAll('#intro code, #paths p code, #paths td code').length };",
        secs(10),
        |v| v["routes"].as_u64().unwrap_or(0) > 0,
    );
    assert!(docs["routes"].as_u64().unwrap_or(0) >= 10, "{docs}");
    assert_eq!(docs["backticks"], json!(0), "no raw Markdown on /docs: {docs}");
    assert!(docs["code"].as_u64().unwrap_or(0) >= 5, "{docs}");
    browser.script("document.querySelectorAll('#paths details').forEach((d, i) => { d.open = i < 3; }); return null");
    browser.screenshot(&screenshot_dir().join("11-docs.png"));
}

/// What the page shows about the first job, for the waiting loop.
const PAGE_STATE: &str = "const job = document.querySelector('.job');\
    const score = document.querySelector('.clip-score');\
    return { state: job ? job.dataset.state || null : null,\
             percent: job ? job.querySelector('.job-percent').textContent : null,\
             updates: job ? job.dataset.updates || null : null,\
             upload_bar_hidden: getComputedStyle(document.getElementById('upload-progress')).visibility === 'hidden',\
             clips: document.querySelectorAll('.clip').length,\
             score: score ? score.textContent : null,\
             parts: document.querySelectorAll('.clip-parts li').length,\
             shift: window.shiftTotal || 0,\
             cancel_shown: job ? !job.querySelector('.job-cancel').hidden : null,\
             in_view: job ? (r => r.top >= 0 && r.bottom <= innerHeight)(job.querySelector('.job-progress-row').getBoundingClientRect()) : null,\
             problems: [...document.querySelectorAll('.error:not([hidden])')].map(e => e.textContent).join(' | ') };";

#[test]
fn a_person_uploads_edits_rerenders_and_downloads_in_chromium() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let talk = make_talk("web-page");
    let service = TestService::sqlite(&[], 1);
    let key = service.key("browser");
    let driver = Driver::start();
    let browser = driver.session();
    let shots = screenshot_dir();

    browser.navigate(&service.url("/"));
    browser.type_into("#api-key", &key);
    browser.click("#save-key");
    assert_eq!(browser.script("return sessionStorage.getItem('opusclip.apiKey')"), json!(key), "kept for the tab");
    assert_eq!(browser.script("return localStorage.getItem('opusclip.apiKey')"), Value::Null, "not kept for good");

    // A URL the server may not fetch: refused, and said so in plain words.
    browser.type_into("#video-url", "http://127.0.0.1:9/talk.mp4");
    browser.click("#upload-button");
    let refused = browser.wait_for("return document.getElementById('upload-error').textContent", secs(15), |v| {
        !v.as_str().unwrap_or_default().is_empty()
    });
    let refused = refused.as_str().unwrap_or_default().to_string();
    assert!(refused.starts_with("That URL cannot be fetched") && refused.contains("upload the file"), "{refused}");
    browser.screenshot(&shots.join("1-refused-url.png"));
    browser.clear("#video-url");

    // The video: picked, then dropped on the drop zone (the drop handler takes the file).
    browser.type_into("#video-file", &talk.video.display().to_string());
    let dropped = browser.script(
        "const input = document.getElementById('video-file'); const moved = new DataTransfer();\
         moved.items.add(input.files[0]); input.value = '';\
         document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: moved, bubbles: true, cancelable: true }));\
         return [input.files.length, document.getElementById('drop-name').textContent];",
    );
    assert_eq!(dropped[0], json!(1), "the dropped file is taken: {dropped}");
    let stale = browser.script("return document.getElementById('upload-error').hidden");
    assert_eq!(stale, json!(true), "the old refusal goes once the source changes");
    assert!(dropped[1].as_str().unwrap_or_default().starts_with("talk.mp4"), "{dropped}");
    browser.type_into("#transcript-file", &talk.srt.display().to_string());
    // A brand template picked as a file: the one-line look, popping words, keywords in magenta.
    let template = talk.dir.path().join("brand.toml");
    std::fs::write(
        &template,
        "base = \"single\"\nanimation = \"pop\"\nkeyword_color = \"FF00FF\"\n[watermark]\nimage = \"logo.png\"\n",
    )
    .unwrap();
    browser.type_into("#template-file", &template.display().to_string());
    // Its logo, picked beside it (the server keeps it with the job; the re-render below draws it).
    let logo = talk.dir.path().join("logo.png");
    common::solid_png(&logo, "0xFF6600", "120x60");
    browser.type_into("#watermark-file", &logo.display().to_string());
    browser.script(
        "const set = (id, value) => document.getElementById(id).value = value;\
         set('clips-count', '1'); set('min-seconds', '4'); set('max-seconds', '8');\
         document.getElementById('more-options').open = true;\
         set('lengths', '4-8'); set('time-range', '0:00-0:14'); set('prompt', 'customer'); set('language', 'en');\
         set('captions-choice', 'single');\
         window.shiftTotal = 0;\
         new PerformanceObserver((list) => list.getEntries().forEach((e) => { if (!e.hadRecentInput) window.shiftTotal += e.value; }))\
           .observe({ type: 'layout-shift', buffered: false });\
         return null;",
    );
    browser.screenshot(&shots.join("2-form.png"));
    // A person on a laptop screen at the bottom of the form, where "Make clips" is.
    browser.window_size(1280, 720);
    browser.script("document.getElementById('upload-button').scrollIntoView({ block: 'end' }); return null");
    browser.click("#upload-button");

    let mut seen_states = Vec::new();
    let mut shift_while_running: Option<(f64, f64)> = None;
    let state = loop {
        let state = browser.script(PAGE_STATE);
        let now = state["state"].as_str().unwrap_or_default().to_string();
        if !now.is_empty() && seen_states.last() != Some(&now) {
            seen_states.push(now.clone());
        }
        if now == "running" {
            let shift = state["shift"].as_f64().unwrap_or(0.0);
            if shift_while_running.is_none() {
                std::thread::sleep(Duration::from_millis(400));
                let running = browser.script(PAGE_STATE);
                assert_eq!(running["in_view"], json!(true), "the new job's progress is where the person is looking");
                assert_eq!(running["cancel_shown"], json!(true), "a running job can be canceled: {running}");
                browser.screenshot(&shots.join("3-progress.png"));
                browser.window_size(1100, 1400);
            }
            shift_while_running = Some((shift_while_running.map_or(shift, |(first, _)| first), shift));
        }
        let done = state["clips"].as_u64().unwrap_or(0) > 0
            || now == "failed"
            || !state["problems"].as_str().unwrap_or("").is_empty();
        if done || started.elapsed() > secs(120) {
            break state;
        }
        std::thread::sleep(Duration::from_millis(150));
    };
    assert_eq!(state["problems"], json!(""), "the page shows no error: {state}");
    let ended = browser.wait_for(PAGE_STATE, secs(5), |v| v["cancel_shown"] == json!(false));
    assert_eq!(ended["cancel_shown"], json!(false), "nothing to cancel once it ended: {ended}");
    assert_eq!(state["state"], json!("succeeded"), "the job ended on the page as succeeded: {state}");
    assert!(state["clips"].as_u64().unwrap_or(0) >= 1, "the page lists a clip: {state}");
    assert_eq!(state["updates"], json!("events"), "progress came from the event stream, not polling: {state}");
    assert_eq!(state["upload_bar_hidden"], json!(true), "the upload bar is idle once the upload ended: {state}");
    let (first, last) = shift_while_running.expect("the page showed the job running");
    assert!(last - first < 0.001, "no layout shift while the job ran: {first} → {last}");
    let score: f64 = state["score"].as_str().unwrap_or_default().parse().expect("the clip shows a numeric score");
    assert!((0.0..=100.0).contains(&score), "score {score} is 0..100");
    assert!(state["parts"].as_u64().unwrap_or(0) >= 1, "the score's parts are listed: {state}");
    let ready = browser.wait_for("return document.querySelector('.clip-video').readyState", secs(20), |v| {
        v.as_u64().unwrap_or(0) >= 2
    });
    assert!(ready.as_u64().unwrap_or(0) >= 2, "the clip's video loads (readyState {ready})");
    let source = browser.script("return document.querySelector('.clip-video').currentSrc");
    assert!(source.as_str().unwrap_or_default().contains("sig="), "it plays through a signed link: {source}");
    browser.script("document.querySelector('.job').scrollIntoView(); return null");
    browser.screenshot(&shots.join("4-clips.png"));
    let unlabeled = browser.script(
        "return [...document.querySelectorAll('input, select, textarea')]\
         .filter((e) => !e.labels.length && !e.getAttribute('aria-label')).map((e) => e.id || e.name);",
    );
    assert_eq!(unlabeled, json!([]), "every control has a label");
    let clickable_divs = browser.script("return document.querySelectorAll('div[onclick], span[onclick]').length");
    assert_eq!(clickable_divs, json!(0), "actions are buttons and links");
    let original = links(&browser, ".clip[data-clip='clip-01'] .clip-downloads a");
    // The job as a timeline for editing software: a link per format, each signed.
    let exports = links(&browser, ".job-export a");
    let labels: Vec<&str> = exports.iter().map(|(label, _)| label.trim()).collect();
    assert_eq!(labels, ["Final Cut Pro", "Premiere / Resolve", "OTIO", "EDL", "captions"]);
    let premiere = request("GET", &exports[1].1, &[], None);
    assert_eq!(premiere.status, 200, "{}", premiere.text());
    assert!(
        premiere.text().contains("<xmeml version=\"4\">") && premiere.text().contains("<clipitem"),
        "{}",
        premiere.text()
    );

    // The editor: a caption word becomes ZEBRA, the end moves one word earlier.
    browser.click(".clip[data-clip='clip-01'] .clip-edit");
    let words = browser.wait_for(
        "if (!editor.spec) return { all: 0 }; const all = [...document.querySelectorAll('#editor-words .word')];\
         const inside = all.filter((b) => !b.classList.contains('outside'));\
         return { all: all.length, inside: inside.map((b) => Number(b.dataset.index)), end: editor.spec.end,\
                  words: editor.spec.words.map((w) => [w.text, w.start, w.end]), start: editor.spec.start };",
        secs(15),
        |v| v["all"].as_u64().unwrap_or(0) > 0,
    );
    // The preview: the job's source plays under the output's crop box, the caption line in it.
    let shown = browser.wait_for(
        "const v = document.getElementById('editor-video');\
         return { ready: v.readyState, src: v.currentSrc, at: v.currentTime,\
                  crop: !document.getElementById('crop-box').hidden,\
                  caption: document.getElementById('caption-preview').textContent };",
        secs(20),
        |v| v["ready"].as_u64().unwrap_or(0) >= 2 && v["crop"] == json!(true),
    );
    assert!(
        shown["src"].as_str().unwrap_or_default().contains("/source?"),
        "the source plays through a signed link: {shown}"
    );
    assert_eq!(shown["crop"], json!(true), "the crop box is drawn over the source: {shown}");
    assert!(
        (shown["at"].as_f64().unwrap_or(-1.0) - words["start"].as_f64().unwrap()).abs() < 0.2,
        "it waits at the clip's start: {shown}"
    );
    assert!(
        !shown["caption"].as_str().unwrap_or_default().trim().is_empty(),
        "the styled caption line is shown: {shown}"
    );
    browser.screenshot(&shots.join("5a-editor-preview.png"));
    // Drag the out handle onto the end of the clip's second word: it snaps there; I at a word
    // moves the start; Ctrl+Z undoes each, Ctrl+Y redoes.
    let inside_words: Vec<u64> = words["inside"].as_array().unwrap().iter().filter_map(Value::as_u64).collect();
    let second = inside_words[1];
    let trimmed = browser.script(&format!(
        "const handle = document.getElementById('handle-out');\
         const rect = document.getElementById('timeline').getBoundingClientRect();\
         const [low, high] = preview.window; const target = editor.spec.words[{second}].end + 0.02;\
         const x = rect.left + (target - low) / (high - low) * rect.width;\
         const from = handle.getBoundingClientRect().left + 2;\
         for (const [type, at] of [['pointerdown', from], ['pointermove', (from + x) / 2], ['pointermove', x], ['pointerup', x]])\
           handle.dispatchEvent(new PointerEvent(type, {{ bubbles: true, clientX: at, clientY: rect.top + 20, pointerId: 7, isPrimary: true }}));\
         return {{ end: editor.spec.end, last: editor.last, undo: editor.past.length }};"
    ));
    let second_end = words["words"][second as usize][2].as_f64().unwrap();
    assert_eq!(trimmed["end"].as_f64(), Some(second_end), "the out point snapped to the word's end: {trimmed}");
    assert_eq!(trimmed["undo"], json!(1), "one drag is one edit: {trimmed}");
    let press = |key: &str, ctrl: bool| {
        browser.script(&format!(
            "previewSeek(editor.spec.words[{second}].start + 0.01);\
             document.getElementById('editor').dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', ctrlKey: {ctrl}, bubbles: true }}));\
             return {{ start: editor.spec.start, end: editor.spec.end, undo: editor.past.length, redo: editor.future.length }};"
        ))
    };
    let marked = press("i", false);
    let second_start = words["words"][second as usize][1].as_f64().unwrap();
    assert_eq!(marked["start"].as_f64(), Some(second_start), "I put the start at the playhead's word: {marked}");
    browser.screenshot(&shots.join("5b-editor-trimmed.png"));
    let undone = press("z", true);
    assert_eq!(undone["start"], words["start"], "Ctrl+Z restored the start: {undone}");
    let redone = press("y", true);
    assert_eq!(redone["start"].as_f64(), Some(second_start), "Ctrl+Y redid it: {redone}");
    press("z", true);
    let restored = press("z", true);
    assert_eq!((&restored["start"], &restored["end"]), (&words["start"], &words["end"]), "back as it was: {restored}");
    assert_eq!(restored["undo"], json!(0), "{restored}");
    let branded = browser.script(
        "return [editor.spec.caption_style.animation, editor.spec.caption_style.keyword_color,\
         editor.spec.watermark && editor.spec.watermark.image]",
    );
    assert_eq!(
        branded,
        json!(["pop", "FF00FF", "watermark"]),
        "the template and logo picked on the page made the clip's look"
    );
    let look = browser.script("return document.getElementById('edit-style').value");
    assert_eq!(look, json!("single"), "the clip has the caption look chosen in the New job form");
    let inside: Vec<u64> = words["inside"].as_array().unwrap().iter().filter_map(Value::as_u64).collect();
    assert!(inside.len() >= 3, "the clip has words to edit: {words}");
    assert!(words["all"].as_u64().unwrap() > inside.len() as u64, "words just outside the clip are offered: {words}");
    let target = inside[1];
    browser.click(&format!("#editor-words .word[data-index='{target}']"));
    browser.clear("#word-text");
    browser.type_into("#word-text", "ZEBRA");
    browser.click("#apply-word");
    browser.click("#end-earlier");
    // A later word deleted with the Delete key (a jump cut): struck through, hatched on the
    // timeline, the clip shorter; Ctrl+Z restores it, Ctrl+Y deletes it again.
    assert!(inside.len() >= 5, "the clip has a word to delete after ZEBRA and before its new end: {words}");
    let deleted = inside[inside.len() - 3];
    browser.click(&format!("#editor-words .word[data-index='{deleted}']"));
    let press_key = |key: &str, ctrl: bool| {
        browser.script(&format!(
            "document.getElementById('editor').dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', ctrlKey: {ctrl}, bubbles: true }}));\
             return {{ deleted: [...editor.deleted], struck: document.querySelectorAll('#editor-words .word.deleted').length,\
                       hatched: document.querySelectorAll('#timeline-cuts .timeline-cut').length,\
                       span: document.getElementById('editor-span').textContent, kept: keptRanges() }};"
        ))
    };
    let cut = press_key("Delete", false);
    assert_eq!((&cut["deleted"], &cut["struck"], &cut["hatched"]), (&json!([deleted]), &json!(1), &json!(1)), "{cut}");
    assert!(cut["span"].as_str().unwrap_or_default().contains("after 1 cut"), "the span says so: {cut}");
    assert_eq!(cut["kept"].as_array().map(Vec::len), Some(2), "the clip keeps what is around the word: {cut}");
    let restored = press_key("z", true);
    assert_eq!((&restored["deleted"], &restored["hatched"]), (&json!([]), &json!(0)), "Ctrl+Z restored it: {restored}");
    let again = press_key("y", true);
    assert_eq!(again["deleted"], json!([deleted]), "Ctrl+Y deleted it again: {again}");
    browser.screenshot(&shots.join("5d-word-deleted.png"));
    browser.click("#edit-aspect option[value='1:1']");
    browser.click("#edit-style option[value='clean']");
    // The square as a crop, dragged 30 source pixels to the right of centre.
    browser.click("#edit-layout option[value='track']");
    let moved = browser.script(
        "const box = document.getElementById('crop-box'); const r = box.getBoundingClientRect();\
         const before = editor.spec.outputs.find((o) => o.aspect === '1:1').crop_keyframes[0].x;\
         const dx = 30 * preview.scale, x0 = r.left + r.width / 2, y0 = r.top + r.height / 2;\
         for (const [type, x] of [['pointerdown', x0], ['pointermove', x0 + dx / 2], ['pointermove', x0 + dx], ['pointerup', x0 + dx]])\
           box.dispatchEvent(new PointerEvent(type, { bubbles: true, clientX: x, clientY: y0, pointerId: 9, isPrimary: true }));\
         const square = editor.spec.outputs.find((o) => o.aspect === '1:1');\
         return { before, after: square.crop_keyframes[0].x, w: square.crop_keyframes[0].w, layout: square.layout };",
    );
    assert_eq!(moved["layout"], json!("track"), "{moved}");
    let crop_x = moved["after"].as_f64().unwrap();
    assert!((crop_x - moved["before"].as_f64().unwrap() - 30.0).abs() < 1.5, "the crop moved 30 px right: {moved}");
    browser.click("#edit-position option[value='top']");
    let line_top = browser.script("return document.getElementById('caption-preview').style.top");
    assert_eq!(line_top, json!("12%"), "the preview draws the caption line at the top");
    browser.screenshot(&shots.join("5c-crop-moved.png"));
    let edited = browser.script(&format!(
        "const b = document.querySelector(\"#editor-words .word[data-index='{target}']\");\
         return {{ text: b.textContent, changed: b.classList.contains('changed'), end: editor.spec.end,\
                   span: document.getElementById('editor-span').textContent }};"
    ));
    assert_eq!(edited["text"], json!("ZEBRA"), "{edited}");
    assert_eq!(edited["changed"], json!(true), "the changed word is marked: {edited}");
    let last_inside = *inside.last().unwrap() as usize;
    let expected_end = words["words"][last_inside - 1][2].as_f64().unwrap();
    assert_eq!(edited["end"].as_f64(), Some(expected_end), "the end sits on the previous word's end: {edited}");
    browser.screenshot(&shots.join("5-editor.png"));
    browser.click("#render-button");
    let rendered = browser.wait_for(
        "const box = document.getElementById('render-result');\
         return { shown: !box.hidden, ready: document.getElementById('render-video').readyState,\
                  error: document.getElementById('render-error').textContent };",
        secs(90),
        |v| v["ready"].as_u64().unwrap_or(0) >= 2 || !v["error"].as_str().unwrap_or_default().is_empty(),
    );
    assert_eq!(rendered["error"], json!(""), "{rendered}");
    assert!(rendered["ready"].as_u64().unwrap_or(0) >= 2, "the new file plays: {rendered}");
    browser.screenshot(&shots.join("6-rerendered.png"));
    let zebra_at = words["words"][target as usize][1].as_f64().unwrap() - words["start"].as_f64().unwrap() + 0.2;
    browser.script(&format!("document.getElementById('render-video').currentTime = {zebra_at}; return null"));
    browser.wait_for(
        "const v = document.getElementById('render-video'); return !v.seeking && v.readyState >= 2;",
        secs(10),
        |v| v == &json!(true),
    );
    browser.script("document.getElementById('render-video').scrollIntoView(); return null");
    browser.screenshot(&shots.join("6b-zebra-burned-in.png"));

    // What the page offers to download: fetched as a download would be, without the key.
    let fresh = links(&browser, "#render-downloads a");
    let fetch = |links: &[(String, String)], label: &str| -> Vec<u8> {
        let (_, href) = links.iter().find(|(text, _)| text.starts_with(label)).unwrap_or_else(|| panic!("{label}"));
        let answer = request("GET", href, &[], None);
        assert_eq!(answer.status, 200, "{label} downloads without the key header: {}", answer.text());
        answer.body
    };
    let (old_mp4, new_mp4) = (fetch(&original, "MP4"), fetch(&fresh, "MP4"));
    assert_ne!(opusclip_service::util::sha256_hex(&old_mp4), opusclip_service::util::sha256_hex(&new_mp4));
    let new_srt = String::from_utf8(fetch(&fresh, "Captions SRT")).unwrap();
    let old_srt = String::from_utf8(fetch(&original, "Captions SRT")).unwrap();
    assert!(new_srt.contains("ZEBRA") && !old_srt.contains("ZEBRA"), "new:\n{new_srt}\nold:\n{old_srt}");
    assert!(String::from_utf8(fetch(&fresh, "Captions VTT")).unwrap().contains("ZEBRA"));
    let start = words["start"].as_f64().unwrap();
    let seconds = duration_of(&new_mp4);
    let (deleted_text, deleted_start, deleted_end) = {
        let word = &words["words"][deleted as usize];
        (word[0].as_str().unwrap().to_string(), word[1].as_f64().unwrap(), word[2].as_f64().unwrap())
    };
    let plain = |text: &str| text.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    let gone = plain(&deleted_text);
    let srt_words = |srt: &str| -> Vec<String> {
        let text_lines = srt.lines().filter(|line| !line.contains("-->") && line.trim().parse::<u32>().is_err());
        text_lines.flat_map(str::split_whitespace).map(&plain).collect()
    };
    let said_elsewhere = inside
        .iter()
        .filter(|&&i| i != deleted)
        .any(|&i| plain(words["words"][i as usize][0].as_str().unwrap()) == gone);
    if !said_elsewhere {
        assert!(
            !srt_words(&new_srt).contains(&gone) && srt_words(&old_srt).contains(&gone),
            "the deleted word {gone:?} is out of the captions:\n{new_srt}"
        );
    }
    let zip = fetch(&fresh, "All files");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    let names: Vec<String> = archive.file_names().map(|n| n.expect("a name").to_string()).collect();
    // Every aspect re-rendered, named after the clip: the chosen square first, then the 9:16.
    for name in ["manifest.json", "clip-01.mp4", "clip-01.9x16.mp4", "spec.json", "clip-01.jpg"] {
        assert!(names.iter().any(|n| n == name), "{name} in the zip: {names:?}");
    }
    assert_eq!(video_size(&read_entry(&mut archive, "clip-01.9x16.mp4")), (1080, 1920), "the 9:16 re-rendered too");
    let zipped = read_entry(&mut archive, "clip-01.mp4");
    assert_eq!(zipped, new_mp4, "the zip holds the same file");
    let spec: Value = serde_json::from_slice(&read_entry(&mut archive, "spec.json")).unwrap();
    assert_eq!(spec["words"][target as usize]["text"], json!("ZEBRA"), "the rendered spec has the word");
    assert_eq!(
        spec["watermark"]["image"],
        json!("watermark"),
        "the re-render kept the job's logo: {}",
        spec["watermark"]
    );
    assert_eq!(spec["end"].as_f64(), Some(expected_end));
    // The jump cut: two kept ranges around the deleted word, and the file as long as they are.
    let kept: Vec<(f64, f64)> = spec["kept_ranges"]
        .as_array()
        .expect("the rendered spec has kept_ranges")
        .iter()
        .map(|range| (range["start"].as_f64().unwrap(), range["end"].as_f64().unwrap()))
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept[0].1 <= deleted_start + 0.01 && kept[1].0 >= deleted_end - 0.01, "the word is cut out: {kept:?}");
    let played: f64 = kept.iter().map(|(from, to)| to - from).sum();
    assert!(played < expected_end - start - (deleted_end - deleted_start) * 0.9, "{played} s after the cut");
    assert!((seconds - played).abs() < 0.15, "the new file is {seconds} s, the kept ranges {played} s: {kept:?}");
    eprintln!("jump cut: {deleted_text:?} deleted, {:.2} s -> {seconds:.2} s, kept {kept:?}", expected_end - start);
    assert_eq!(spec["caption_style"]["highlight_color"], json!("FFFFFF"), "the chosen caption look");
    assert_eq!(spec["outputs"][0]["aspect"], json!("1:1"), "the chosen aspect");
    assert_eq!(video_size(&new_mp4), (1080, 1080), "rendered square");
    assert_eq!(spec["outputs"][0]["crop_keyframes"][0]["x"].as_f64(), Some(crop_x), "the moved crop was rendered");
    // The rendered square shows the source where the crop was moved to, not where it was.
    let at = 1.0;
    let new_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(new_file.path(), &new_mp4).unwrap();
    let clip_start = words["start"].as_f64().unwrap();
    let seen_moved = similarity(new_file.path(), at, &talk.video, clip_start + at, crop_x, None);
    let seen_centre = similarity(new_file.path(), at, &talk.video, clip_start + at, crop_x - 30.0, None);
    eprintln!(
        "re-rendered square: SSIM {seen_moved:.3} against the moved crop, {seen_centre:.3} against the centred one"
    );
    assert!(
        seen_moved > seen_centre + 0.05,
        "the frame matches the moved crop (SSIM {seen_moved:.3}) over the centred one ({seen_centre:.3})"
    );
    // Captions asked at the top: the top third differs from the caption-free source, the bottom third does not.
    assert_eq!(spec["caption_style"]["position"], json!("top"));
    let word_at = words["words"][target as usize][1].as_f64().unwrap() - words["start"].as_f64().unwrap() + 0.1;
    let source_at = words["start"].as_f64().unwrap() + word_at;
    let top_third = similarity(new_file.path(), word_at, &talk.video, source_at, crop_x, Some(0));
    let bottom_third = similarity(new_file.path(), word_at, &talk.video, source_at, crop_x, Some(720));
    eprintln!("captions at the top: SSIM of the top third {top_third:.3}, of the bottom third {bottom_third:.3}");
    assert!(top_third < bottom_third - 0.05, "the captions are in the top third ({top_third:.3} vs {bottom_third:.3})");
    // And the changed word is on the picture: tesseract reads it from the caption's pixels.
    let read = ocr_caption(new_file.path(), word_at, &talk.video, source_at, crop_x);
    eprintln!("OCR of the re-rendered caption: {read:?}");
    assert!(read.to_lowercase().contains("zebra"), "the burned-in caption says ZEBRA: {read:?}");
    let stored_srt = String::from_utf8(read_entry(&mut archive, "clip-01.srt")).unwrap();
    assert_eq!(stored_srt, new_srt, "the SRT download is what the renderer wrote beside the video");

    // The job list holds both jobs; at phone width the page still fits.
    browser.click(".editor-close button");
    let listed =
        browser.wait_for("return [...document.querySelectorAll('.job')].map((j) => j.dataset.state)", secs(15), |v| {
            v.as_array().is_some_and(|a| a.len() == 2 && a.iter().all(|s| s == "succeeded"))
        });
    assert_eq!(listed, json!(["succeeded", "succeeded"]));
    browser.script("document.getElementById('jobs-section').scrollIntoView(); return null");
    browser.screenshot(&shots.join("7-jobs.png"));
    browser.window_size(375, 812);
    browser.navigate(&service.url("/"));
    let phone = browser.wait_for(
        "return { videos: [...document.querySelectorAll('.clip-video')].filter((v) => v.readyState >= 2).length,\
                  width: document.documentElement.scrollWidth, inner: window.innerWidth };",
        secs(20),
        |v| v["videos"].as_u64().unwrap_or(0) >= 2,
    );
    assert!(phone["videos"].as_u64().unwrap_or(0) >= 2, "both jobs' videos load again: {phone}");
    assert!(phone["width"].as_u64() <= phone["inner"].as_u64(), "nothing wider than the phone: {phone}");
    browser.screenshot(&shots.join("8-phone.png"));
    browser.script("document.querySelector(\".clip[data-clip='clip-01']\").scrollIntoView(); return null");
    browser.screenshot(&shots.join("8b-phone-clip.png"));
    browser.click(".clip[data-clip='clip-01'] .clip-edit");
    browser.wait_for("return document.querySelectorAll('#editor-words .word').length", secs(15), |v| {
        v.as_u64().unwrap_or(0) > 0
    });
    let dialog =
        browser.script("const r = document.getElementById('editor').getBoundingClientRect(); return [r.left, r.right]");
    assert!(dialog[0].as_f64().unwrap() >= 0.0 && dialog[1].as_f64().unwrap() <= 375.0, "the editor fits: {dialog}");
    browser.screenshot(&shots.join("9-phone-editor.png"));
    browser.click(".editor-close button");

    // Delete the edit (two presses: the first asks).
    browser.click(".job .job-delete");
    browser.click(".job .job-delete");
    let left = browser.wait_for("return document.querySelectorAll('.job').length", secs(10), |v| v == &json!(1));
    assert_eq!(left, json!(1), "the deleted job left the page");
    let listed = request("GET", &service.url("/api/jobs"), &[("x-api-key", key.as_str())], None).json();
    assert_eq!(listed["jobs"].as_array().map(Vec::len), Some(1), "and the server: {listed}");
    eprintln!(
        "web page: states seen {seen_states:?}, score {score}, {:.1} s in all, screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}

fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

/// The links matching `css`: (text, absolute href).
fn links(browser: &Browser, css: &str) -> Vec<(String, String)> {
    let found = browser
        .script(&format!("return [...document.querySelectorAll(\"{css}\")].map((a) => [a.textContent, a.href]);"));
    let links: Vec<(String, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| (pair[0].as_str().unwrap().to_string(), pair[1].as_str().unwrap().to_string()))
        .collect();
    assert!(!links.is_empty(), "links at {css}");
    links
}

fn read_entry(archive: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
    use std::io::Read;
    let mut bytes = Vec::new();
    archive.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}")).read_to_end(&mut bytes).unwrap();
    bytes
}

/// Seconds of video in an MP4 (ffprobe).
fn duration_of(bytes: &[u8]) -> f64 {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"])
        .arg(file.path())
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("a duration")
}

/// Width and height of the video stream of an MP4 (ffprobe).
/// One 1080x1080 RGB frame: the rendered square at `at` s, or the source's 240x240 window at `x`
/// scaled up (`source_at` s).
fn square_frame(input: &Path, at: f64, crop_x: Option<f64>) -> Vec<u8> {
    let filter = match crop_x {
        Some(x) => format!("crop=240:240:{x}:0,scale=1080:1080"),
        None => "scale=1080:1080".to_string(),
    };
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-ss", &at.to_string(), "-i"])
        .arg(input)
        .args(["-vf", &filter, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])
        .output()
        .expect("ffmpeg runs");
    assert_eq!(out.stdout.len(), 1080 * 1080 * 3, "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// What tesseract reads from the caption of the rendered square at `at` s: the near-white
/// pixels that differ from the caption-free source window, black on white.
fn ocr_caption(rendered: &Path, at: f64, source: &Path, source_at: f64, x: f64) -> String {
    let captioned = square_frame(rendered, at, None);
    let bare = square_frame(source, source_at, Some(x));
    let mut pgm = b"P5\n1080 1080\n255\n".to_vec();
    pgm.extend(captioned.chunks_exact(3).zip(bare.chunks_exact(3)).map(|(a, b)| {
        let white = a.iter().all(|&v| v > 200);
        let changed = a.iter().zip(b).any(|(p, q)| p.abs_diff(*q) > 60);
        if white && changed {
            0u8
        } else {
            255u8
        }
    }));
    let mask = tempfile::Builder::new().suffix(".pgm").tempfile().unwrap();
    std::fs::write(mask.path(), pgm).unwrap();
    let read = std::process::Command::new("tesseract")
        .arg(mask.path())
        .arg("-")
        .args(["--psm", "6"])
        .output()
        .expect("tesseract");
    String::from_utf8_lossy(&read.stdout).trim().to_string()
}

/// SSIM of the rendered square's frame at `at` s against the source's 240x240 window at `x`
/// (`source_at` s) scaled to 1080x1080 (the talk is 320x240): the whole frame, or with
/// `band_top` only the 360 rows from there.
fn similarity(rendered: &Path, at: f64, source: &Path, source_at: f64, x: f64, band_top: Option<u32>) -> f64 {
    let band = band_top.map(|top| format!(",crop=1080:360:0:{top}")).unwrap_or_default();
    let graph = format!(
        "[1:v]crop=240:240:{x}:0,scale=1080:1080,setsar=1{band}[want];[0:v]setsar=1{band}[got];[got][want]ssim"
    );
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-ss", &at.to_string(), "-i"])
        .arg(rendered)
        .args(["-ss", &source_at.to_string(), "-i"])
        .arg(source)
        .args(["-filter_complex", &graph, "-frames:v", "1", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let log = String::from_utf8_lossy(&out.stderr);
    log.rsplit("All:")
        .next()
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn video_size(bytes: &[u8]) -> (u32, u32) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(file.path())
        .output()
        .expect("ffprobe runs");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let (width, height) = text.split_once(',').unwrap_or_else(|| panic!("a size: {text}"));
    (width.parse().unwrap(), height.parse().unwrap())
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web_page");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
