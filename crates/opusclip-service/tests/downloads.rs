//! A job's downloads over plain HTTP, as the web page uses them: the job list (pages, per key),
//! signed links in the manifest (a file, with Range, without the key; nothing else opens with
//! them; a revoked key's links stop), captions built from a clip's spec, the whole job as a
//! streamed zip, and an edited spec re-rendered with its changed caption word.

mod common;

use common::{clip_parts, get, make_talk, post_form, post_json, request, wait_for_job, TestService};
use serde_json::{json, Value};
use std::io::Read;
use std::time::Duration;

fn without_key(url: &str, headers: &[(&str, &str)]) -> common::Answer {
    request("GET", url, headers, None)
}

#[test]
fn downloads_open_through_signed_links_and_an_edit_is_rendered_with_its_words() {
    let talk = make_talk("downloads");
    let service = TestService::sqlite(&[], 1);
    let key = service.key("owner");
    let stranger = service.key("stranger");
    let created = post_form(&service.url("/api/jobs"), &key, &clip_parts(&talk), &[]);
    assert_eq!(created.status, 202, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let status = wait_for_job(&service.base, &key, &id, Duration::from_secs(120));
    assert_eq!(status["state"], "succeeded", "{status}");

    // The job list is per key.
    let mine = get(&service.url("/api/jobs"), &key).json();
    assert_eq!(mine["jobs"][0]["id"], json!(id), "{mine}");
    assert_eq!(mine["jobs"][0]["name"], json!("talk.mp4"));
    assert_eq!(mine["next"], Value::Null);
    assert_eq!(get(&service.url("/api/jobs"), &stranger).json()["jobs"], json!([]));
    assert_eq!(get(&service.url("/api/jobs?limit=0"), &key).status, 422);
    assert_eq!(get(&service.url("/api/jobs?before=nonsense"), &key).status, 422);

    let manifest = get(&service.url(&format!("/api/jobs/{id}/manifest")), &key).json();
    let link = |name: &str| service.url(manifest["file_urls"][name].as_str().unwrap_or_else(|| panic!("{name}")));
    let video = without_key(&link("clip-01.mp4"), &[]);
    assert_eq!(video.status, 200, "{}", video.text());
    assert_eq!(video.header("content-type"), Some("video/mp4"));
    let size = video.body.len();
    let part = without_key(&link("clip-01.mp4"), &[("range", "bytes=100-199")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some(format!("bytes 100-199/{size}").as_str()));
    assert_eq!(part.body, video.body[100..200]);

    // The uploaded source, for the editor's preview: signed, with ranges.
    let uploaded = std::fs::read(&talk.video).unwrap();
    let source = without_key(&service.url(manifest["source_url"].as_str().unwrap()), &[("range", "bytes=0-99")]);
    assert_eq!(source.status, 206, "{}", source.text());
    assert_eq!(source.header("content-type"), Some("video/mp4"));
    assert_eq!(source.body, uploaded[..100], "the source is the uploaded file");

    // A link opens its own file only, and only as signed.
    let signed = manifest["file_urls"]["clip-01.mp4"].as_str().unwrap();
    let (_, query) = signed.split_once('?').unwrap();
    for (url, why) in [
        (service.url(&format!("/api/jobs/{id}/files/clip-01.jpg?{query}")), "another file"),
        (service.url(&format!("/api/jobs/{id}/manifest?{query}")), "the manifest"),
        (service.url(&format!("/api/jobs/{id}?{query}")), "the status"),
        (service.url(&signed.replace("sig=", "sig=0")), "a changed signature"),
        (service.url(&signed.replace("expires=", "expires=9")), "a changed expiry"),
    ] {
        let answer = without_key(&url, &[]);
        assert_eq!(answer.status, 401, "{why}: {}", answer.text());
        assert_eq!(answer.json()["code"], "UNAUTHORIZED");
    }
    let stranger_view = get(&service.url(&format!("/api/jobs/{id}/manifest")), &stranger);
    assert_eq!(stranger_view.status, 404, "another key sees no manifest and so no links");

    // Captions from the spec are what the renderer wrote beside the clip.
    let srt = without_key(&service.url(manifest["caption_urls"]["clip-01"]["srt"].as_str().unwrap()), &[]);
    assert_eq!(srt.status, 200);
    assert!(srt.header("content-disposition").unwrap_or_default().contains("clip-01.srt"));
    let stored = without_key(&link("clip-01.srt"), &[]).text();
    assert_eq!(srt.text(), stored, "the captions route lays out the words as the renderer did");
    let vtt = without_key(&service.url(manifest["caption_urls"]["clip-01"]["vtt"].as_str().unwrap()), &[]);
    assert!(vtt.text().starts_with("WEBVTT"), "{}", vtt.text());
    assert_eq!(get(&service.url(&format!("/api/jobs/{id}/captions/clip-09.srt")), &key).status, 404);
    assert_eq!(get(&service.url(&format!("/api/jobs/{id}/captions/clip-01.txt")), &key).status, 404);

    // The whole job as a zip, streamed.
    let zip = without_key(&service.url(manifest["archive_url"].as_str().unwrap()), &[]);
    assert_eq!(zip.status, 200);
    assert_eq!(zip.header("content-type"), Some("application/zip"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body)).expect("a valid zip");
    let names: Vec<String> = archive.file_names().map(|n| n.expect("a name").to_string()).collect();
    for name in ["manifest.json", "clip-01.mp4", "clip-01.json", "clip-01.srt", "clip-01.vtt", "clip-01.jpg"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let mut zipped = Vec::new();
    archive.by_name("clip-01.mp4").unwrap().read_to_end(&mut zipped).unwrap();
    assert_eq!(zipped, video.body, "the zipped clip is the clip");

    // The whole job as an editing timeline, through a signed link too; read back by
    // OpenTimelineIO when it is installed (crates/opusclip/tests/export.rs reads every format).
    let spec_of_clip: Value = serde_json::from_slice(&without_key(&link("clip-01.json"), &[]).body).unwrap();
    let timeline = without_key(&service.url(manifest["export_urls"]["xmeml"].as_str().unwrap()), &[]);
    assert_eq!(timeline.status, 200, "{}", timeline.text());
    assert_eq!(timeline.header("content-type"), Some("application/xml"));
    assert!(timeline.header("content-disposition").unwrap_or_default().contains("timeline.xml"));
    let fps = spec_of_clip["source"]["fps"].as_f64().unwrap();
    let in_frame = (spec_of_clip["start"].as_f64().unwrap() * fps).round();
    assert!(timeline.text().contains(&format!("<in>{in_frame}</in>")), "{}", timeline.text());
    assert!(timeline.text().contains("<pathurl>file://localhost/talk.mp4</pathurl>"), "named as uploaded");
    if let Some(read) = common::read_with_otio(&timeline.body, "fcp_xml") {
        assert_eq!(read, vec![(in_frame, (spec_of_clip["end"].as_f64().unwrap() * fps).round() - in_frame)]);
    }
    let edl = get(&service.url(&format!("/api/jobs/{id}/export/clip-01.edl")), &key);
    assert!(edl.text().starts_with("TITLE: clip-01"), "{}", edl.text());
    assert!(edl.header("x-export-notes").unwrap_or_default().contains("cuts only"));
    let captions = without_key(&service.url(manifest["export_urls"]["srt"].as_str().unwrap()), &[]);
    let texts = |srt: &str| -> Vec<String> {
        srt.split("\n\n")
            .filter(|cue| cue.contains("-->"))
            .map(|cue| cue.lines().skip(2).collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(
        texts(&captions.text()),
        texts(&srt.text()),
        "one clip: the timeline's captions are the clip's (on frames)"
    );
    for (query, status) in [
        ("export/timeline.aaf", 404),
        ("export/clip-09.otio", 404),
        ("export/timeline.otio?order=sideways", 422),
        ("export/timeline.otio?top=0", 422),
        ("export/timeline.otio?aspect=2:3", 422),
    ] {
        let answer = get(&service.url(&format!("/api/jobs/{id}/{query}")), &key);
        assert_eq!(answer.status, status, "{query}: {}", answer.text());
    }

    // An edited spec: one caption word changed; the render carries it and only the edit.
    let mut spec: Value = serde_json::from_slice(&without_key(&link("clip-01.json"), &[]).body).unwrap();
    let (start, end) = (spec["start"].as_f64().unwrap(), spec["end"].as_f64().unwrap());
    let words = spec["words"].as_array_mut().unwrap();
    let inside = words.iter().position(|w| w["start"].as_f64().unwrap() >= start && w["end"].as_f64().unwrap() <= end);
    let inside = inside.expect("a word inside the clip");
    let replaced = words[inside]["text"].as_str().unwrap().to_string();
    words[inside]["text"] = json!("ZEBRA");
    let render = post_json(&service.url(&format!("/api/jobs/{id}/render")), &key, &spec, &[]);
    assert_eq!(render.status, 202, "{}", render.text());
    let render_id = render.json()["id"].as_str().unwrap().to_string();
    let done = wait_for_job(&service.base, &key, &render_id, Duration::from_secs(120));
    assert_eq!(done["state"], "succeeded", "{done}");
    let edited = get(&service.url(&format!("/api/jobs/{render_id}/manifest")), &key).json();
    let new_srt = without_key(&service.url(edited["caption_urls"]["clip-01"]["srt"].as_str().unwrap()), &[]).text();
    assert!(new_srt.contains("ZEBRA"), "{new_srt}");
    assert!(!srt.text().contains("ZEBRA") && srt.text().contains(&replaced), "the original had {replaced:?}");
    let burned = without_key(&service.url(edited["file_urls"]["clip-01.srt"].as_str().unwrap()), &[]).text();
    assert_eq!(burned, new_srt, "the renderer laid out the edited words");
    let new_video = without_key(&service.url(edited["file_urls"]["clip-01.mp4"].as_str().unwrap()), &[]).body;
    assert!(!new_video.is_empty() && new_video != video.body, "a new file");

    // Pages of the list, newest first.
    let first = get(&service.url("/api/jobs?limit=1"), &key).json();
    assert_eq!(first["jobs"][0]["id"], json!(render_id), "{first}");
    assert_eq!(first["jobs"][0]["kind"], "render");
    let cursor = first["next"].as_str().expect("a next page").to_string();
    let second = get(&service.url(&format!("/api/jobs?limit=1&before={cursor}")), &key).json();
    assert_eq!(second["jobs"][0]["id"], json!(id), "{second}");
    assert_eq!(second["next"], Value::Null);

    // A revoked key's links stop working (the key cache lasts 2 s).
    let services = service.server.as_ref().unwrap().services.clone();
    service.runtime.block_on(async {
        let owner = services.keys.list().await.unwrap().into_iter().find(|k| k.name == "owner").unwrap();
        services.keys.revoke(&owner.id).await.unwrap();
    });
    std::thread::sleep(opusclip_service::keys::KEY_CACHE_TTL + Duration::from_millis(200));
    assert_eq!(without_key(&link("clip-01.mp4"), &[]).status, 401, "a revoked key's link");
}
